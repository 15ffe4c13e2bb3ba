import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Socket, type AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ingestFile } from '../../api/ingest/ingest-file.ts';
import { ConfigError, loadConfig, recordingFetchDefaults } from '../../models/config.ts';
import { parseIp } from '../../models/ip-address.ts';
import { isInside, isLexicallyInside } from '../../models/is-inside.ts';
import {
  checkRecordingUrl,
  checkResolvedAddresses,
  maxRecordingRedirects,
  parseRecordingHosts,
  type HostRule,
  type ResolvedAddress,
} from '../../models/recording-url-policy.ts';
import { fetchRecording, type FetchRecordingOptions } from '../../workers/audio/fetch-recording.ts';
import { RecordingError } from '../../workers/audio/recording-error.ts';
import { fixture } from '../audio/media-paths.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { freePort } from '../helpers/free-port.ts';

/**
 * Bad recording locations and URLs, by interface: the policy (pure), the
 * worker's fetch (real sockets, 127.0.0.1 only) and ingest (real PostgreSQL).
 * The classes are listed in docs/reliability.md.
 */

/** A loopback HTTP server that records every connection and request it gets. */
interface TestServer {
  port: number;
  url: string;
  connections: number;
  requests: Array<{ url: string; headers: IncomingHttpHeaders }>;
  server: Server;
}

async function startServer(handle?: (url: string, res: import('node:http').ServerResponse) => void) {
  const state: TestServer = { port: 0, url: '', connections: 0, requests: [], server: createServer() };
  state.server.on('connection', () => (state.connections += 1));
  state.server.on('request', (req, res) => {
    state.requests.push({ url: req.url ?? '', headers: req.headers });
    handle?.(req.url ?? '', res); // no handler: never answers
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', resolve));
  state.port = (state.server.address() as AddressInfo).port;
  state.url = `http://127.0.0.1:${state.port}`;
  return state;
}

let dir: string;
let wav: Buffer;
let recordings: TestServer; // allowed in most tests; serves the fixture and redirects
let other: TestServer; // never on the allow-list
let silent: TestServer; // accepts connections, never answers
let closedPort: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'callqa-ssrf-'));
  wav = await readFile(fixture('stereo-pcm.wav'));
  other = await startServer((_url, res) => res.end(wav));
  silent = await startServer();
  closedPort = await freePort();
  recordings = await startServer((url, res) => {
    const chain = /^\/chain\/(\d+)$/.exec(url);
    const redirect = (to: string) => res.writeHead(302, { location: to }).end();
    if (url === '/call.wav') res.writeHead(200, { 'content-type': 'audio/wav' }).end(wav);
    else if (chain) redirect(Number(chain[1]) === 0 ? '/call.wav' : `/chain/${Number(chain[1]) - 1}`);
    else if (url === '/loop') redirect('/loop');
    else if (url.startsWith('/to?')) redirect(decodeURIComponent(url.slice(4)));
    else res.writeHead(404).end();
  });
});

afterAll(async () => {
  for (const s of [recordings, other, silent]) {
    s.server.closeAllConnections();
    await new Promise((resolve) => s.server.close(resolve));
  }
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
});

const hostsOf = (text: string): HostRule[] => {
  const { rules, problems } = parseRecordingHosts(text);
  expect(problems).toEqual([]);
  return rules;
};

/** DNS that answers only the names given, and counts the questions. */
function fakeDns(answers: Record<string, string[]>) {
  const asked: string[] = [];
  const resolveHost = (name: string): Promise<ResolvedAddress[]> => {
    asked.push(name);
    const list = answers[name];
    if (!list) return Promise.reject(Object.assign(new Error(`ENOTFOUND ${name}`), { code: 'ENOTFOUND' }));
    return Promise.resolve(list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };
  return { asked, resolveHost };
}

async function fetchError(url: string, options: Partial<FetchRecordingOptions>): Promise<RecordingError> {
  const error = await fetchRecording(url, { storageRoot: dir, tmpDir: dir, ...options }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RecordingError);
  return error as RecordingError;
}

/** Any socket connect while this is on fails the test: refusal must come before the network. */
function forbidConnections() {
  return vi.spyOn(Socket.prototype, 'connect').mockImplementation(() => {
    throw new Error('a refused URL must not open a socket');
  });
}

const long = `http://127.0.0.1/${'a'.repeat(2100)}.wav`;

/** Refused by the checks without network, whatever the allow-list names on loopback. */
const refusedWithoutNetwork: Array<[string, (port: number) => string]> = [
  ['IPv6 loopback', () => 'http://[::1]/call.wav'],
  ['IPv6 loopback on the allowed port', (p) => `http://[::1]:${p}/call.wav`],
  ['IPv4-mapped IPv6 loopback', (p) => `http://[::ffff:127.0.0.1]:${p + 1}/call.wav`],
  ['unspecified 0.0.0.0', (p) => `http://0.0.0.0:${p}/call.wav`],
  ['unspecified ::', () => 'http://[::]/call.wav'],
  ['cloud metadata 169.254.169.254', () => 'http://169.254.169.254/latest/meta-data/'],
  ['metadata as IPv4-mapped IPv6', () => 'http://[::ffff:a9fe:a9fe]/latest/meta-data/'],
  ['Alibaba Cloud metadata', () => 'http://100.100.100.200/latest/meta-data/'],
  ['AWS IPv6 metadata', () => 'http://[fd00:ec2::254]/latest/meta-data/'],
  ['decimal IPv4 (2130706433)', () => 'http://2130706433/call.wav'],
  ['octal IPv4 (0177.0.0.1)', () => 'http://0177.0.0.1/call.wav'],
  ['hex IPv4 (0x7f.1)', () => 'http://0x7f.1/call.wav'],
  ['another loopback address', (p) => `http://127.0.0.2:${p}/call.wav`],
  ['allowed address, other port', (p) => `http://127.0.0.1:${p + 1}/call.wav`],
  ['allowed address, default port', () => 'http://127.0.0.1/call.wav'],
  ['localhost by name', (p) => `http://localhost:${p}/call.wav`],
  ['userinfo', () => 'http://a@b/call.wav'],
  ['userinfo before the allowed host', (p) => `http://user:pw@127.0.0.1:${p}/call.wav`],
  ['file: URL', () => 'file:///etc/passwd'],
  ['ftp:', (p) => `ftp://127.0.0.1:${p}/call.wav`],
  ['gopher:', (p) => `gopher://127.0.0.1:${p}/_GET%20/`],
  ['dict:', (p) => `dict://127.0.0.1:${p}/info`],
  ['data:', () => 'data:audio/wav;base64,UklGRg=='],
  ['newline inside', (p) => `http://127.0.0.1:${p}/call.wav\nHost: evil`],
  ['space inside', (p) => `http://127.0.0.1:${p}/call .wav`],
  ['longer than 2048 characters', () => long],
  ['empty host', () => 'http://:80/call.wav'],
  ['not a URL', () => 'http://[::1/call.wav'],
];

describe('the URL policy refuses without any network use', () => {
  it.each(refusedWithoutNetwork)('%s', (_name, make) => {
    for (const rules of [[], hostsOf(`127.0.0.1:${recordings.port}`)]) {
      const check = checkRecordingUrl(make(recordings.port), rules);
      expect(check).toMatchObject({ ok: false, code: 'url_not_allowed' });
    }
  });

  it('an empty allow-list refuses every URL, the plainest included', () => {
    expect(checkRecordingUrl(`${recordings.url}/call.wav`, [])).toMatchObject({ ok: false });
    expect(checkRecordingUrl('https://recordings.example.com/a.wav', [])).toMatchObject({ ok: false });
  });

  it.each([
    ['exact name', 'rec.example.com', 'https://rec.example.com/a.wav', true],
    ['exact name is not its subdomains', 'rec.example.com', 'https://x.rec.example.com/a.wav', false],
    ['exact name with port', 'rec.example.com:8080', 'http://rec.example.com:8080/a.wav', true],
    ['port must match', 'rec.example.com:8080', 'http://rec.example.com:8081/a.wav', false],
    ['no port: 80 and 443 only', 'rec.example.com', 'http://rec.example.com:8080/a.wav', false],
    ['wildcard', '*.example.com', 'https://a.b.example.com/a.wav', true],
    ['wildcard is not the name itself', '*.example.com', 'https://example.com/a.wav', false],
    ['wildcard is a label boundary', '*.example.com', 'https://badexample.com/a.wav', false],
    ['trailing dot and case', 'rec.example.com', 'https://REC.Example.com./a.wav', true],
    ['range', '10.1.0.0/16:8080', 'http://10.1.200.3:8080/a.wav', true],
    ['outside the range', '10.1.0.0/16:8080', 'http://10.2.0.1:8080/a.wav', false],
    ['a name never matches an address rule', '10.1.0.0/16', 'http://intranet/a.wav', false],
    ['an address never matches a name rule', 'localhost', 'http://127.0.0.1/a.wav', false],
  ])('allow-list rule: %s', (_name, list, url, allowed) => {
    expect(checkRecordingUrl(url, hostsOf(list)).ok).toBe(allowed);
  });

  it.each([
    ['a b', /not a host name/],
    ['*', /not a host name/],
    ['a.*.com', /not a host name/],
    ['::1', /brackets/],
    ['2130706433', /four decimal numbers/],
    ['0177.0.0.1', /four decimal numbers/],
    ['10.0.0.0/33', /prefix/],
    ['host:0', /port/],
    ['host:99999', /expected|port/],
    ['host/8', /needs an IP address/],
  ])('CALLQA_RECORDING_HOSTS entry %j is a configuration problem', (entry, problem) => {
    const { rules, problems } = parseRecordingHosts(`ok.example.com,${entry}`);
    expect(rules).toHaveLength(1);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });
});

describe('configuration', () => {
  it('no CALLQA_RECORDING_HOSTS means no host; fetch limits come from the one set of defaults', () => {
    const config = loadConfig({ CALLQA_RECORDING_HOSTS: '' });
    expect(config.recordingHosts).toEqual([]);
    expect(config.media.fetchTimeoutMs).toBe(recordingFetchDefaults.timeoutS * 1000);
    expect(config.media.fetchMaxBytes).toBe(recordingFetchDefaults.maxMb * 1024 * 1024);
  });

  it('every bad CALLQA_RECORDING_HOSTS entry is reported at start-up, with the fix', () => {
    const error = (() => {
      try {
        loadConfig({ CALLQA_RECORDING_HOSTS: 'pbx.example.com:8080, ::1, a b' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/CALLQA_RECORDING_HOSTS: "::1": .*brackets.*e\.g\. pbx\.example\.com:8080/);
    expect(problems[1]).toMatch(/"a b": not a host name/);
  });
});

describe('the URL policy after DNS', () => {
  const at = (list: string[]): ResolvedAddress[] =>
    list.map((address) => ({ address, family: parseIp(address)!.version }));
  const verdict = (hosts: string, url: string, addresses: string[]) => {
    const rules = hostsOf(hosts);
    const check = checkRecordingUrl(url, rules);
    if (!check.ok) throw new Error(check.reason);
    return checkResolvedAddresses(check.url, check.host, at(addresses), rules).ok;
  };

  it.each([
    ['public address, exact name', 'rec.example.com', ['203.0.114.7'], true],
    ['public address, wildcard', '*.example.com', ['2606:4700::1'], true],
    ['private address, exact name (an internal recording server)', 'rec.example.com', ['10.1.2.3'], true],
    ['private IPv6 (fc00::/7), exact name', 'rec.example.com', ['fd12::3'], true],
    ['private address, wildcard', '*.example.com', ['192.168.1.9'], false],
    ['private address, wildcard, range listed', '*.example.com, 192.168.1.0/24:443', ['192.168.1.9'], true],
    ['loopback, exact name', 'rec.example.com', ['127.0.0.1'], false],
    ['IPv6 loopback, exact name', 'rec.example.com', ['::1'], false],
    ['IPv4-mapped loopback, exact name', 'rec.example.com', ['::ffff:127.0.0.1'], false],
    ['NAT64 loopback, exact name', 'rec.example.com', ['64:ff9b::7f00:1'], false],
    ['6to4 loopback, exact name', 'rec.example.com', ['2002:7f00:1::1'], false],
    ['metadata, exact name', 'rec.example.com', ['169.254.169.254'], false],
    ['Alibaba metadata, exact name', 'rec.example.com', ['100.100.100.200'], false],
    ['link-local, exact name', 'rec.example.com', ['fe80::1'], false],
    ['unspecified, exact name', 'rec.example.com', ['0.0.0.0'], false],
    ['multicast, exact name', 'rec.example.com', ['224.0.0.1'], false],
    ['public and loopback in one answer', 'rec.example.com', ['203.0.114.7', '127.0.0.1'], false],
    ['no address at all', 'rec.example.com', [], false],
    ['loopback, address listed with the port', 'rec.example.com, 127.0.0.1:443', ['127.0.0.1'], true],
    ['loopback, address listed on another port', 'rec.example.com, 127.0.0.1:8443', ['127.0.0.1'], false],
  ])('%s', (_name, hosts, addresses, allowed) => {
    expect(verdict(hosts, 'https://rec.example.com/a.wav', addresses)).toBe(allowed);
  });
});

describe('fetchRecording: refused before any connection', () => {
  it.each(refusedWithoutNetwork)('%s', async (name, make) => {
    const dns = fakeDns({});
    const connect = forbidConnections();
    const error = await fetchError(make(recordings.port), {
      recordingHosts: hostsOf(`127.0.0.1:${recordings.port}`),
      resolveHost: dns.resolveHost,
    });
    // The worker reads file: URLs as local paths, under the storage root only.
    const code = name === 'file: URL' ? 'path_escape' : 'url_not_allowed';
    expect([error.code, error.permanent]).toEqual([code, true]);
    expect(connect).not.toHaveBeenCalled();
    expect(dns.asked).toEqual([]);
  });

  it('with an empty allow-list a live server, a silent one and a closed port look the same, and none is contacted', async () => {
    const before = [recordings, silent].map((s) => s.connections);
    const errors = await Promise.all(
      [recordings.port, silent.port, closedPort].map((port) =>
        fetchError(`http://127.0.0.1:${port}/call.wav`, { recordingHosts: [] }),
      ),
    );
    expect(errors.map((e) => e.code)).toEqual(['url_not_allowed', 'url_not_allowed', 'url_not_allowed']);
    const shapes = errors.map((e, i) =>
      e.message.replaceAll(String([recordings.port, silent.port, closedPort][i]), 'PORT'),
    );
    expect(new Set(shapes).size).toBe(1);
    expect([recordings, silent].map((s) => s.connections)).toEqual(before);
  });

  it('a name on a wildcard that resolves to loopback is refused after DNS, before connecting', async () => {
    const dns = fakeDns({ 'rec.example.test': ['127.0.0.1'] });
    const connect = forbidConnections();
    const error = await fetchError(`http://rec.example.test:${recordings.port}/call.wav`, {
      recordingHosts: hostsOf(`*.example.test:${recordings.port}`),
      resolveHost: dns.resolveHost,
    });
    expect(error.code).toBe('url_not_allowed');
    expect(error.message).not.toMatch(/127\.0\.0\.1|loopback/);
    expect(dns.asked).toEqual(['rec.example.test']);
    expect(connect).not.toHaveBeenCalled();
  });

  it('localhost named exactly is still refused: loopback needs the address itself listed', async () => {
    const dns = fakeDns({ localhost: ['127.0.0.1', '::1'] });
    const connect = forbidConnections();
    const error = await fetchError(`http://localhost:${recordings.port}/call.wav`, {
      recordingHosts: hostsOf(`localhost:${recordings.port}`),
      resolveHost: dns.resolveHost,
    });
    expect(error.code).toBe('url_not_allowed');
    expect(connect).not.toHaveBeenCalled();
  });
});

describe('fetchRecording: allowed hosts, redirects (real loopback servers)', () => {
  const allowRecordings = () => hostsOf(`127.0.0.1:${recordings.port}`);

  it('fetches from 127.0.0.1:port when the allow-list names it', async () => {
    const got = await fetchRecording(`${recordings.url}/call.wav`, {
      storageRoot: dir,
      tmpDir: dir,
      recordingHosts: allowRecordings(),
    });
    expect(await readFile(got.path)).toEqual(wav);
    await got.release();
  });

  it('a name connects to the address it was checked at (pinned: DNS is asked once per hop)', async () => {
    const dns = fakeDns({ 'rec.example.test': ['127.0.0.1'] });
    const seen = recordings.requests.length;
    const got = await fetchRecording(`http://rec.example.test:${recordings.port}/chain/1`, {
      storageRoot: dir,
      tmpDir: dir,
      recordingHosts: hostsOf(`rec.example.test:${recordings.port},127.0.0.1:${recordings.port}`),
      resolveHost: dns.resolveHost,
    });
    await got.release();
    // .test names do not resolve anywhere: the fetch used the checked answer, never a second lookup.
    expect(dns.asked).toEqual(['rec.example.test', 'rec.example.test', 'rec.example.test']);
    const hops = recordings.requests.slice(seen);
    expect(hops.map((r) => [r.url, r.headers.host])).toEqual([
      ['/chain/1', `rec.example.test:${recordings.port}`],
      ['/chain/0', `rec.example.test:${recordings.port}`],
      ['/call.wav', `rec.example.test:${recordings.port}`],
    ]);
  });

  it.each([
    ['another port on loopback', () => `http://127.0.0.1:${other.port}/call.wav`],
    ['another loopback address', () => `http://127.0.0.2:${other.port}/call.wav`],
    ['localhost', () => `http://localhost:${other.port}/call.wav`],
    ['IPv6 loopback', () => `http://[::1]:${other.port}/call.wav`],
    ['cloud metadata', () => 'http://169.254.169.254/latest/meta-data/iam/'],
    ['file:', () => 'file:///etc/passwd'],
    ['userinfo', () => `http://a@127.0.0.1:${recordings.port}/call.wav`],
  ])('a redirect from an allowed host to %s is refused and the target gets nothing', async (_n, target) => {
    const seen = other.connections;
    const error = await fetchError(`${recordings.url}/to?${encodeURIComponent(target())}`, {
      recordingHosts: allowRecordings(),
      resolveHost: fakeDns({}).resolveHost,
    });
    expect([error.code, error.permanent]).toEqual(['url_not_allowed', true]);
    expect(other.connections).toBe(seen);
  });

  it(`follows up to ${maxRecordingRedirects} redirects and stops a loop after that many`, async () => {
    const ok = await fetchRecording(`${recordings.url}/chain/${maxRecordingRedirects - 1}`, {
      storageRoot: dir,
      tmpDir: dir,
      recordingHosts: allowRecordings(),
    });
    await ok.release();
    const seen = recordings.requests.length;
    const loop = await fetchError(`${recordings.url}/loop`, { recordingHosts: allowRecordings() });
    expect([loop.code, loop.permanent]).toEqual(['too_many_redirects', true]);
    expect(recordings.requests.length - seen).toBe(maxRecordingRedirects + 1);
    const long = await fetchError(`${recordings.url}/chain/${maxRecordingRedirects}`, {
      recordingHosts: allowRecordings(),
    });
    expect(long.code).toBe('too_many_redirects');
  });

  it('an allowed host keeps its own codes: silent → timeout, closed port → unreachable (both transient)', async () => {
    const recordingHosts = hostsOf(`127.0.0.1:${silent.port},127.0.0.1:${closedPort}`);
    const slow = await fetchError(`${silent.url}/call.wav`, { recordingHosts, timeoutMs: 300 });
    expect([slow.code, slow.permanent]).toEqual(['timeout', false]);
    const refused = await fetchError(`http://127.0.0.1:${closedPort}/call.wav`, { recordingHosts });
    expect([refused.code, refused.permanent]).toEqual(['unreachable', false]);
  });
});

describe('recording paths: one isInside', () => {
  let root: string;
  beforeAll(async () => {
    root = join(dir, 'root');
    await mkdir(join(root, 'sub'), { recursive: true });
    for (const name of ['..call.wav', '...wav', 'sub/..x.wav']) await writeFile(join(root, name), 'RIFF');
    await writeFile(join(dir, 'outside.wav'), 'RIFF');
    await symlink(join(dir, 'outside.wav'), join(root, 'out-link.wav'));
    await symlink(join(root, '..call.wav'), join(root, 'in-link.wav'));
  });

  it.each([
    ['..call.wav', true],
    ['...wav', true],
    ['sub/..x.wav', true],
    ['in-link.wav', true],
    ['out-link.wav', false],
    ['.', false],
    ['sub/..', false],
    ['../outside.wav', false],
  ])('%s inside the root: %s', async (name, inside) => {
    expect(await isInside(root, join(root, name))).toBe(inside);
  });

  it('lexically: names beginning with ".." are inside, steps up and the root itself are not', () => {
    expect(isLexicallyInside('/r', '/r/..a')).toBe(true);
    expect(isLexicallyInside('/r', '/r/a/../..b')).toBe(true);
    expect(isLexicallyInside('/r', '/r')).toBe(false);
    expect(isLexicallyInside('/r', '/r/..')).toBe(false);
    expect(isLexicallyInside('/r', '/r/../r2/a')).toBe(false);
    expect(isLexicallyInside('/r', '/rx/a')).toBe(false);
  });
});

describe('ingest flags refused recordings and keeps the calls', () => {
  let db: TestDatabase;
  let root: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    root = join(dir, 'ingest-root');
    await mkdir(root);
    await writeFile(join(root, 'ok.wav'), 'RIFF....');
    await writeFile(join(root, '..ok.wav'), 'RIFF....');
    await writeFile(join(dir, 'secret.wav'), 'RIFF....');
    await symlink(join(dir, 'secret.wav'), join(root, 'link.wav'));
  });
  afterAll(() => db.drop());

  const refused: Array<[string, string, string]> = [
    ['metadata', 'http://169.254.169.254/latest/meta-data/', 'url_not_allowed'],
    ['decimal IP', 'http://2130706433/a.wav', 'url_not_allowed'],
    ['octal IP', 'http://0177.0.0.1/a.wav', 'url_not_allowed'],
    ['IPv6 loopback', 'http://[::1]/a.wav', 'url_not_allowed'],
    ['unspecified', 'http://0.0.0.0/a.wav', 'url_not_allowed'],
    ['userinfo', 'http://a@rec.example.com/a.wav', 'url_not_allowed'],
    ['host not listed', 'https://elsewhere.example.com/a.wav', 'url_not_allowed'],
    ['port not listed', 'https://rec.example.com:8443/a.wav', 'url_not_allowed'],
    ['file:', 'file:///etc/passwd', 'url_not_allowed'],
    ['ftp:', 'ftp://rec.example.com/a.wav', 'url_not_allowed'],
    ['gopher:', 'gopher://rec.example.com/_x', 'url_not_allowed'],
    ['path escape', '../secret.wav', 'path_escape'],
    ['absolute path outside', '/etc/passwd', 'path_escape'],
    ['link out of the root', 'link.wav', 'path_escape'],
    ['missing file', 'missing.wav', 'not_found'],
  ];

  it('each refused recording is flagged with its code beside a valid call that lands clean', async () => {
    const header = 'call_id,agent_id,started_at,duration_s,direction,recording';
    const rows = refused.flatMap(([, recording], i) => [
      `bad-${i},A1,2026-10-08T09:15:00+08:00,30,inbound,"${recording}"`,
      `good-${i},A1,2026-10-08T09:16:00+08:00,30,inbound,${i % 2 ? '..ok.wav' : 'https://rec.example.com/a.wav'}`,
    ]);
    const path = join(dir, 'calls.csv');
    await writeFile(path, [header, ...rows].join('\n'));
    const summary = await ingestFile(db.pool, path, {
      recordingRoots: [root],
      recordingHosts: hostsOf('rec.example.com'),
      now: new Date('2026-11-01T00:00:00Z'),
    });
    expect(summary.rejected).toEqual([]);
    expect(summary.inserted).toBe(refused.length * 2);
    expect(summary.flagged.map((f) => [f.callId, f.code])).toEqual(
      refused.map(([, , code], i) => [`bad-${i}`, code]),
    );
    const { rows: stored } = await db.pool.query<{ call_id: string; recording_status: string }>(
      'select call_id, recording_status from calls',
    );
    const status = Object.fromEntries(stored.map((r) => [r.call_id, r.recording_status]));
    refused.forEach((_, i) => {
      expect(status[`bad-${i}`]).toBe('unreadable');
      expect(status[`good-${i}`]).toBe(i % 2 ? 'ok' : 'remote');
    });
  });
});
