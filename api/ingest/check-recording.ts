import { stat } from 'node:fs/promises';
import type { CallRecord } from '../../models/call-record.ts';
import type { RecordingStatus } from '../../models/call-repository.ts';
import { realPathInside } from '../../models/is-inside.ts';
import { locateRecording } from '../../models/recording-location.ts';
import type { HostRule } from '../../models/recording-url-policy.ts';

export interface RecordingPlaces {
  /** Relative recording paths are resolved against this (default: the first root). */
  recordingsDir?: string;
  recordingRoots: string[];
  /** CALLQA_RECORDING_HOSTS. Unset or empty: every recording URL is flagged `url_not_allowed`. */
  recordingHosts?: readonly HostRule[];
}

/** Why a kept call's recording was flagged: a stable code beside the message. */
export type RecordingProblemCode =
  | 'path_escape'
  | 'url_not_allowed'
  | 'not_found'
  | 'not_a_file'
  | 'empty'
  | 'permission_denied'
  | 'unreadable';

export interface RecordingCheck {
  recording?: string;
  recordingStatus: RecordingStatus;
  recordingProblem?: string;
  recordingProblemCode?: RecordingProblemCode;
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

/**
 * URLs are checked against the allow-list without DNS: an answer here would
 * only be true for now (the fetch resolves and checks again before it
 * connects, on every redirect), ten thousand rows would wait on the resolver,
 * and the flag would tell a caller what internal names resolve to.
 */
async function checkRecording(
  recording: string | undefined,
  places: RecordingPlaces,
): Promise<RecordingCheck> {
  if (!recording) return { recordingStatus: 'none' };
  const location = locateRecording(recording, {
    roots: places.recordingRoots,
    hosts: places.recordingHosts ?? [],
    baseDir: places.recordingsDir,
  });
  if (location.kind === 'url') return { recording: location.url, recordingStatus: 'remote' };
  if (location.kind === 'invalid') {
    return {
      recording,
      recordingStatus: 'unreadable',
      recordingProblem: location.reason,
      recordingProblemCode: location.code,
    };
  }
  const flagged = (code: RecordingProblemCode, problem: string): RecordingCheck => ({
    recording: location.path,
    recordingStatus: 'unreadable',
    recordingProblem: problem,
    recordingProblemCode: code,
  });
  try {
    const real = await realPathInside(location.root, location.path);
    if (!real) return flagged('path_escape', `recording ${location.path} links outside the recording roots`);
    const info = await stat(real);
    if (!info.isFile()) return flagged('not_a_file', `recording ${location.path} is not a file`);
    if (info.size === 0) return flagged('empty', `recording ${location.path} is empty`);
    return { recording: location.path, recordingStatus: 'ok' };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return flagged('not_found', `recording ${location.path} does not exist`);
    if (code === 'EACCES') {
      return flagged('permission_denied', `recording ${location.path} is not readable (permission denied)`);
    }
    return flagged('unreadable', `recording ${location.path} cannot be read: ${(error as Error).message}`);
  }
}
