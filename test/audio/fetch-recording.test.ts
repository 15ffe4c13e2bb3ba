import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRecordingHosts, type HostRule } from '../../models/recording-url-policy.ts';
import { fetchRecording } from '../../workers/audio/fetch-recording.ts';
import { RecordingError } from '../../workers/audio/recording-error.ts';
import { freePort } from '../helpers/free-port.ts';

let dir: string;
let root: string;
let server: Server;
let base: string;
let closedPort: number;
/** The test server and a port nobody listens on, named explicitly: loopback is never allowed otherwise. */
let hosts: HostRule[];
const body = Buffer.alloc(10_000, 7);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'callqa-fetch-'));
  root = join(dir, 'storage');
  await mkdir(join(root, '2024'), { recursive: true });
  await writeFile(join(root, '2024', 'call.wav'), body);
  await writeFile(join(root, '..call.wav'), body);
  await writeFile(join(dir, 'secret.txt'), 'outside');
  await symlink(join(dir, 'secret.txt'), join(root, 'link.wav'));
  server = createServer((req, res) => {
    if (req.url === '/call.wav') res.end(body);
    else if (req.url === '/big.wav') res.writeHead(200, { 'content-length': String(body.length) }).end(body);
    else if (req.url === '/chunked-big.wav') {
      res.writeHead(200);
      res.write(body);
      res.end(body);
    } else if (req.url === '/slow.wav')
      res.writeHead(200).write('RIFF'); // never ends
    else if (req.url === '/boom.wav') res.writeHead(503).end();
    else if (req.url === '/forbidden.wav') res.writeHead(403).end();
    else if (req.url === '/empty.wav') res.writeHead(200).end();
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  closedPort = await freePort();
  hosts = parseRecordingHosts(`127.0.0.1:${port},127.0.0.1:${closedPort}`).rules;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function failure(location: string, options: Partial<Parameters<typeof fetchRecording>[1]> = {}) {
  const error = await fetchRecording(location, {
    storageRoot: root,
    tmpDir: dir,
    recordingHosts: hosts,
    ...options,
  }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RecordingError);
  return error as RecordingError;
}

describe('fetchRecording: local paths', () => {
  it('resolves a relative path, an absolute path and a file: URL under the storage root', async () => {
    for (const location of [
      '2024/call.wav',
      join(root, '2024/call.wav'),
      `file://${join(root, '2024/call.wav')}`,
    ]) {
      const got = await fetchRecording(location, { storageRoot: root });
      expect(got).toMatchObject({ bytes: body.length, downloaded: false });
      expect(got.path.endsWith('/2024/call.wav')).toBe(true);
      await got.release();
      expect(existsSync(got.path)).toBe(true);
    }
  });

  it('reads a file whose name begins with ".." (a name, not a step up)', async () => {
    const got = await fetchRecording('..call.wav', { storageRoot: root });
    expect(got).toMatchObject({ bytes: body.length, downloaded: false });
    expect(got.path).toBe(join(await realpath(root), '..call.wav'));
  });

  it('rejects path escapes and links pointing outside, as permanent errors', async () => {
    for (const location of [
      '../secret.txt',
      '../../etc/passwd',
      '/etc/passwd',
      '2024/../../secret.txt',
      '.',
      '..',
    ]) {
      const error = await failure(location);
      expect(error.code).toBe('path_escape');
      expect(error.permanent).toBe(true);
    }
    const link = await failure('link.wav');
    expect(link.code).toBe('path_escape');
    expect(link.message).toMatch(/link to a file outside/);
  });

  it('reports a missing file or a directory as not_found', async () => {
    expect((await failure('2024/missing.wav')).code).toBe('not_found');
    expect((await failure('2024')).code).toBe('not_found');
  });

  it('refuses other schemes and remote file: URLs with url_not_allowed', async () => {
    for (const location of [
      's3://bucket/call.wav',
      'ftp://127.0.0.1/call.wav',
      'file://fileserver/share/call.wav',
    ]) {
      const error = await failure(location);
      expect([error.code, error.permanent]).toEqual(['url_not_allowed', true]);
    }
  });
});

describe('fetchRecording: http(s) URLs (local server on 127.0.0.1 only)', () => {
  it('downloads to a temp file that release() deletes', async () => {
    const got = await fetchRecording(`${base}/call.wav`, {
      storageRoot: root,
      tmpDir: dir,
      recordingHosts: hosts,
    });
    expect(got).toMatchObject({ bytes: body.length, downloaded: true });
    expect(await readFile(got.path)).toEqual(body);
    await got.release();
    expect(existsSync(got.path)).toBe(false);
  });

  it('classifies HTTP failures: 404 and other 4xx permanent, 5xx transient', async () => {
    const notFound = await failure(`${base}/missing.wav`);
    expect([notFound.code, notFound.permanent]).toEqual(['http_404', true]);
    const forbidden = await failure(`${base}/forbidden.wav`);
    expect([forbidden.code, forbidden.permanent]).toEqual(['http_4xx', true]);
    const boom = await failure(`${base}/boom.wav`);
    expect([boom.code, boom.permanent]).toEqual(['http_5xx', false]);
    expect((await failure(`${base}/empty.wav`)).code).toBe('empty');
  });

  it('refuses downloads over the byte cap, declared or streamed, and leaves no temp file', async () => {
    const declared = await failure(`${base}/big.wav`, { maxBytes: 5_000 });
    expect([declared.code, declared.permanent]).toEqual(['too_large', true]);
    const streamed = await failure(`${base}/chunked-big.wav`, { maxBytes: 15_000 });
    expect(streamed.code).toBe('too_large');
    expect((await readdir(dir)).filter((f) => f.startsWith('callqa-recording-'))).toEqual([]);
  });

  it('times out a stalled download (transient) and reports a refused connection as unreachable (transient)', async () => {
    const slow = await failure(`${base}/slow.wav`, { timeoutMs: 300 });
    expect([slow.code, slow.permanent]).toEqual(['timeout', false]);
    const refused = await failure(`http://127.0.0.1:${closedPort}/call.wav`);
    expect([refused.code, refused.permanent]).toEqual(['unreachable', false]);
    expect(refused.message).toMatch(/ECONNREFUSED/);
  });

  it('refuses the same server when the allow-list does not name it', async () => {
    for (const recordingHosts of [
      [],
      parseRecordingHosts('127.0.0.1').rules,
      parseRecordingHosts('localhost').rules,
    ]) {
      const error = await failure(`${base}/call.wav`, { recordingHosts });
      expect([error.code, error.permanent]).toEqual(['url_not_allowed', true]);
    }
  });

  it('keeps query strings (tokens) out of error messages', async () => {
    const error = await failure(`${base}/missing.wav?token=s3cret`);
    expect(error.code).toBe('http_404');
    expect(error.message).not.toMatch(/s3cret/);
  });
});
