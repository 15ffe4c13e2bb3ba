import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertCalls } from '../../models/call-repository.ts';
import { buildCall } from '../helpers/builders.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { skipWithoutRedis, startRedis, type RedisServer } from '../helpers/redis-server.ts';

let db: TestDatabase;
let redis: RedisServer;
let eventLog: string;
const children: ChildProcess[] = [];

const suite = 'BullMQ pipeline on a real Redis';
const skip = skipWithoutRedis(suite);

beforeAll(async () => {
  if (skip) return;
  [db, redis] = await Promise.all([createTestDatabase(), startRedis()]);
  eventLog = join(await mkdtemp(join(tmpdir(), 'callqa-bullmq-')), 'events.log');
  await writeFile(eventLog, '');
  await db.pool.query('create table test_scores (call_id text, pid int)');
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await redis?.stop();
  await db?.drop();
});

function startWorker(jobMs: number): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/bullmq-worker-process.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: 'test',
      JOB_MS: String(jobMs),
      EVENT_LOG: eventLog,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  return child;
}

async function events(): Promise<string[][]> {
  return (await readFile(eventLog, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' '));
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(skip)(suite, () => {
  it('flows across two worker processes; killing one mid-job loses nothing and duplicates nothing', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `q${String(i).padStart(2, '0')}`);
    await upsertCalls(
      db.pool,
      ids.map((callId) => buildCall({ callId, recording: `/r/${callId}.wav`, recordingStatus: 'ok' })),
    );
    await db.pool.query(`insert into sampling_runs (run_id, kind, month, through, time_zone, seed, params)
                         values (1, 'on_demand', '2026-10-01', now(), 'Asia/Shanghai', 's', '{}')`);
    await db.pool.query(`insert into sample_items (call_id, run_id, agent_id, month, reason)
                         select call_id, 1, agent_id, '2026-10-01', 'manual' from calls`);

    const victim = startWorker(1500);
    const survivor = startWorker(150);
    // kill the slow worker while it is inside a job
    const victimJob = await waitFor('the victim to start a job', async () => {
      const started = (await events()).find(
        ([event, , pid]) => event === 'start' && Number(pid) === victim.pid,
      );
      return started?.[1];
    });
    victim.kill('SIGKILL');

    await waitFor('every call scored', async () => {
      const { rows } = await db.pool.query(
        `select count(*)::int as n from call_processing where state = 'scored'`,
      );
      return rows[0].n === ids.length ? true : undefined;
    });

    const { rows: processing } = await db.pool.query(
      `select state, count(*)::int as n from call_processing group by state`,
    );
    expect(processing).toEqual([{ state: 'scored', n: 12 }]);
    const transcripts = await db.pool.query('select count(*)::int as n from transcripts');
    expect(transcripts.rows[0].n).toBe(12);
    const scores = await db.pool.query(
      'select call_id, count(*)::int as n from test_scores group by call_id',
    );
    expect(scores.rows).toHaveLength(12);
    expect(scores.rows.every((r) => r.n === 1)).toBe(true);
    // the killed job was finished by the other process
    const log = await events();
    expect(
      log.some(([event, id, pid]) => event === 'done' && id === victimJob && Number(pid) === survivor.pid),
    ).toBe(true);
    expect(log.some(([event, , pid]) => event === 'done' && Number(pid) === victim.pid)).toBe(false);
  });
});
