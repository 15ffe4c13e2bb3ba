/**
 * npm run bench:api [-- --keep DIR --rate 500 --connections 10 --duration 20 --warmup 3 --route NAME --profile DIR]
 *
 * Seeds a database of 1M calls (100k scored, see api-seed.ts), starts the real
 * API in a child process (test/bench/api-server.ts, LOG_LEVEL warn) on
 * loopback, and drives each read route of the review workspace with
 * autocannon — in a process of its own (api-load.ts) — at a fixed overall rate, requests varied
 * (cursors and filters, call ids, byte ranges). Prints per route the
 * latencies, the non-2xx count and the CPU time of the API process, of
 * PostgreSQL and of the load generator; exits 1 when a route misses p99 ≤ 50 ms or
 * answers anything but 2xx.
 *
 * --keep DIR seeds into DIR once and reuses it on later runs (the seed takes
 * minutes); without it everything lives in a temporary directory removed at
 * the end. DATABASE_URL, when set, is used instead of the embedded PostgreSQL
 * (it must point to an empty database the first time).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir, cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { addUser, createToken } from '../../api/services/account-service.ts';
import { withTransaction } from '../../models/db.ts';
import type { Role } from '../../models/permissions.ts';
import { findUser } from '../../models/user-repository.ts';
import { DEFAULT_SIZES, seedApiBench, SEED_VERSION, type SeedReport, type SeedSizes } from './api-seed.ts';
import { openBenchDatabase } from './bench-database.ts';
import { postgresCpuSeconds, processUsage } from './process-usage.ts';

const { values } = parseArgs({
  options: {
    keep: { type: 'string' },
    rate: { type: 'string', default: '500' },
    connections: { type: 'string', default: '10' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    route: { type: 'string', multiple: true },
    // Writes a V8 CPU profile of the API process (node --cpu-prof) into this directory.
    profile: { type: 'string' },
    calls: { type: 'string', default: String(DEFAULT_SIZES.calls) },
    scored: { type: 'string', default: String(DEFAULT_SIZES.scored) },
  },
});
const rate = Number(values.rate);
const connections = Number(values.connections);
const duration = Number(values.duration);
const warmup = Number(values.warmup);
const TARGET_P99_MS = 50;
const sizes: SeedSizes = { ...DEFAULT_SIZES, calls: Number(values.calls), scored: Number(values.scored) };

const log = (line: string) => process.stdout.write(`${line}\n`);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// ---------------------------------------------------------------- the seeded database

const dir = values.keep ? resolve(values.keep) : await mkdtemp(join(tmpdir(), 'callqa-bench-api-'));
const storageDir = join(dir, 'storage');
const marker = join(dir, 'seeded.json');
const seedKey = JSON.stringify({ version: SEED_VERSION, sizes });
const previous = await readFile(marker, 'utf8')
  .then((text) => JSON.parse(text) as { key: string; report: SeedReport })
  .catch(() => undefined);
const reuse = previous?.key === seedKey && !process.env.DATABASE_URL;
if (!reuse) {
  // A kept directory from another seed version (or a half-finished seed) starts over.
  await rm(join(dir, 'pg'), { recursive: true, force: true });
  await rm(storageDir, { recursive: true, force: true });
  await rm(marker, { force: true });
}
await mkdir(storageDir, { recursive: true });
const database = await openBenchDatabase(dir);
const pool = database.pool;

log(
  `bench:api — ${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
);
let seed: SeedReport;
if (reuse) {
  seed = previous.report;
  log(`seeded data reused from ${dir} (seeded in ${seed.seconds.toFixed(0)} s)`);
} else {
  log(
    `seeding ${sizes.calls.toLocaleString('en')} calls, ${sizes.scored.toLocaleString('en')} scored, into ${dir}`,
  );
  seed = await seedApiBench(pool, storageDir, sizes, log);
  await writeFile(marker, JSON.stringify({ key: seedKey, report: seed }));
  log(`seeding: ${seed.seconds.toFixed(1)} s`);
}
log(`seed: ${JSON.stringify(seed.counts)}`);

// ---------------------------------------------------------------- people

/** A user of this role (made once per seeded database) and a fresh API token for them. */
async function tokenFor(username: string, role: Role, teams: string[] = []): Promise<string> {
  const audit = { userId: null, name: 'cli:bench' };
  return withTransaction(pool, async (tx) => {
    if (!(await findUser(tx, username))) await addUser({ audit, tx }, { username, role, teams });
    return (await createToken({ audit, tx }, username)).token;
  });
}
// bench-qa is one of the plan's reviewers (api-seed.ts), so `assignee=me` has calls.
const qaToken = await tokenFor('bench-qa', 'qa');
const supervisorToken = await tokenFor('bench-supervisor', 'supervisor', ['T01', 'T02', 'T03']);

// ---------------------------------------------------------------- the API, in its own process

const server = await startServer();
log(`API: ${server.url} (pid ${server.child.pid}), LOG_LEVEL warn`);

async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const profile = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(values.profile)}`] : [];
  const child = spawn(
    process.execPath,
    [...profile, '--import', 'tsx', join(root, 'test/bench/api-server.ts')],
    {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        CALLQA_DATA_DIR: dir,
        CALLQA_STORAGE_DIR: storageDir,
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout!.setEncoding('utf8');
  const url = await new Promise<string>((resolveUrl, reject) => {
    child.once('exit', (code) => reject(new Error(`the API exited (${code}) before listening: ${output}`)));
    child.stdout!.on('data', (chunk: string) => {
      output += chunk;
      const match = /listening (\S+)/.exec(output);
      if (match) resolveUrl(match[1]);
    });
  });
  return { child, url };
}

// ---------------------------------------------------------------- what each route is asked

interface Request {
  path: string;
  headers: Record<string, string>;
}
interface RouteLoad {
  name: string;
  /** What the requests vary, for the report. */
  varies: string;
  requests: Request[];
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const asQa = bearer(qaToken);
const asSupervisor = bearer(supervisorToken);

async function column(sql: string, params: unknown[] = []): Promise<string[]> {
  const { rows } = await pool.query(sql, params);
  return rows.map((r) => String(Object.values(r)[0]));
}

/** GET with a token, as JSON; throws on a non-2xx answer (the bench's requests must all be valid). */
async function getJson<T>(path: string, headers: Record<string, string>): Promise<T> {
  const response = await fetch(`${server.url}${path}`, { headers });
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Follows nextCursor from each start, keeping every page's path (what a reviewer paging through asks). */
async function walkPages(
  starts: string[],
  cursorParam: string,
  headers: Record<string, string>,
  pagesEach: number,
): Promise<string[]> {
  const paths: string[] = [];
  for (const start of starts) {
    let path = start;
    for (let i = 0; i < pagesEach; i++) {
      paths.push(path);
      const page = await getJson<{ nextCursor: string | number | null }>(path, headers);
      if (page.nextCursor === null) break;
      const sep = start.includes('?') ? '&' : '?';
      path = `${start}${sep}${cursorParam}=${encodeURIComponent(String(page.nextCursor))}`;
    }
  }
  return paths;
}

async function samplingRunLoad(): Promise<RouteLoad> {
  const runs = await column(`select run_id from sampling_runs order by run_id`);
  const agents = await column(`select agent_id from agents order by hashtext(agent_id) limit 40`);
  const starts: string[] = [];
  for (const run of runs) {
    starts.push(`/sampling/runs/${run}?limit=50`);
    for (const reason of ['short_call', 'long_call', 'random_quota'])
      starts.push(`/sampling/runs/${run}?limit=50&reason=${reason}`);
    for (const agent of agents.slice(0, 10)) starts.push(`/sampling/runs/${run}?agent=${agent}`);
  }
  const qaPaths = await walkPages(starts, 'after', asQa, 10);
  // Cursors deep into the run: any pick is a valid cursor.
  const deep = await column(
    `select format('/sampling/runs/%s?limit=50&after=%s', run_id, call_id) from sample_items
     order by hashtext(call_id) limit 400`,
  );
  const supervisorPaths = await walkPages(
    runs.map((run) => `/sampling/runs/${run}?limit=50`),
    'after',
    asSupervisor,
    20,
  );
  return {
    name: 'GET /sampling/runs/:id',
    varies: `${runs.length} runs; first pages, next pages, filters by reason and agent; 20 % as a supervisor (3 teams)`,
    requests: interleave([
      ...qaPaths.map((path) => ({ path, headers: asQa })),
      ...deep.map((path) => ({ path, headers: asQa })),
      ...supervisorPaths.map((path) => ({ path, headers: asSupervisor })),
    ]),
  };
}

/** Spreads a list evenly (a fixed shuffle), so consecutive requests differ. */
function interleave<T>(list: T[]): T[] {
  const out = [...list];
  let seed = 12345;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

async function queueLoad(): Promise<RouteLoad> {
  const [first, second] = sizes.months;
  const agents = await column(`select agent_id from agents order by hashtext(agent_id) limit 5`);
  const qaStarts = [
    '/review/queue', // the default: the latest plan month, my calls, to do
    `/review/queue?month=${first}&status=all`,
    `/review/queue?month=${first}&status=reviewed&assignee=all`,
    `/review/queue?month=${second}&assignee=all`,
    `/review/queue?month=${second}&assignee=qa3&status=all`,
    `/review/queue?month=${second}&assignee=all&team=T05`,
    `/review/queue?month=${second}&assignee=all&reason=short_call`,
    `/review/queue?month=${second}&needsReview=true`,
    `/review/queue?month=${first}&assignee=all&needsReview=false&scoreMin=60&scoreMax=90`,
    `/review/queue?month=${second}&assignee=all&limit=200`,
    ...agents.map((agent) => `/review/queue?month=${first}&assignee=all&status=all&agent=${agent}`),
  ];
  const supervisorStarts = [
    '/review/queue',
    `/review/queue?month=${first}&status=all`,
    `/review/queue?month=${second}&team=T02`,
  ];
  const qaPaths = await walkPages(qaStarts, 'cursor', asQa, 12);
  const supervisorPaths = await walkPages(supervisorStarts, 'cursor', asSupervisor, 12);
  return {
    name: 'GET /review/queue',
    varies: `${qaStarts.length} filter sets (month, assignee, status, team, agent, reason, needs review, score range, limit 50/200) as qa and ${supervisorStarts.length} as a supervisor, each paged up to 12 pages deep by its cursors`,
    requests: interleave([
      ...qaPaths.map((path) => ({ path, headers: asQa })),
      ...supervisorPaths.map((path) => ({ path, headers: asSupervisor })),
    ]),
  };
}

async function callPageLoad(): Promise<RouteLoad> {
  // Mostly calls in the queue (scored, some reviewed), some picks not scored yet.
  const queued = await column(`select call_id from review_queue order by hashtext(call_id) limit 1500`);
  const reviewed = await column(`select distinct call_id from call_reviews order by call_id limit 200`);
  const unscored = await column(
    `select call_id from call_processing where state <> 'scored' order by hashtext(call_id) limit 200`,
  );
  const inTeams = await column(
    `select q.call_id from review_queue q join agents a using (agent_id)
     where a.team_id = any($1) order by hashtext(q.call_id) limit 300`,
    [['T01', 'T02', 'T03']],
  );
  const path = (id: string) => `/calls/${encodeURIComponent(id)}/review`;
  return {
    name: 'GET /calls/:id/review',
    varies: `${queued.length} queued calls, ${reviewed.length} reviewed, ${unscored.length} not scored yet (qa); ${inTeams.length} calls of the supervisor's teams`,
    requests: interleave([
      ...[...queued, ...reviewed, ...unscored].map((id) => ({ path: path(id), headers: asQa })),
      ...inTeams.map((id) => ({ path: path(id), headers: asSupervisor })),
    ]),
  };
}

async function audioLoad(): Promise<RouteLoad> {
  const { rows } = await pool.query(
    `select q.call_id, c.recording from review_queue q join calls c using (call_id)
     order by hashtext(q.call_id) limit 1000`,
  );
  const sizeOf = new Map<string, number>();
  for (const r of rows) {
    if (!sizeOf.has(r.recording)) sizeOf.set(r.recording, (await stat(join(storageDir, r.recording))).size);
  }
  // What a player asks while seeking and streaming: 64 KiB to 1 MiB windows anywhere in the file.
  const lengths = [64 * 1024, 128 * 1024, 256 * 1024, 1024 * 1024];
  const requests: Request[] = rows.map((r, i) => {
    const size = sizeOf.get(r.recording)!;
    const length = lengths[i % lengths.length];
    const start = Math.floor((((i * 2654435761) % 2 ** 32) / 2 ** 32) * Math.max(1, size - length));
    return {
      path: `/calls/${encodeURIComponent(r.call_id)}/audio`,
      headers: { ...asQa, range: `bytes=${start}-${start + length - 1}` },
    };
  });
  const files = [...sizeOf.entries()].map(([f, n]) => `${f.split('/').pop()} ${(n / 2 ** 20).toFixed(1)} MB`);
  return {
    name: 'GET /calls/:id/audio (Range)',
    varies: `${rows.length} calls over ${files.length} recordings (${files.join(', ')}); ranges of 64 KiB–1 MiB`,
    requests,
  };
}

const loads: Record<string, () => Promise<RouteLoad>> = {
  queue: queueLoad,
  call: callPageLoad,
  audio: audioLoad,
  sampling: samplingRunLoad,
};

// ---------------------------------------------------------------- driving

interface RouteFigures {
  name: string;
  varies: string;
  distinct: number;
  requests: number;
  non2xx: number;
  errors: number;
  statuses: Record<number, number>;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  rps: number;
  serverCpuS: number;
  postgresCpuS: number;
  benchCpuS: number;
  serverRssMb: number;
  bytesPerRequest: number;
}

interface DriveResult {
  requests: number;
  seconds: number;
  non2xx: number;
  errors: number;
  latency: { p50: number; p90: number; p99: number; max: number };
  statuses: Record<number, number>;
  bytes: number;
  /** The load generator's own CPU seconds. */
  cpuS: number;
}

/** Runs autocannon in its own process (api-load.ts) through this route's requests. */
async function drive(load: RouteLoad, seconds: number): Promise<DriveResult> {
  const file = join(dir, 'load.json');
  await writeFile(
    file,
    JSON.stringify({ url: server.url, connections, duration: seconds, rate, requests: load.requests }),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/bench/api-load.ts'), file], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => (output += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`the load generator exited ${code}: ${output}`);
  return JSON.parse(output) as DriveResult;
}

const postmasterPid = database.dataDir
  ? Number((await readFile(join(database.dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0])
  : undefined;

async function benchRoute(load: RouteLoad): Promise<RouteFigures> {
  if (warmup > 0) await drive(load, warmup);
  const serverBefore = await processUsage(server.child.pid!);
  const pgBefore = postmasterPid ? await postgresCpuSeconds(postmasterPid) : 0;
  const result = await drive(load, duration);
  const serverAfter = await processUsage(server.child.pid!);
  const pgAfter = postmasterPid ? await postgresCpuSeconds(postmasterPid) : 0;
  const requests = result.requests;
  return {
    name: load.name,
    varies: load.varies,
    distinct: new Set(load.requests.map((r) => `${r.path} ${r.headers.range ?? ''}`)).size,
    requests,
    non2xx: result.non2xx,
    errors: result.errors,
    statuses: result.statuses,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    rps: requests / result.seconds,
    serverCpuS: serverAfter.cpuS - serverBefore.cpuS,
    postgresCpuS: pgAfter - pgBefore,
    benchCpuS: result.cpuS,
    serverRssMb: serverAfter.rssMb,
    bytesPerRequest: requests ? result.bytes / requests : 0,
  };
}

const chosen = values.route ?? Object.keys(loads);
const figures: RouteFigures[] = [];
let failed = false;
try {
  for (const key of chosen) {
    const make = loads[key];
    if (!make) throw new Error(`no route load named ${key}; choose among ${Object.keys(loads).join(', ')}`);
    const load = await make();
    log(`\n${load.name}: ${load.requests.length} requests (${load.varies})`);
    const f = await benchRoute(load);
    figures.push(f);
    log(
      `  ${f.requests} requests in ${duration} s = ${f.rps.toFixed(0)}/s; non-2xx ${f.non2xx}, errors ${f.errors} ${JSON.stringify(f.statuses)}`,
    );
    log(
      `  latency p50 ${f.p50} ms, p90 ${f.p90} ms, p99 ${f.p99} ms, max ${f.max} ms; ${(f.bytesPerRequest / 1024).toFixed(1)} KiB a response`,
    );
    log(
      `  CPU: API ${f.serverCpuS.toFixed(1)} s (${((100 * f.serverCpuS) / duration).toFixed(0)} % of a core), PostgreSQL ${f.postgresCpuS.toFixed(1)} s, autocannon ${f.benchCpuS.toFixed(1)} s; API RSS ${f.serverRssMb.toFixed(0)} MB`,
    );
    const problems = [
      ...(f.p99 > TARGET_P99_MS ? [`p99 ${f.p99} ms > ${TARGET_P99_MS} ms`] : []),
      ...(f.non2xx > 0 || f.errors > 0 ? [`${f.non2xx} non-2xx, ${f.errors} errors`] : []),
      ...(f.rps < rate * 0.95 ? [`only ${f.rps.toFixed(0)} requests/s of ${rate}`] : []),
    ];
    if (problems.length > 0) {
      failed = true;
      log(`  MISSED: ${problems.join('; ')}`);
    }
  }
} finally {
  const peak = await processUsage(server.child.pid!);
  server.child.kill('SIGTERM');
  await once(server.child, 'exit');
  log(
    `\nAPI process peak RSS ${peak.peakRssMb.toFixed(0)} MB; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  );
  await database.close();
  if (!values.keep) await rm(dir, { recursive: true, force: true });
}

// CPU per request says more than latency on a shared machine: 500 requests/s on 2 cores leaves
// 4 ms of CPU per request for the API, PostgreSQL and the load generator together.
const perRequest = (seconds: number, f: RouteFigures) =>
  ((1000 * seconds) / Math.max(1, f.requests)).toFixed(1);
log(
  '\n| route | requests | non-2xx | p50 | p90 | p99 | max | req/s | CPU ms a request: API / PostgreSQL / autocannon |',
);
log('|---|---|---|---|---|---|---|---|---|');
for (const f of figures) {
  log(
    `| ${f.name} | ${f.requests} | ${f.non2xx + f.errors} | ${f.p50} ms | ${f.p90} ms | ${f.p99} ms | ${f.max} ms | ${f.rps.toFixed(0)} | ${perRequest(f.serverCpuS, f)} / ${perRequest(f.postgresCpuS, f)} / ${perRequest(f.benchCpuS, f)} |`,
  );
}
log(`RESULT ${failed ? 'FAIL' : 'PASS'} target p99 <= ${TARGET_P99_MS} ms at ${rate} requests/s`);
process.exit(failed ? 1 : 0);
