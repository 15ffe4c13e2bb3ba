import { createWriteStream } from 'node:fs';
import { mkdtemp, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { RecordingError } from './recording-error.ts';

export interface FetchRecordingOptions {
  /** Local recordings must live under this directory (after resolving symlinks). */
  storageRoot: string;
  /** Where downloads go; defaults to the OS temp dir. */
  tmpDir?: string;
  /** Whole-download deadline, connect to last byte. */
  timeoutMs?: number;
  /** Downloads larger than this are refused (Content-Length up front, counted bytes otherwise). */
  maxBytes?: number;
}

export interface FetchedRecording {
  /** A local file ffmpeg can read. */
  path: string;
  bytes: number;
  downloaded: boolean;
  /** Deletes the temporary download; a no-op for local files. Safe to call twice. */
  release(): Promise<void>;
}

const defaultTimeoutMs = 120_000;
const defaultMaxBytes = 512 * 1024 * 1024;

/** Turns a call's recording location (path under the storage root, file: or http(s) URL) into a local file. */
export async function fetchRecording(
  location: string,
  options: FetchRecordingOptions,
): Promise<FetchedRecording> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(location)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') return download(location, options);
  if (scheme === 'file') return localRecording(fileURLToPath(location), options.storageRoot);
  // One-letter "schemes" are Windows drive letters, i.e. paths.
  if (scheme && scheme.length > 1) {
    throw new RecordingError('bad_location', `unsupported recording location scheme "${scheme}:"`);
  }
  return localRecording(location, options.storageRoot);
}

async function localRecording(location: string, storageRoot: string): Promise<FetchedRecording> {
  const lexicalRoot = resolve(storageRoot);
  const realRoot = await realpath(lexicalRoot);
  const candidate = resolve(lexicalRoot, location);
  // Checked before touching the file so "../../etc/passwd" is refused without revealing whether it exists.
  if (!isInside(lexicalRoot, candidate) && !isInside(realRoot, candidate)) {
    throw new RecordingError('path_escape', `recording path ${location} is outside the storage root`);
  }
  let real: string;
  try {
    real = await realpath(candidate);
  } catch (error) {
    throw new RecordingError('not_found', `recording ${location} does not exist`, { cause: error });
  }
  if (!isInside(realRoot, real)) {
    throw new RecordingError(
      'path_escape',
      `recording ${location} is a link to a file outside the storage root`,
    );
  }
  const info = await stat(real);
  if (!info.isFile()) throw new RecordingError('not_found', `recording ${location} is not a regular file`);
  return { path: real, bytes: info.size, downloaded: false, release: async () => {} };
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

async function download(url: string, options: FetchRecordingOptions): Promise<FetchedRecording> {
  const maxBytes = options.maxBytes ?? defaultMaxBytes;
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  if (!URL.canParse(url)) throw new RecordingError('bad_location', `recording URL ${url} is not a valid URL`);
  const dir = await mkdtemp(join(options.tmpDir ?? tmpdir(), 'callqa-recording-'));
  const release = () => rm(dir, { recursive: true, force: true });
  // The extension is only a hint for humans reading the temp dir; decoding goes by content.
  const path = join(dir, `recording${safeExtension(url)}`);
  try {
    const signal = AbortSignal.timeout(timeoutMs);
    const response = await fetch(url, { signal, redirect: 'follow' }).catch((error: unknown) => {
      throw networkError(error, url, timeoutMs);
    });
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      throw httpError(response.status, url);
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) {
      await response.body?.cancel().catch(() => {});
      throw tooLarge(url, maxBytes);
    }
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        done(bytes > maxBytes ? tooLarge(url, maxBytes) : null, chunk);
      },
    });
    if (!response.body) throw new RecordingError('empty', `download of ${url} has no body`);
    await pipeline(
      Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>),
      counter,
      createWriteStream(path),
    ).catch((error: unknown) => {
      throw error instanceof RecordingError ? error : networkError(error, url, timeoutMs);
    });
    if (bytes === 0) throw new RecordingError('empty', `download of ${url} is empty (0 bytes)`);
    return { path, bytes, downloaded: true, release };
  } catch (error) {
    await release();
    throw error;
  }
}

function safeExtension(url: string): string {
  const ext = extname(new URL(url).pathname).toLowerCase();
  return /^\.[a-z0-9]{1,5}$/.test(ext) ? ext : '';
}

function tooLarge(url: string, maxBytes: number): RecordingError {
  return new RecordingError('too_large', `download of ${url} exceeds the ${maxBytes}-byte cap`);
}

function httpError(status: number, url: string): RecordingError {
  const message = `download of ${url} failed: HTTP ${status}`;
  if (status === 404 || status === 410) return new RecordingError('http_404', message);
  if (status === 408) return new RecordingError('timeout', message);
  if (status === 429) return new RecordingError('http_429', message);
  if (status >= 500) return new RecordingError('http_5xx', message);
  return new RecordingError('http_4xx', message);
}

const timeoutCauses = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/** fetch reports network trouble as TypeError('fetch failed') with the socket error as cause. */
function networkError(error: unknown, url: string, timeoutMs: number): RecordingError {
  const name = (error as { name?: string } | null)?.name;
  const cause = (error as { cause?: { code?: string; name?: string } } | null)?.cause;
  if (name === 'TimeoutError' || cause?.name === 'TimeoutError' || timeoutCauses.has(cause?.code ?? '')) {
    return new RecordingError('timeout', `download of ${url} took longer than ${timeoutMs} ms`, {
      cause: error,
    });
  }
  const detail = cause?.code ?? (error instanceof Error ? error.message : String(error));
  return new RecordingError('unreachable', `cannot download ${url}: ${detail}`, { cause: error });
}
