import { realpath, stat } from 'node:fs/promises';
import type { CallRecord } from '../../models/call-record.ts';
import type { RecordingStatus } from '../../models/call-repository.ts';
import { isInside, locateRecording } from '../../models/recording-location.ts';

export interface RecordingPlaces {
  /** Relative recording paths are resolved against this (default: the first root). */
  recordingsDir?: string;
  recordingRoots: string[];
}

export interface RecordingCheck {
  recording?: string;
  recordingStatus: RecordingStatus;
  recordingProblem?: string;
}

/**
 * A call whose recording is missing or unreadable is still a call: it is kept
 * (it counts for quotas) and flagged, so QA staff can fix the file and re-ingest.
 */
export async function checkRecordings(
  records: CallRecord[],
  places: RecordingPlaces,
): Promise<RecordingCheck[]> {
  return Promise.all(records.map((r) => checkRecording(r.recording, places)));
}

async function checkRecording(
  recording: string | undefined,
  places: RecordingPlaces,
): Promise<RecordingCheck> {
  if (!recording) return { recordingStatus: 'none' };
  const location = locateRecording(recording, places.recordingRoots, places.recordingsDir);
  if (location.kind === 'url') return { recording: location.url, recordingStatus: 'remote' };
  if (location.kind === 'invalid') {
    return { recording, recordingStatus: 'unreadable', recordingProblem: location.reason };
  }
  const flagged = (problem: string): RecordingCheck => ({
    recording: location.path,
    recordingStatus: 'unreadable',
    recordingProblem: problem,
  });
  try {
    const real = await realpath(location.path);
    if (!isInside(await realpath(location.root), real)) {
      return flagged(`recording ${location.path} links outside the recording roots`);
    }
    const info = await stat(real);
    if (!info.isFile()) return flagged(`recording ${location.path} is not a file`);
    if (info.size === 0) return flagged(`recording ${location.path} is empty`);
    return { recording: location.path, recordingStatus: 'ok' };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return flagged(`recording ${location.path} does not exist`);
    if (code === 'EACCES') return flagged(`recording ${location.path} is not readable (permission denied)`);
    return flagged(`recording ${location.path} cannot be read: ${(error as Error).message}`);
  }
}
