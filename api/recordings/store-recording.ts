import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { setRecording } from '../../models/call-repository.ts';
import { retryFailed } from '../../models/pipeline-repository.ts';
import { ApiError } from '../api-error.ts';

const EXTENSIONS: Record<string, string> = {
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/amr': 'amr',
  'audio/amr-wb': 'awb',
  'audio/ogg': 'ogg',
  'audio/opus': 'opus',
  'audio/mp4': 'm4a',
  'audio/x-m4a': 'm4a',
  'audio/aac': 'aac',
};

export interface StoreOptions {
  storageDir: string;
  pool: pg.Pool;
  callId: string;
  contentType: string;
  maxBytes: number;
}

/** Marks a file being written by an upload; what a kill leaves behind is swept at start. */
export const UPLOAD_TEMP_MARK = '.upload-';

/** Uploaded recordings live here, under the storage directory. */
export const RECORDINGS_DIR = 'recordings';

/**
 * The file name of a call's uploaded recording: a readable prefix (the id's
 * ASCII letters, digits, '-' and '_', at most 40) and the SHA-256 of the id,
 * so any id — 200 CJK characters, '/', '..', emoji — maps to one short, safe
 * name that no other id shares.
 */
export function recordingFileName(callId: string, ext: string): string {
  const readable = callId.replace(/[^A-Za-z0-9_-]+/g, '').slice(0, 40);
  const hash = createHash('sha256').update(callId, 'utf8').digest('hex').slice(0, 32);
  return `${readable ? `${readable}-` : ''}${hash}.${ext}`;
}

/**
 * Streams an uploaded recording to <storage>/recordings/<file name>: into a
 * temporary file first and renamed on success, so a cut-off or oversized
 * upload never leaves half a recording where the workers would read it. The
 * call row keeps the full path (the workers read it); the answer gives it
 * relative to the storage directory.
 */
export async function storeRecording(body: NodeJS.ReadableStream, options: StoreOptions) {
  const dir = join(options.storageDir, RECORDINGS_DIR);
  await mkdir(dir, { recursive: true });
  const ext = EXTENSIONS[options.contentType.split(';')[0].trim().toLowerCase()] ?? 'bin';
  const name = recordingFileName(options.callId, ext);
  const path = join(dir, name);
  const temp = `${path}${UPLOAD_TEMP_MARK}${process.pid}-${Date.now()}`;
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > options.maxBytes) {
        done(new ApiError(413, 'too_large', `recording is over the ${options.maxBytes}-byte limit`));
      } else done(null, chunk);
    },
  });
  try {
    await pipeline(body, limit, createWriteStream(temp));
    if (bytes === 0) throw new ApiError(400, 'empty_recording', 'the uploaded recording is empty');
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await setRecording(options.pool, options.callId, path, 'uploaded');
  // A sampled call that failed for want of a recording goes back into the pipeline.
  await retryFailed(options.pool, [options.callId]);
  return { callId: options.callId, recording: `${RECORDINGS_DIR}/${name}`, bytes };
}
