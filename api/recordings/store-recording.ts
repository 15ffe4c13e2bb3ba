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

/**
 * Streams an uploaded recording to <storage>/recordings/<call id>.<ext>: into
 * a temporary file first and renamed on success, so a cut-off or oversized
 * upload never leaves half a recording where the workers would read it.
 */
export async function storeRecording(body: NodeJS.ReadableStream, options: StoreOptions) {
  const dir = join(options.storageDir, 'recordings');
  await mkdir(dir, { recursive: true });
  const ext = EXTENSIONS[options.contentType.split(';')[0].trim().toLowerCase()] ?? 'bin';
  const safeName = encodeURIComponent(options.callId).replaceAll('%', '_');
  const path = join(dir, `${safeName}.${ext}`);
  const temp = `${path}.upload-${process.pid}-${Date.now()}`;
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
  return { callId: options.callId, recording: path, bytes };
}
