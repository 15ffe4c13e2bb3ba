import { lookup } from 'node:dns/promises';
import { createWriteStream } from 'node:fs';
import { mkdtemp, realpath, rm, stat } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { recordingFetchDefaults } from '../../models/config.ts';
import { isLexicallyInside, realPathInside } from '../../models/is-inside.ts';
import {
  checkRecordingUrl,
  checkResolvedAddresses,
  displayUrl,
  maxRecordingRedirects,
  type HostRule,
  type ResolvedAddress,
} from '../../models/recording-url-policy.ts';
import { RecordingError } from './recording-error.ts';

export interface FetchRecordingOptions {
  /** Local recordings must live under this directory (after resolving symlinks). */
  storageRoot: string;
  /** CALLQA_RECORDING_HOSTS: where URLs may be fetched from. Unset or empty: nowhere. */
  recordingHosts?: readonly HostRule[];
  /** Where downloads go; defaults to the OS temp dir. */
  tmpDir?: string;
  /** Whole-download deadline, DNS to last byte, redirects included (default: config's). */
  timeoutMs?: number;
  /** Downloads larger than this are refused (Content-Length up front, counted bytes otherwise). */
  maxBytes?: number;
  /** DNS; tests give names their own answers. Default: the system resolver. */
  resolveHost?: (name: string) => Promise<ResolvedAddress[]>;
}

export interface FetchedRecording {
  /** A local file ffmpeg can read. */
  path: string;
  bytes: number;
  downloaded: boolean;
  /** Deletes the temporary download; a no-op for local files. Safe to call twice. */
  release(): Promise<void>;
}

/** Turns a call's recording location (path under the storage root, file: or http(s) URL) into a local file. */
export async function fetchRecording(
  location: string,
  options: FetchRecordingOptions,
): Promise<FetchedRecording> {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(location)?.[1]?.toLowerCase();
  if (scheme === 'file') return localRecording(filePath(location), options.storageRoot);
  // Every other scheme goes to the URL policy, which fetches http(s) only. One-letter "schemes" are drive letters.
  if (scheme && scheme.length > 1) return download(location, options);
  return localRecording(location, options.storageRoot);
}

function filePath(location: string): string {
  try {
    return fileURLToPath(location);
  } catch (error) {
    // file://otherhost/… is a network share: not a local file under the root.
    throw new RecordingError('url_not_allowed', `recording ${displayUrl(location)} is not a local file URL`, {
      cause: error,
    });
  }
}

async function localRecording(location: string, storageRoot: string): Promise<FetchedRecording> {
  const lexicalRoot = resolve(storageRoot);
  const realRoot = await realpath(lexicalRoot);
  const candidate = resolve(lexicalRoot, location);
  // Checked before touching the file so "../../etc/passwd" is refused without revealing whether it exists.
  if (!isLexicallyInside(lexicalRoot, candidate) && !isLexicallyInside(realRoot, candidate)) {
    throw new RecordingError('path_escape', `recording path ${location} is outside the storage root`);
  }
  let real: string | undefined;
  try {
    real = await realPathInside(realRoot, candidate);
  } catch (error) {
    throw new RecordingError('not_found', `recording ${location} does not exist`, { cause: error });
  }
  if (!real) {
    throw new RecordingError(
      'path_escape',
      `recording ${location} is a link to a file outside the storage root`,
    );
  }
  const info = await stat(real);
  if (!info.isFile()) throw new RecordingError('not_found', `recording ${location} is not a regular file`);
  return { path: real, bytes: info.size, downloaded: false, release: async () => {} };
}

async function download(location: string, options: FetchRecordingOptions): Promise<FetchedRecording> {
  const rules = options.recordingHosts ?? [];
  const maxBytes = options.maxBytes ?? recordingFetchDefaults.maxMb * 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? recordingFetchDefaults.timeoutS * 1000;
  const resolveHost = options.resolveHost ?? systemResolve;
  // Refused before a temp dir, a DNS query or a socket exists.
  const first = checkRecordingUrl(location, rules);
  if (!first.ok) throw new RecordingError('url_not_allowed', first.reason);
  const shown = displayUrl(first.url.href);
  const deadline = AbortSignal.timeout(timeoutMs);
  const dir = await mkdtemp(join(options.tmpDir ?? tmpdir(), 'callqa-recording-'));
  const release = () => rm(dir, { recursive: true, force: true });
  // The extension is only a hint for humans reading the temp dir; decoding goes by content.
  const path = join(dir, `recording${safeExtension(first.url)}`);
  try {
    const response = await followRedirects(first.url.href, rules, resolveHost, deadline, timeoutMs);
    if (response.statusCode === undefined || response.statusCode < 200 || response.statusCode > 299) {
      response.destroy();
      throw httpError(response.statusCode ?? 0, shown);
    }
    const declared = Number(response.headers['content-length'] ?? NaN);
    if (declared > maxBytes) {
      response.destroy();
      throw tooLarge(shown, maxBytes);
    }
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        done(bytes > maxBytes ? tooLarge(shown, maxBytes) : null, chunk);
      },
    });
    await pipeline(response, counter, createWriteStream(path), { signal: deadline }).catch(
      (error: unknown) => {
        throw error instanceof RecordingError ? error : networkError(error, shown, timeoutMs, deadline);
      },
    );
    if (bytes === 0) throw new RecordingError('empty', `download of ${shown} is empty (0 bytes)`);
    return { path, bytes, downloaded: true, release };
  } catch (error) {
    await release();
    throw error;
  }
}

/**
 * GETs the URL, following at most maxRecordingRedirects redirects by hand:
 * every hop goes through the whole policy again (allow-list, DNS, each
 * address), and the socket connects only to the addresses just checked.
 */
async function followRedirects(
  start: string,
  rules: readonly HostRule[],
  resolveHost: (name: string) => Promise<ResolvedAddress[]>,
  deadline: AbortSignal,
  timeoutMs: number,
): Promise<IncomingMessage> {
  let location = start;
  for (let hop = 0; ; hop++) {
    const check = checkRecordingUrl(location, rules);
    if (!check.ok) throw new RecordingError('url_not_allowed', check.reason);
    const shown = displayUrl(check.url.href);
    let pinned: ResolvedAddress[] = [];
    if (check.host.name) {
      const answers = await beforeDeadline(resolveHost(check.host.name), deadline).catch((error: unknown) => {
        throw networkError(error, shown, timeoutMs, deadline);
      });
      const verdict = checkResolvedAddresses(check.url, check.host, answers, rules);
      if (!verdict.ok) throw new RecordingError('url_not_allowed', verdict.reason);
      pinned = verdict.addresses;
    }
    const response = await get(check.url, pinned, deadline).catch((error: unknown) => {
      throw networkError(error, shown, timeoutMs, deadline);
    });
    const next = response.headers.location;
    if (!isRedirect(response.statusCode) || !next) return response;
    response.destroy();
    if (hop === maxRecordingRedirects) {
      throw new RecordingError(
        'too_many_redirects',
        `download of ${displayUrl(start)} redirected more than ${maxRecordingRedirects} times`,
      );
    }
    location = URL.canParse(next, check.url) ? new URL(next, check.url).href : next;
  }
}

function get(url: URL, pinned: ResolvedAddress[], signal: AbortSignal): Promise<IncomingMessage> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      {
        // No pooled sockets: a kept-alive connection would skip the checks of the next hop.
        agent: false,
        signal,
        headers: { 'user-agent': 'callqa', accept: '*/*' },
        // Names connect to the checked addresses only (no second DNS answer). An address URL needs no lookup.
        ...(pinned.length > 0 ? { lookup: pinnedLookup(pinned) } : {}),
      },
      resolve,
    );
    request.on('error', reject);
    request.end();
  });
}

function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    const usable = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
    if (usable.length === 0) {
      callback(Object.assign(new Error('no checked address of that family'), { code: 'ENOTFOUND' }), '', 0);
    } else if (options.all) {
      callback(null, usable);
    } else {
      callback(null, usable[0].address, usable[0].family);
    }
  };
}

async function systemResolve(name: string): Promise<ResolvedAddress[]> {
  const answers = await lookup(name, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
}

/** DNS cannot be cancelled; the download's deadline still holds while it hangs. */
function beforeDeadline<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function isRedirect(status: number | undefined): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function safeExtension(url: URL): string {
  const ext = extname(url.pathname).toLowerCase();
  return /^\.[a-z0-9]{1,5}$/.test(ext) ? ext : '';
}

function tooLarge(shown: string, maxBytes: number): RecordingError {
  return new RecordingError('too_large', `download of ${shown} exceeds the ${maxBytes}-byte cap`);
}

function httpError(status: number, shown: string): RecordingError {
  const message = `download of ${shown} failed: HTTP ${status}`;
  if (status === 404 || status === 410) return new RecordingError('http_404', message);
  if (status === 408) return new RecordingError('timeout', message);
  if (status === 429) return new RecordingError('http_429', message);
  if (status >= 500) return new RecordingError('http_5xx', message);
  return new RecordingError('http_4xx', message);
}

/** Socket and DNS trouble on an allowed host: the deadline passing is a timeout, the rest unreachable. */
function networkError(
  error: unknown,
  shown: string,
  timeoutMs: number,
  deadline: AbortSignal,
): RecordingError {
  const code = (error as { code?: string } | null)?.code;
  if (deadline.aborted || code === 'ETIMEDOUT') {
    return new RecordingError('timeout', `download of ${shown} took longer than ${timeoutMs} ms`, {
      cause: error,
    });
  }
  const detail = code ?? (error instanceof Error ? error.message : String(error));
  return new RecordingError('unreachable', `cannot download ${shown}: ${detail}`, { cause: error });
}
