/**
 * `npm run chaos`: the real processes, killed at random, on loopback only.
 *
 * Runs N sampled calls (real short recordings, the offline tiny Whisper model)
 * through `api/main.ts` + two `workers/main.ts` on BullMQ (K kill -9 of a
 * worker, one kill -9 of Redis, one PostgreSQL restart), then through
 * `api/main.ts` alone with jobs in-process (K kill -9 of it), each killed
 * process started again at once. PostgreSQL is the run's own embedded server
 * reached through DATABASE_URL, so killing the API does not take the database
 * with it. At the end SQL checks that every call was scored exactly once, and
 * the run prints duplicate work and recovery times, read from a trigger-fed
 * event table (chaos-database.ts). Bounded in count and time; exits non-zero
 * when a check fails or time runs out.
 *
 *   npm run chaos -- [--calls 200] [--kills 20] [--mode bullmq|embedded|both]
 *                    [--timeout-min 30] [--seed 1] [--pg-down-s 40] [--redis-down-s 5] [--keep]
 *
 * --keep leaves the temporary directory (logs, data) in place for a look;
 * --model-dir points at the folder holding tiny-dummy-whisper when the
 * checkout has no ../shared/models beside it (a git worktree, say).
 */
import { rmSync } from 'node:fs';
import { chmod, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createPool } from '../../models/db.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../models/embedded-postgres.ts';
import { runMigrations } from '../../models/migrate.ts';
import { mulberry32 } from '../../models/mulberry32.ts';
import { testModelDir, testModelId } from '../audio/media-paths.ts';
import { freePort } from '../helpers/free-port.ts';
import {
  duplicates,
  finalChecks,
  ingestCalls,
  installWitness,
  movedSince,
  progress,
  sampleCalls,
  stageEvents,
  type Check,
  type Duplicates,
  type Progress,
  type StageEvent,
} from './chaos-database.ts';
import { ChaosRedis, killAllNow, NodeService, postmasterPid } from './processes.ts';

type Mode = 'bullmq' | 'embedded';
type FaultKind = 'kill worker' | 'kill api' | 'kill redis' | 'restart postgres';
/** A worker or the API is back up within ~3 s here (see docs/reliability.md). */
const MIN_GAP_MS = 5_000;

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '200' },
    kills: { type: 'string', default: '20' },
    mode: { type: 'string', default: 'both' },
    'timeout-min': { type: 'string', default: '30' },
    seed: { type: 'string', default: '1' },
    'pg-down-s': { type: 'string', default: '40' },
    'redis-down-s': { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
    'model-dir': { type: 'string', default: testModelDir },
  },
});
const CALLS = Number(args.calls);
const KILLS = Number(args.kills);
const MODES: Mode[] = args.mode === 'both' ? ['bullmq', 'embedded'] : [args.mode as Mode];
const TIMEOUT_MS = Number(args['timeout-min']) * 60_000;
const PG_DOWN_MS = Number(args['pg-down-s']) * 1000;
const REDIS_DOWN_MS = Number(args['redis-down-s']) * 1000;
if (
  !(CALLS >= 1 && CALLS <= 2000 && KILLS >= 0 && KILLS <= 100 && TIMEOUT_MS > 0) ||
  !MODES.every((m) => m === 'bullmq' || m === 'embedded')
) {
  process.stderr.write(
    'usage: npm run chaos -- --calls 1..2000 --kills 0..100 --mode bullmq|embedded|both\n',
  );
  process.exit(2);
}
const random = mulberry32(Number(args.seed));
const started = Date.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secs = (ms: number) => (ms / 1000).toFixed(1);
const say = (line: string) =>
  process.stdout.write(`[chaos ${secs(Date.now() - started).padStart(6)} s] ${line}\n`);

// ---- the run's own temp dir, PostgreSQL and the sweep that removes them whatever happens ----
const root = await mkdtemp(join(tmpdir(), 'callqa-chaos-'));
await chmod(root, 0o755); // the embedded server runs as `postgres` when we are root
const pgDir = join(root, 'pg');
let swept = false;
function sweepNow(): void {
  if (swept) return;
  swept = true;
  killAllNow();
  const postmaster = postmasterPid(pgDir);
  if (postmaster) {
    try {
      process.kill(postmaster, 'SIGQUIT');
    } catch {
      // already stopped
    }
  }
  if (args.keep) process.stdout.write(`kept ${root}\n`);
  else rmSync(root, { recursive: true, force: true });
}
process.once('exit', sweepNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`${signal}: stopping`);
    process.exit(130);
  });
}
const hardStop = setTimeout(() => {
  say(`hard time limit of ${args['timeout-min']} min reached: stopping everything`);
  process.exit(3);
}, TIMEOUT_MS + 60_000);

const pgPort = await freePort();
const startPostgres = () => startEmbeddedPostgres({ dataDir: pgDir, port: pgPort, log: () => {} });
let postgres: EmbeddedServer = await startPostgres();
say(`PostgreSQL on 127.0.0.1:${pgPort}, data in ${pgDir}`);

interface Fault {
  kind: FaultKind;
  target: string;
  at: number;
  /** When the store answered again (outages only). */
  backAt?: number;
  inFlight: string[];
}

interface ModeResult {
  mode: Mode;
  calls: number;
  faults: Fault[];
  planned: number;
  checks: Check[];
  duplicates: Duplicates;
  /** Per fault: from the fault to the next step of every call that was mid-stage then. */
  resumedAfterMs: Array<number | undefined>;
  /** Per fault: calls mid-stage then that never moved after it, with their steps (s from the fault). */
  notMoved: string[][];
  /** Per fault: from the fault to the next call scored. */
  throughputAfterMs: Array<number | undefined>;
  totalMs: number;
  unexpectedExits: string[];
}

function appEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(CALLQA_|DATABASE_URL|REDIS_URL|PORT|HOST|LOG_LEVEL|TEST_)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

async function runMode(mode: Mode, deadline: number): Promise<ModeResult> {
  const dir = join(root, mode);
  const logDir = join(dir, 'logs');
  await mkdir(logDir, { recursive: true });
  const database = `chaos_${mode}`;
  const admin = new pg.Client(postgres.adminUrl);
  await admin.connect();
  await admin.query(`create database ${database}`);
  await admin.end();
  const url = postgres.urlFor(database);
  const pool = createPool(url, 3);
  await runMigrations(pool);
  await installWitness(pool);
  const callIds = await ingestCalls(pool, join(dir, 'storage'), CALLS);
  say(`${mode}: ${CALLS} calls ingested`);

  const redis = mode === 'bullmq' ? new ChaosRedis(await freePort(), dir) : undefined;
  await redis?.start();
  const env = appEnv({
    DATABASE_URL: url,
    ...(redis ? { REDIS_URL: redis.url } : {}),
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    LOG_LEVEL: 'info',
    CALLQA_DATA_DIR: join(dir, 'data'),
    CALLQA_STORAGE_DIR: join(dir, 'storage'),
    CALLQA_MODEL_DIR: args['model-dir'],
    CALLQA_MODEL_ID: testModelId,
    CALLQA_MODEL_DTYPE: 'fp32',
    CALLQA_ASR_THREADS: '1',
    CALLQA_SAMPLING_DAILY: 'off',
  });
  const api = new NodeService(`${mode}-api`, 'api/main.ts', env, logDir);
  const workers =
    mode === 'bullmq'
      ? [1, 2].map((n) => new NodeService(`${mode}-worker-${n}`, 'workers/main.ts', env, logDir))
      : [];
  const t0 = Date.now();
  api.start();
  for (const w of workers) w.start();

  const plan: FaultKind[] = Array.from({ length: KILLS }, () =>
    mode === 'bullmq' ? ('kill worker' as const) : ('kill api' as const),
  );
  if (mode === 'bullmq') {
    plan.splice(Math.floor(plan.length / 3), 0, 'kill redis');
    plan.splice(Math.floor((2 * plan.length) / 3), 0, 'restart postgres');
  }
  // The calls are sampled in batches, one before each fault, and each fault lands once
  // its batch is in flight: the run is paced by the faults, so all of them happen, each
  // into work under way, however fast this machine gets through calls.
  const batches = Array.from({ length: plan.length + 1 }, (_, i) =>
    callIds.slice(
      Math.floor((i * CALLS) / (plan.length + 1)),
      Math.floor(((i + 1) * CALLS) / (plan.length + 1)),
    ),
  );
  await sampleCalls(pool, batches[0]!);
  let sampled = 1;
  let sampledAt = Date.now();
  const faults: Fault[] = [];
  let last: Progress = { scored: 0, failed: 0, inFlight: [] };
  let lastPrint = 0;

  const look = async () => {
    try {
      last = await progress(pool);
    } catch {
      // PostgreSQL is down (our own restart): keep the last view
    }
    return last;
  };

  while (Date.now() < deadline) {
    const p = await look();
    if (p.scored + p.failed >= CALLS) break;
    if (Date.now() - lastPrint > 10_000) {
      lastPrint = Date.now();
      say(
        `${mode}: scored ${p.scored}/${CALLS}, failed ${p.failed}, in flight ${p.inFlight.length}, ` +
          `faults ${faults.length}/${plan.length}`,
      );
    }
    const next = plan[faults.length];
    if (!next && sampled < batches.length) {
      await sampleCalls(pool, batches.slice(sampled).flat());
      sampled = batches.length;
    }
    if (next && sampled === faults.length + 1 && (await recovered(pool, faults.at(-1)))) {
      await sampleCalls(pool, batches[sampled]!);
      sampled += 1;
      sampledAt = Date.now();
    }
    // the fault's batch is in flight (or, should it never show, 30 s have passed)
    const armed = sampled === faults.length + 2 && (p.inFlight.length > 0 || Date.now() - sampledAt > 30_000);
    if (next && armed) {
      await sleep(random() * 1500); // land at a random point inside the jobs under way
      // `at` is taken before looking, so a call that moves between the look and the kill
      // counts as moved (by a few milliseconds), never as stuck.
      const at = Date.now();
      const { inFlight } = await look();
      const fault: Fault = { kind: next, target: '', at, inFlight };
      if (next === 'kill worker') {
        const victim = workers[Math.floor(random() * workers.length)]!;
        fault.target = `${victim.name} (pid ${victim.pid})`;
        await victim.kill9();
        victim.start();
      } else if (next === 'kill api') {
        fault.target = `api (pid ${api.pid})`;
        await api.kill9();
        api.start();
      } else if (next === 'kill redis') {
        fault.target = `redis-server :${redis!.port}, down ${secs(REDIS_DOWN_MS)} s`;
        await redis!.kill9();
        await sleep(REDIS_DOWN_MS);
        await redis!.start();
        fault.backAt = Date.now();
      } else {
        fault.target = `PostgreSQL :${pgPort}, down ${secs(PG_DOWN_MS)} s`;
        await postgres.stop();
        await sleep(PG_DOWN_MS);
        postgres = await startPostgres();
        fault.backAt = Date.now();
      }
      faults.push(fault);
      say(
        `${mode}: fault ${faults.length}/${plan.length}: ${next} — ${fault.target}; in flight: ${inFlight.length}`,
      );
    }
    await sleep(500);
  }
  const totalMs = Date.now() - t0;
  const finished = last.scored + last.failed >= CALLS;
  say(`${mode}: ${finished ? 'all calls finished' : 'time is up'} after ${secs(totalMs)} s`);

  // Nothing may be left in Redis either: no job waiting, running, delayed or failed. A job
  // whose worker was killed near the end stays "active" until stalled-job detection hands it
  // back (lock 10 s + check every 5 s) and a live worker finds its call done: wait that out.
  let leftInRedis: string[] = [];
  if (redis) {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queues = ['transcribe', 'score'].map((name) => new Queue(name, { connection, prefix: 'callqa' }));
    const drainBy = Date.now() + 45_000;
    do {
      leftInRedis = [];
      for (const queue of queues) {
        const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'failed');
        for (const [state, n] of Object.entries(counts))
          if (n > 0) leftInRedis.push(`${queue.name} ${state} ${n}`);
      }
      if (leftInRedis.length > 0) await sleep(1000);
    } while (leftInRedis.length > 0 && Date.now() < drainBy);
    for (const queue of queues) await queue.close();
    await connection.quit();
  }

  for (const service of [...workers, api]) await service.stop();
  await redis?.kill9();

  const checks = await finalChecks(pool, callIds);
  if (redis) checks.push({ what: 'no job left in Redis', problems: leftInRedis });
  const unexpectedExits = [...workers, api].flatMap((s) => s.unexpectedExits.map((e) => `${s.name}: ${e}`));
  checks.push({ what: 'no process died by itself', problems: unexpectedExits });
  const events = await stageEvents(pool);
  await pool.end();
  const failedChecks = checks.filter((c) => c.problems.length > 0);
  if (failedChecks.length > 0) {
    for (const s of [api, ...workers]) say(`${s.name} log (last lines):\n${s.tail(15)}`);
  }
  return {
    mode,
    calls: CALLS,
    faults,
    planned: plan.length,
    checks,
    duplicates: duplicates(events),
    resumedAfterMs: faults.map((f) => resumedAfter(f, events)),
    notMoved: faults.map((f) =>
      f.inFlight
        .filter((id) => !events.some((e) => e.callId === id && e.at > f.at))
        .map(
          (id) =>
            `${id}: ${events
              .filter((e) => e.callId === id)
              .map((e) => `${e.event} ${secs(e.at - f.at)}`)
              .join(', ')}`,
        ),
    ),
    throughputAfterMs: faults.map((f) => firstScoredAfter(f, events)),
    totalMs,
    unexpectedExits,
  };
}

/**
 * Whether every call that was mid-stage at `fault` has moved since and a call
 * has been scored again (or a minute and a half has passed): the next fault waits for it, so each
 * recovery time is that fault's alone. Faults are also MIN_GAP_MS apart at
 * least, so a restarted process is up again before the next kill.
 */
async function recovered(pool: pg.Pool, fault: Fault | undefined): Promise<boolean> {
  if (!fault) return true;
  if (Date.now() - (fault.backAt ?? fault.at) < MIN_GAP_MS) return false;
  if (Date.now() - fault.at > 90_000) return true;
  return movedSince(pool, fault.inFlight, fault.at, fault.backAt ?? fault.at).catch(() => false);
}

/** From the fault to the moment every call that was mid-stage then had moved again (undefined: one never did). */
function resumedAfter(fault: Fault, events: StageEvent[]): number | undefined {
  let worst = 0;
  for (const callId of fault.inFlight) {
    const next = events.find((e) => e.callId === callId && e.at > fault.at);
    if (!next) return undefined;
    worst = Math.max(worst, next.at - fault.at);
  }
  return worst;
}

function firstScoredAfter(fault: Fault, events: StageEvent[]): number | undefined {
  const next = events.find((e) => e.event === 'scored' && e.at > (fault.backAt ?? fault.at));
  return next ? next.at - fault.at : undefined;
}

function report(r: ModeResult): boolean {
  const lines = [
    `\n== ${r.mode}: ${r.calls} calls, ${r.faults.length}/${r.planned} faults, ${secs(r.totalMs)} s`,
  ];
  lines.push(
    '  #  at (s)  fault              in flight  moved again after (s)  next call scored after (s)  target',
  );
  r.faults.forEach((f, i) => {
    const at = secs(f.at - started);
    const resumed = r.resumedAfterMs[i];
    const through = r.throughputAfterMs[i];
    lines.push(
      `  ${String(i + 1).padStart(2)} ${at.padStart(7)}  ${f.kind.padEnd(17)}  ${String(f.inFlight.length).padStart(9)}` +
        `  ${(f.inFlight.length === 0 ? '-' : resumed === undefined ? 'never' : secs(resumed)).padStart(21)}` +
        `  ${(f.backAt && f.inFlight.length > 0 && resumed !== undefined ? secs(Math.max(0, f.at + resumed - f.backAt)) : '-').padStart(19)}` +
        `  ${(through === undefined ? 'never' : secs(through)).padStart(26)}  ${f.target}`,
    );
    for (const line of r.notMoved[i] ?? []) lines.push(`       not moved after the fault: ${line}`);
  });
  const d = r.duplicates;
  const byKind = new Map<string, number>();
  r.faults.forEach((f, i) => {
    const value = f.inFlight.length > 0 ? r.resumedAfterMs[i] : r.throughputAfterMs[i];
    if (value !== undefined) byKind.set(f.kind, Math.max(byKind.get(f.kind) ?? 0, value));
  });
  lines.push(
    `  duplicate transcriptions: ${d.transcriptionsRestarted} begun again after a fault, ` +
      `${d.transcriptionsCompletedTwice} completed twice; scorings begun again: ${d.scoringsRestarted}, ` +
      `scores saved twice: ${d.scoresSavedTwice}`,
  );
  lines.push(
    `  longest recovery (fault → calls in flight moving again, else → next call scored): ` +
      ([...byKind].map(([kind, ms]) => `${kind} ${secs(ms)} s`).join(', ') || 'no faults'),
  );
  let ok = true;
  for (const c of r.checks) {
    const pass = c.problems.length === 0;
    ok &&= pass;
    lines.push(`  ${pass ? 'ok  ' : 'FAIL'} ${c.what}${pass ? '' : `: ${c.problems.length}`}`);
    for (const p of c.problems.slice(0, 10)) lines.push(`         ${p}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return ok;
}

let ok = true;
try {
  const results: ModeResult[] = [];
  for (const [i, mode] of MODES.entries()) {
    const left = started + TIMEOUT_MS - Date.now();
    results.push(await runMode(mode, Date.now() + left / (MODES.length - i)));
  }
  for (const r of results) ok = report(r) && ok;
  process.stdout.write(
    `\nchaos: ${MODES.join(' + ')}, ${CALLS} calls and ${KILLS} kills per mode, seed ${args.seed}: ` +
      `${ok ? 'all checks passed' : 'CHECKS FAILED'} in ${secs(Date.now() - started)} s\n`,
  );
} catch (error) {
  ok = false;
  process.stderr.write(`chaos run failed: ${String((error as Error).stack ?? error)}\n`);
} finally {
  clearTimeout(hardStop);
  killAllNow();
  await postgres.stop().catch(() => {});
  sweepNow();
}
process.exit(ok ? 0 : 1);
