import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { upsertCalls, type CallToStore } from '../../models/call-repository.ts';
import { importMonthScores, importQaOutcomes } from '../../models/score-repository.ts';
import { replayRun } from '../../sampling/replay-run.ts';
import { runSampling } from '../../sampling/run-sampling.ts';
import { seedToBigint } from '../../sampling/seed.ts';
import { buildCall, buildSamplingParams } from '../helpers/builders.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

const params = buildSamplingParams({
  bands: [
    { minScore: 0, multiplier: 2 },
    { minScore: 90, multiplier: 1 },
  ],
});

let db: TestDatabase;
beforeEach(async () => {
  await db?.drop();
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

const SHANGHAI_OCT_START = Date.parse('2026-09-30T16:00:00Z');
const SHANGHAI_SEP_START = Date.parse('2026-08-31T16:00:00Z');

/** n calls for one agent spread evenly over a Shanghai month, all of a normal length. */
function monthOfCalls(
  agentId: string,
  monthStartMs: number,
  days: number,
  n: number,
  durationS = 120,
): CallToStore[] {
  const step = (days * 86400_000) / n;
  return Array.from({ length: n }, (_, i) =>
    buildCall({
      callId: `${agentId}-${monthStartMs}-${i}`,
      agentId,
      startedAt: new Date(monthStartMs + Math.floor((i + 0.5) * step)),
      durationS,
    }),
  );
}

async function items(runId?: number) {
  const { rows } = await db.pool.query(
    `select s.call_id, s.agent_id, s.reason, s.run_id, s.detail, c.started_at, c.duration_s
     from sample_items s join calls c using (call_id)
     where $1::bigint is null or s.run_id = $1 order by c.started_at`,
    [runId ?? null],
  );
  return rows;
}

describe('sampler', () => {
  it('samples every call under 20 s and over 300 s, at the thresholds exactly', async () => {
    const at = new Date(SHANGHAI_OCT_START + 86400_000);
    await upsertCalls(db.pool, [
      buildCall({ callId: 's1', durationS: 19.9, startedAt: at }),
      buildCall({ callId: 's2', durationS: 20, startedAt: at }),
      buildCall({ callId: 'l1', durationS: 300, startedAt: at }),
      buildCall({ callId: 'l2', durationS: 300.5, startedAt: at }),
      buildCall({ callId: 'z', durationS: 0, startedAt: at }),
    ]);
    const run = await runSampling(db.pool, params, {
      month: '2026-10',
      through: new Date(SHANGHAI_OCT_START + 31 * 86400_000),
    });
    const byCall = Object.fromEntries((await items(run.runId)).map((r) => [r.call_id, r.reason]));
    expect(byCall.s1).toBe('short_call');
    expect(byCall.z).toBe('short_call');
    expect(byCall.l2).toBe('long_call');
    expect(byCall.l1).not.toBe('long_call');
    expect(byCall.s2).not.toBe('short_call');
    expect(run.byReason).toMatchObject({ short_call: 2, long_call: 1, random_quota: 1 });
  });

  it('honours configured thresholds', async () => {
    const at = new Date(SHANGHAI_OCT_START + 86400_000);
    await upsertCalls(db.pool, [
      buildCall({ callId: 'a', durationS: 25, startedAt: at }),
      buildCall({ callId: 'b', durationS: 500, startedAt: at }),
    ]);
    const run = await runSampling(
      db.pool,
      { ...params, shortCallS: 30, longCallS: 600 },
      { month: '2026-10' },
      new Date('2026-11-05T00:00:00Z'),
    );
    expect(run.byReason.short_call).toBe(1);
    expect(run.byReason.long_call).toBeUndefined();
  });

  it('takes 1% of last month volume, rounded up, spread over the month', async () => {
    await upsertCalls(db.pool, monthOfCalls('A1', SHANGHAI_SEP_START, 30, 1250));
    await upsertCalls(db.pool, monthOfCalls('A1', SHANGHAI_OCT_START, 31, 3100));
    const run = await runSampling(db.pool, params, { month: '2026-10' }, new Date('2026-11-02T00:00:00Z'));
    const picked = await items(run.runId);
    expect(picked).toHaveLength(13); // ceil(12.5)
    expect(picked.every((r) => r.reason === 'random_quota')).toBe(true);
    // not the first calls of the month: the picks reach into every third of it
    const days = picked.map((r) => (r.started_at.getTime() - SHANGHAI_OCT_START) / 86400_000);
    expect(Math.min(...days)).toBeLessThan(10);
    expect(Math.max(...days)).toBeGreaterThan(21);
    expect(days.filter((d) => d >= 10 && d < 21).length).toBeGreaterThan(0);
    const quota = await db.pool.query('select * from sampling_run_agents where run_id = $1', [run.runId]);
    expect(quota.rows[0]).toMatchObject({
      agent_id: 'A1',
      prev_month_calls: 1250,
      month_calls: 3100,
      quota: 13,
      mode: 'normal',
    });
  });

  it('draws exactly the lowest seeded hashes among the calls of normal length', async () => {
    await upsertCalls(db.pool, monthOfCalls('A1', SHANGHAI_SEP_START, 30, 2000));
    await upsertCalls(db.pool, monthOfCalls('A1', SHANGHAI_OCT_START, 31, 3000));
    const run = await runSampling(
      db.pool,
      params,
      { month: '2026-10', seed: 'draw' },
      new Date('2026-11-02T00:00:00Z'),
    );
    const { rows: expected } = await db.pool.query(
      `select call_id from calls
       where started_at >= $1 and duration_s between 20 and 300
       order by hashtextextended(call_id, $2::bigint), call_id limit 20`,
      [new Date(SHANGHAI_OCT_START), seedToBigint('draw')],
    );
    const picked = (await items(run.runId)).filter((r) => r.reason === 'random_quota').map((r) => r.call_id);
    expect(picked.sort()).toEqual(expected.map((r) => r.call_id).sort());
  });

  it('uses the current month volume for an agent new this month', async () => {
    await upsertCalls(db.pool, monthOfCalls('NEW', SHANGHAI_OCT_START, 31, 250));
    const run = await runSampling(db.pool, params, { month: '2026-10' }, new Date('2026-11-02T00:00:00Z'));
    expect(run.byReason.random_quota).toBe(3);
    const q = await db.pool.query('select mode, quota from sampling_run_agents where run_id = $1', [
      run.runId,
    ]);
    expect(q.rows[0]).toEqual({ mode: 'new_agent', quota: 3 });
  });

  it('cuts months at midnight in the configured time zone, not UTC', async () => {
    // 2026-09-30 16:30 UTC is 2026-10-01 00:30 in Shanghai
    await upsertCalls(db.pool, [
      buildCall({ callId: 'edge', durationS: 5, startedAt: new Date('2026-09-30T16:30:00Z') }),
    ]);
    const oct = await runSampling(db.pool, params, { month: '2026-10' }, new Date('2026-11-02T00:00:00Z'));
    expect(oct.byReason.short_call).toBe(1);
    const sep = await runSampling(db.pool, params, { month: '2026-09' }, new Date('2026-11-02T00:00:00Z'));
    expect(sep.selected).toBe(0);
  });

  it('is reproducible: the same inputs and seed give the same sample, another seed another', async () => {
    const calls = monthOfCalls('A1', SHANGHAI_SEP_START, 30, 2000).concat(
      monthOfCalls('A1', SHANGHAI_OCT_START, 31, 2000),
    );
    await upsertCalls(db.pool, calls);
    const now = new Date('2026-11-02T00:00:00Z');
    const first = await runSampling(db.pool, params, { month: '2026-10', seed: 's1' }, now);
    const firstPicks = (await items(first.runId)).map((r) => r.call_id).sort();
    await db.pool.query('truncate sample_items, sampling_run_agents, sampling_runs');
    const again = await runSampling(db.pool, params, { month: '2026-10', seed: 's1' }, now);
    expect((await items(again.runId)).map((r) => r.call_id).sort()).toEqual(firstPicks);
    await db.pool.query('truncate sample_items, sampling_run_agents, sampling_runs');
    const other = await runSampling(db.pool, params, { month: '2026-10', seed: 's2' }, now);
    expect((await items(other.runId)).map((r) => r.call_id).sort()).not.toEqual(firstPicks);
  });

  it('runs daily without picking a call twice, and ends with the lowest hashes of the whole month', async () => {
    await upsertCalls(db.pool, monthOfCalls('A1', SHANGHAI_SEP_START, 30, 3000));
    const october = monthOfCalls('A1', SHANGHAI_OCT_START, 31, 3100);
    const perRun: number[] = [];
    for (let day = 1; day <= 31; day++) {
      const through = new Date(SHANGHAI_OCT_START + day * 86400_000);
      // calls arrive the day after they happen
      await upsertCalls(
        db.pool,
        october.filter(
          (c) => c.startedAt < through && c.startedAt >= new Date(through.getTime() - 86400_000),
        ),
      );
      const run = await runSampling(db.pool, params, { month: '2026-10', through }, through);
      perRun.push(run.byReason.random_quota ?? 0);
    }
    const all = await items();
    // the quota (30), or more only when more calls than that fell under the cut-off
    expect(all.length).toBeGreaterThanOrEqual(30);
    expect(new Set(all.map((r) => r.call_id)).size).toBe(all.length);
    // exactly the lowest seeded hashes of the month: what one month-end run would have picked
    const { rows: lowest } = await db.pool.query(
      `select call_id from calls where started_at >= $1
       order by hashtextextended(call_id, $2::bigint), call_id limit $3`,
      [new Date(SHANGHAI_OCT_START), seedToBigint('callqa:2026-10'), all.length],
    );
    expect(all.map((r) => r.call_id).sort()).toEqual(lowest.map((r) => r.call_id).sort());
    // most arrive day by day; the run that closes the month tops up the rest
    expect(perRun.slice(0, 30).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(15);
    const weeks = new Set(
      all.map((r) => Math.floor((r.started_at.getTime() - SHANGHAI_OCT_START) / (7 * 86400_000))),
    );
    expect(weeks.size).toBeGreaterThanOrEqual(4);
    // a re-run with nothing new adds nothing
    const rerun = await runSampling(db.pool, params, { month: '2026-10' }, new Date('2026-11-02T00:00:00Z'));
    expect(rerun.selected).toBe(0);
  });

  it('gives an exemption month of 5 calls after two full-score months, then the normal quota', async () => {
    await upsertCalls(db.pool, [
      ...monthOfCalls('A1', Date.parse('2026-07-31T16:00:00Z'), 31, 1000),
      ...monthOfCalls('A1', SHANGHAI_SEP_START, 30, 1000),
      ...monthOfCalls('A1', SHANGHAI_OCT_START, 31, 999),
      ...monthOfCalls('A1', Date.parse('2026-10-31T16:00:00Z'), 30, 1000),
      buildCall({
        callId: 'short-in-oct',
        agentId: 'A1',
        durationS: 3,
        startedAt: new Date(SHANGHAI_OCT_START + 5 * 86400_000),
      }),
    ]);
    await importMonthScores(db.pool, [
      { agentId: 'A1', month: '2026-08', score: 100 },
      { agentId: 'A1', month: '2026-09', score: 100 },
      { agentId: 'A1', month: '2026-10', score: 100 },
    ]);
    const oct = await runSampling(db.pool, params, { month: '2026-10' }, new Date('2026-11-02T00:00:00Z'));
    expect(oct.byReason).toEqual({ exemption_month: 5 });
    const nov = await runSampling(db.pool, params, { month: '2026-11' }, new Date('2026-12-02T00:00:00Z'));
    expect(nov.byReason).toEqual({ random_quota: 10 });
  });

  it('adds the previous and next call of a sampled call that failed QA', async () => {
    const calls = monthOfCalls('A1', SHANGHAI_OCT_START, 31, 100);
    await upsertCalls(db.pool, calls);
    const first = await runSampling(db.pool, params, { month: '2026-10' }, new Date('2026-11-02T00:00:00Z'));
    const [picked] = await items(first.runId);
    await importQaOutcomes(db.pool, [{ callId: picked.call_id, score: 55, passed: false }]);
    const second = await runSampling(db.pool, params, { month: '2026-10' }, new Date('2026-11-02T00:01:00Z'));
    const neighbours = await items(second.runId);
    const index = calls.findIndex((c) => c.callId === picked.call_id);
    const expected = [calls[index - 1]?.callId, calls[index + 1]?.callId].filter(Boolean).sort();
    expect(neighbours.map((r) => r.call_id).sort()).toEqual(expected);
    expect(
      neighbours.every((r) => r.reason === 'neighbour' && r.detail.neighbour_of === picked.call_id),
    ).toBe(true);
    // a passed call brings no neighbours
    const third = await runSampling(db.pool, params, { month: '2026-10' }, new Date('2026-11-02T00:02:00Z'));
    expect(third.selected).toBe(0);
  });

  it('replays an old run to prove its sample, and names the calls that changed since', async () => {
    await upsertCalls(
      db.pool,
      monthOfCalls('A1', SHANGHAI_SEP_START, 30, 500).concat(monthOfCalls('B2', SHANGHAI_OCT_START, 31, 400)),
    );
    await upsertCalls(db.pool, [
      buildCall({
        callId: 'short',
        agentId: 'B2',
        durationS: 4,
        startedAt: new Date(SHANGHAI_OCT_START + 2 * 86400_000),
      }),
    ]);
    const through = new Date(SHANGHAI_OCT_START + 15 * 86400_000);
    const run = await runSampling(db.pool, params, { month: '2026-10', through }, through);
    // later runs and new calls do not disturb the proof
    await upsertCalls(db.pool, monthOfCalls('C3', SHANGHAI_OCT_START, 31, 50));
    await runSampling(db.pool, params, { month: '2026-10' }, new Date('2026-11-02T00:00:00Z'));
    const report = await replayRun(db.pool, run.runId);
    expect(report).toMatchObject({ matches: true, differences: [], quotaMismatches: [] });
    expect(report.stored).toBe(run.selected);

    await db.pool.query(`update calls set duration_s = 60 where call_id = 'short'`);
    const changed = await replayRun(db.pool, run.runId);
    expect(changed.matches).toBe(false);
    expect(changed.differences).toContainEqual({
      callId: 'short',
      stored: 'short_call',
      replayed: undefined,
    });
  });
});
