import { constants, type ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Call } from '../../models/call-repository.ts';
import { realPathInside } from '../../models/is-inside.ts';
import { locateRecording, type RecordingPlaces } from '../../models/recording-location.ts';
import { ApiError } from '../api-error.ts';

/** Audio types by file extension (the inverse of what an upload is stored as). */
const CONTENT_TYPES: Record<string, string> = {
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.amr': 'audio/amr',
  '.awb': 'audio/amr-wb',
  '.ogg': 'audio/ogg',
  '.oga': 'audio/ogg',
  '.opus': 'audio/opus',
  '.m4a': 'audio/mp4',
  '.mp4': 'audio/mp4',
  '.aac': 'audio/aac',
  '.flac': 'audio/flac',
  '.webm': 'audio/webm',
};

/** Every content type a recording is served as (the OpenAPI document lists them). */
export const RECORDING_CONTENT_TYPES = [...new Set(Object.values(CONTENT_TYPES)), 'application/octet-stream'];

const STREAM_CHUNK = 256 * 1024;

export function recordingContentType(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

export type ByteRange =
  { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

/**
 * One `Range: bytes=…` header against a file of `size` bytes (RFC 9110
 * §14.1.2): `a-b`, `a-` and `-n`. A header that is not a single byte range
 * (another unit, several ranges, junk) is ignored and the whole file sent, as
 * the RFC allows; a range starting past the end, or a zero suffix, is
 * unsatisfiable.
 */
export function parseRange(header: string | undefined, size: number): ByteRange {
  if (header === undefined) return { kind: 'full' };
  const match = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header);
  if (!match || (match[1] === '' && match[2] === '')) return { kind: 'full' };
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  if (match[2] !== '' && Number(match[2]) < start) return { kind: 'full' }; // invalid: ignored
  if (start >= size) return { kind: 'unsatisfiable' };
  const end = match[2] === '' ? size - 1 : Number(match[2]);
  return { kind: 'partial', start, end: Math.min(end, size - 1) };
}

export interface RecordingStream {
  status: 200 | 206 | 416;
  headers: Record<string, string>;
  body: ReadStream | null;
}

const unavailable = (reason: string, message: string) =>
  new ApiError(404, 'recording_unavailable', message, { reason });

/**
 * A call's local recording as a stream, honouring one Range. Only a file
 * strictly inside the recording roots is read (models/is-inside.ts, symlinks
 * resolved); a remote recording is not proxied. Nothing is buffered.
 */
export async function openRecording(
  call: Pick<Call, 'callId' | 'recording' | 'recordingStatus' | 'recordingProblemCode'>,
  places: Pick<RecordingPlaces, 'roots'>,
  range: string | undefined,
): Promise<RecordingStream> {
  if (!call.recording || call.recordingStatus === 'none')
    throw unavailable('no_recording', `call ${call.callId} has no recording`);
  if (call.recordingStatus === 'remote')
    throw unavailable('remote_not_proxied', `call ${call.callId}'s recording is remote; it is not proxied`);
  if (call.recordingStatus === 'unreadable') {
    const code = call.recordingProblemCode ?? 'unreadable';
    throw unavailable(code, `call ${call.callId}'s recording was flagged at ingest (${code})`);
  }
  const location = locateRecording(call.recording, { roots: places.roots, hosts: [] });
  if (location.kind !== 'file') {
    throw unavailable(
      location.kind === 'url' ? 'remote_not_proxied' : location.code,
      `call ${call.callId}'s recording is not a local file under the recording roots`,
    );
  }
  let real: string | undefined;
  try {
    real = await realPathInside(location.root, location.path);
  } catch {
    throw unavailable('not_found', `call ${call.callId}'s recording file does not exist`);
  }
  if (!real)
    throw unavailable('path_escape', `call ${call.callId}'s recording links outside the recording roots`);
  // Opened once, then fstat: the file measured is the file sent (no stat-then-open race), and
  // O_NONBLOCK keeps a FIFO planted under a root from blocking a thread-pool thread on open.
  const handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK);
  let size: number;
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw unavailable('not_a_file', `call ${call.callId}'s recording is not a file`);
    size = info.size;
  } catch (error) {
    await handle.close();
    throw error;
  }
  const headers: Record<string, string> = {
    'accept-ranges': 'bytes',
    'content-type': recordingContentType(real),
  };
  const wanted = parseRange(range, size);
  if (wanted.kind === 'unsatisfiable') {
    await handle.close();
    return { status: 416, headers: { ...headers, 'content-range': `bytes */${size}` }, body: null };
  }
  const [start, end] = wanted.kind === 'full' ? [0, Math.max(0, size - 1)] : [wanted.start, wanted.end];
  // Reads of up to 256 KiB (the default is 64 KiB): a player's window of 64 KiB–1 MiB goes out in a
  // few writes; at most this much is buffered per response.
  const body = handle.createReadStream({ start, end, highWaterMark: STREAM_CHUNK });
  if (wanted.kind === 'full') {
    return { status: 200, headers: { ...headers, 'content-length': String(size) }, body };
  }
  return {
    status: 206,
    headers: {
      ...headers,
      'content-range': `bytes ${wanted.start}-${wanted.end}/${size}`,
      'content-length': String(wanted.end - wanted.start + 1),
    },
    body,
  };
}
