import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { overrideCallOutcome, overrideMonthScore } from '../../api/services/score-review-service.ts';
import { upsertCalls, type CallToStore } from '../../models/call-repository.ts';
import { registerScorecard, saveCallScore } from '../../models/call-score-repository.ts';
import { runMigrations } from '../../models/migrate.ts';
import {
  effectiveMonthScore,
  effectiveOutcome,
  importMonthScores,
  importQaOutcomes,
  outcomeHistory,
  recomputeMonthScore,
} from '../../models/score-repository.ts';
import { replayRun } from '../../sampling/replay-run.ts';
import { runSampling } from '../../sampling/run-sampling.ts';
import { buildCall, buildSamplingParams } from '../helpers/builders.ts';
import type { Actor } from '../../models/permissions.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

const TZ = 'Asia/Shanghai';
const SHANGHAI_SEP_START = Date.parse('2026-08-31T16:00:00Z');
const SHANGHAI_OCT_START = Date.parse('2026-09-30T16:00:00Z');

/** A QA reviewer as the service sees one (no user row: the audit names them, it does not reference them). */
const reviewer: Actor = { userId: 0, username: 'qa-lead-7', role: 'qa', teams: [], via: 'token' };
const asReviewer = (tx: TestDatabase['pool']) => ({
  actor: reviewer,
  audit: { userId: null, name: reviewer.username },
  tx,
});

let db: TestDatabase;
beforeEach(async () => {
  await db?.drop();
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

function monthOfCalls(agentId: string, monthStartMs: number, n: number): CallToStore[] {
  const step = (30 * 86400_000) / n;
  return Array.from({ length: n }, (_, i) =>
    buildCall({
      callId: `${agentId}-${monthStartMs}-${i}`,
      agentId,
      startedAt: new Date(monthStartMs + Math.floor((i + 0.5) * step)),
    }),
  );
}

/** The machine's result of a call, stored the way the scoring worker stores it. */
async function machineScores(callId: string, score: number, passed: boolean) {
  await registerScorecard(db.pool, {
    scorecardId: 't',
    version: 1,
    name: 't',
    language: 'zh',
    appliesTo: null,
    source: 'test',
    sha256: 'test',
  });
  await saveCallScore(db.pool, {
    callId,
    scorecardId: 't',
    scorecardVersion: 1,
    score,
    passed,
    autoFailed: false,
    needsReview: false,
    result: {},
  });
  await recomputeMonthScore(db.pool, callId, TZ);
}

async function dbNow(): Promise<string> {
  const { rows } = await db.pool.query('select clock_timestamp()::text as now');
  return rows[0].now;
}

describe('scores as history', () => {
  it('a September score corrected after the October run leaves that run provable; the next run uses it', async () => {
    // 70 and 71 fall in different bands, so a replay that read either the corrected score or none would differ
    const params = buildSamplingParams({
      bands: [
        { minScore: 0, multiplier: 2 },
        { minScore: 71, multiplier: 1 },
      ],
    });
    await upsertCalls(db.pool, [
      ...monthOfCalls('A1', SHANGHAI_SEP_START, 500),
      ...monthOfCalls('A1', SHANGHAI_OCT_START, 500),
    ]);
    await importMonthScores(db.pool, [{ agentId: 'A1', month: '2026-09', score: 70 }]);
    const october = await runSampling(
      db.pool,
      params,
      { month: '2026-10' },
      new Date('2026-11-02T00:00:00Z'),
    );
    expect(october.byReason.random_quota).toBe(10); // ceil(1% × 500) × 2

    await importMonthScores(db.pool, [{ agentId: 'A1', month: '2026-09', score: 71 }]);
    expect((await effectiveMonthScore(db.pool, 'A1', '2026-09'))?.score).toBe(71);
    const replay = await replayRun(db.pool, october.runId);
    expect(replay).toMatchObject({ matches: true, differences: [], quotaMismatches: [] });

    // both values stay on record, and a run made now reads the correction
    const { rows } = await db.pool.query(
      `select score, source from agent_month_score_events where agent_id = 'A1' order by event_id`,
    );
    expect(rows).toEqual([
      { score: 70, source: 'imported' },
      { score: 71, source: 'imported' },
    ]);
    const later = await runSampling(db.pool, params, { month: '2026-10' }, new Date('2026-11-02T00:01:00Z'));
    const quota = await db.pool.query(`select last_score, quota from sampling_run_agents where run_id = $1`, [
      later.runId,
    ]);
    expect(quota.rows).toEqual([{ last_score: 71, quota: 5 }]);
  });

  it("a reviewer's override after a run: the run's replay stands, the next run brings the neighbours", async () => {
    const params = buildSamplingParams();
    const calls = monthOfCalls('A1', SHANGHAI_OCT_START, 100);
    await upsertCalls(db.pool, calls);
    const first = await runSampling(db.pool, params, { month: '2026-10' }, new Date('2026-11-02T00:00:00Z'));
    const { rows: picks } = await db.pool.query(`select call_id from sample_items where run_id = $1`, [
      first.runId,
    ]);
    const picked: string = picks[0].call_id;
    await machineScores(picked, 90, true);
    const second = await runSampling(db.pool, params, { month: '2026-10' }, new Date('2026-11-02T00:01:00Z'));
    expect(second.selected).toBe(0); // it passed: no neighbours

    await overrideCallOutcome(
      asReviewer(db.pool),
      { callId: picked, score: 40, passed: false, reason: { code: 'misheard_by_asr' } },
      { timeZone: TZ },
    );
    expect(await replayRun(db.pool, second.runId)).toMatchObject({ matches: true, stored: 0, replayed: 0 });

    const third = await runSampling(db.pool, params, { month: '2026-10' }, new Date('2026-11-02T00:02:00Z'));
    const index = calls.findIndex((c) => c.callId === picked);
    const { rows: neighbours } = await db.pool.query(
      `select call_id, reason, detail->>'neighbour_of' as of from sample_items where run_id = $1 order by call_id`,
      [third.runId],
    );
    expect(neighbours).toEqual(
      [calls[index - 1]?.callId, calls[index + 1]?.callId]
        .filter(Boolean)
        .sort()
        .map((id) => ({ call_id: id, reason: 'neighbour', of: picked })),
    );
    expect(await replayRun(db.pool, third.runId)).toMatchObject({ matches: true });
    expect(await replayRun(db.pool, second.runId)).toMatchObject({ matches: true });

    // the machine's result is kept beside the reviewer's
    expect(
      (await outcomeHistory(db.pool, picked)).map(({ source, score, passed, recordedBy, reason }) => ({
        source,
        score,
        passed,
        recordedBy,
        reason,
      })),
    ).toEqual([
      { source: 'automatic', score: 90, passed: true, recordedBy: null, reason: null },
      {
        source: 'review',
        score: 40,
        passed: false,
        recordedBy: 'qa-lead-7',
        reason: { code: 'misheard_by_asr' },
      },
    ]);
  });

  it('review beats imported beats automatic, whatever order they arrive in', async () => {
    await upsertCalls(db.pool, [
      buildCall({ callId: 'c1', agentId: 'A1' }),
      buildCall({ callId: 'c2', agentId: 'A1' }),
      buildCall({ callId: 'c3', agentId: 'A1' }),
    ]);
    const ctx = asReviewer(db.pool);
    // c1: review first, then an import, then the machine
    await overrideCallOutcome(ctx, { callId: 'c1', score: 55, passed: false }, { timeZone: TZ });
    await importQaOutcomes(db.pool, [{ callId: 'c1', score: 75, passed: true }]);
    await machineScores('c1', 90, true);
    expect(await effectiveOutcome(db.pool, 'c1')).toMatchObject({
      score: 55,
      passed: false,
      source: 'review',
    });
    // c2: the machine first, then an import
    await machineScores('c2', 60, false);
    const beforeImport = await dbNow();
    await importQaOutcomes(db.pool, [{ callId: 'c2', score: 80, passed: true }]);
    expect(await effectiveOutcome(db.pool, 'c2')).toMatchObject({ score: 80, source: 'imported' });
    expect(await effectiveOutcome(db.pool, 'c2', beforeImport)).toMatchObject({
      score: 60,
      source: 'automatic',
    });
    // c3: the machine alone; a re-import of the same value adds nothing, a later machine value replaces its own
    await machineScores('c3', 70, true);
    await machineScores('c3', 70, true);
    await machineScores('c3', 72, true);
    expect((await outcomeHistory(db.pool, 'c3')).map((e) => e.score)).toEqual([70, 72]);
    await importQaOutcomes(db.pool, [{ callId: 'c2', score: 80, passed: true }]);
    expect((await outcomeHistory(db.pool, 'c2')).map((e) => e.source)).toEqual(['automatic', 'imported']);
    // the compatibility view shows the value in force
    const { rows } = await db.pool.query(`select call_id, score, source from qa_outcomes order by call_id`);
    expect(rows).toEqual([
      { call_id: 'c1', score: 55, source: 'review' },
      { call_id: 'c2', score: 80, source: 'imported' },
      { call_id: 'c3', score: 72, source: 'automatic' },
    ]);
  });

  it('the computed month score follows an overridden outcome; imported and reviewed month scores outrank it', async () => {
    const at = new Date(SHANGHAI_OCT_START + 10 * 86400_000);
    await upsertCalls(db.pool, [
      buildCall({ callId: 'b1', agentId: 'B2', startedAt: at }),
      buildCall({ callId: 'b2', agentId: 'B2', startedAt: at }),
    ]);
    const ctx = asReviewer(db.pool);
    await machineScores('b1', 80, true);
    await machineScores('b2', 60, false);
    expect(await effectiveMonthScore(db.pool, 'B2', '2026-10')).toMatchObject({
      score: 70,
      source: 'computed',
    });
    const beforeOverride = await dbNow();
    await overrideCallOutcome(ctx, { callId: 'b2', score: 100, passed: true }, { timeZone: TZ });
    expect(await effectiveMonthScore(db.pool, 'B2', '2026-10')).toMatchObject({
      score: 90,
      source: 'computed',
    });
    expect(await effectiveMonthScore(db.pool, 'B2', '2026-10', beforeOverride)).toMatchObject({ score: 70 });

    await importMonthScores(db.pool, [{ agentId: 'B2', month: '2026-10', score: 85 }]);
    await machineScores('b1', 50, false); // a later computed value (75) does not displace the import
    expect(await effectiveMonthScore(db.pool, 'B2', '2026-10')).toMatchObject({
      score: 85,
      source: 'imported',
    });
    await overrideMonthScore(ctx, {
      agentId: 'B2',
      month: '2026-10',
      score: 88,
      reason: { code: 'appeal_upheld' },
    });
    await importMonthScores(db.pool, [{ agentId: 'B2', month: '2026-10', score: 60 }]);
    expect(await effectiveMonthScore(db.pool, 'B2', '2026-10')).toMatchObject({
      score: 88,
      source: 'review',
      recordedBy: 'qa-lead-7',
    });
    const { rows } = await db.pool.query(
      `select source, score from agent_month_score_events where agent_id = 'B2' order by event_id`,
    );
    expect(rows).toEqual([
      { source: 'computed', score: 80 },
      { source: 'computed', score: 70 },
      { source: 'computed', score: 90 },
      { source: 'imported', score: 85 },
      { source: 'computed', score: 75 },
      { source: 'review', score: 88 },
      { source: 'imported', score: 60 },
    ]);
  });

  it('refuses a review with a score out of range, prose for a reason, or an unknown call, and stores nothing', async () => {
    await upsertCalls(db.pool, [buildCall({ callId: 'c1', agentId: 'A1' })]);
    const ctx = asReviewer(db.pool);
    await expect(
      overrideCallOutcome(ctx, { callId: 'c1', score: 101, passed: true }, { timeZone: TZ }),
    ).rejects.toMatchObject({ code: 'score_invalid' });
    await expect(
      overrideCallOutcome(
        ctx,
        { callId: 'c1', score: 50, passed: false, reason: { code: 'the agent was rude' } },
        { timeZone: TZ },
      ),
    ).rejects.toMatchObject({ code: 'reason_invalid' });
    await expect(
      overrideCallOutcome(ctx, { callId: 'nope', score: 50, passed: false }, { timeZone: TZ }),
    ).rejects.toMatchObject({ code: 'call_not_found' });
    const { rows } = await db.pool.query('select count(*)::int as n from call_outcome_events');
    expect(rows[0].n).toBe(0);
  });

  it('a review needs scores.review and a call in scope, and writes its audit row in the same transaction', async () => {
    await upsertCalls(db.pool, [buildCall({ callId: 'c1', agentId: 'A1' })]);
    const as = (actor: Actor) => ({ actor, audit: { userId: null, name: actor.username }, tx: db.pool });
    const agent: Actor = {
      userId: 0,
      username: 'agent-a1',
      role: 'agent',
      agentId: 'A1',
      teams: [],
      via: 'token',
    };
    await expect(
      overrideCallOutcome(as(agent), { callId: 'c1', score: 100, passed: true }, { timeZone: TZ }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    const qa: Actor = { ...reviewer };
    const otherSupervisor: Actor = {
      userId: 0,
      username: 'sup',
      role: 'supervisor',
      teams: ['T9'],
      via: 'token',
    };
    await expect(
      overrideCallOutcome(as(otherSupervisor), { callId: 'c1', score: 100, passed: true }, { timeZone: TZ }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await overrideCallOutcome(as(qa), { callId: 'c1', score: 61, passed: false }, { timeZone: TZ });
    const { rows } = await db.pool.query(
      `select actor, action, target, after from audit_log order by audit_id`,
    );
    expect(rows).toEqual([
      {
        actor: 'qa-lead-7',
        action: 'call_outcome_reviewed',
        target: 'call:c1',
        after: { score: 61, passed: false, reason: null },
      },
    ]);
  });

  it('events cannot be updated, deleted or truncated', async () => {
    await upsertCalls(db.pool, [buildCall({ callId: 'c1', agentId: 'A1' })]);
    await importQaOutcomes(db.pool, [{ callId: 'c1', score: 50, passed: false }]);
    await importMonthScores(db.pool, [{ agentId: 'A1', month: '2026-09', score: 70 }]);
    for (const table of ['call_outcome_events', 'agent_month_score_events']) {
      for (const sql of [`update ${table} set score = 99`, `delete from ${table}`, `truncate ${table}`]) {
        await expect(db.pool.query(sql)).rejects.toMatchObject({
          code: '23001',
          message: expect.stringContaining('append-only'),
        });
      }
    }
    await expect(db.pool.query(`update qa_outcomes set score = 99`)).rejects.toThrow();
    expect(await effectiveOutcome(db.pool, 'c1')).toMatchObject({ score: 50 });
    expect(await effectiveMonthScore(db.pool, 'A1', '2026-09')).toMatchObject({ score: 70 });
  });
});

describe('migration 006 on an installation with scores', () => {
  it('carries the old rows into events, and the old names read the same values', async () => {
    await db.drop();
    db = await createTestDatabase({ migrate: false });
    // the schema as it was before 006, with rows in the old shape
    const dir = fileURLToPath(new URL('../../models/migrations/', import.meta.url));
    const before = (await readdir(dir)).filter((f) => /^\d{3}_.+\.sql$/.test(f) && f < '006').sort();
    await db.pool.query(
      'create table schema_migrations (name text primary key, applied_at timestamptz not null default now())',
    );
    for (const file of before) {
      await db.pool.query(await readFile(dir + file, 'utf8'));
      await db.pool.query('insert into schema_migrations (name) values ($1)', [file]);
    }
    // Rows as the code of that time wrote them: plain SQL, since today's repositories write later columns.
    await db.pool.query(`insert into agents (agent_id, agent_name) values ('A1', 'A1')`);
    await db.pool.query(
      `insert into calls (call_id, agent_id, started_at, duration_s, direction, agent_channel, recording_status)
       select id, 'A1', '2026-10-08T09:00:00+08:00', 120, 'inbound', 'mono', 'none'
       from unnest(array['scored', 'imported', 'both']) as id`,
    );
    await db.pool.query(
      `insert into scorecards (scorecard_id, version, name, language, source, sha256)
       values ('t', 1, 't', 'zh', '', ''), ('t', 2, 't', 'zh', '', '')`,
    );
    await db.pool.query(
      `insert into call_scores (call_id, scorecard_id, scorecard_version, score, passed, auto_failed, needs_review, result, created_at)
       values ('scored', 't', 1, 60, false, false, false, '{}', '2026-10-10T00:00:00Z'),
              ('scored', 't', 2, 65, false, false, false, '{}', '2026-10-20T00:00:00Z'),
              ('both', 't', 2, 90, true, false, false, '{}', '2026-10-11T00:00:00Z')`,
    );
    await db.pool.query(
      `insert into qa_outcomes (call_id, score, passed, source, recorded_at)
       values ('scored', 65, false, 'scoring', '2026-10-20T00:00:00Z'),
              ('imported', 50, false, 'import', '2026-10-05T00:00:00Z'),
              ('both', 40, false, 'import', '2026-10-12T00:00:00Z')`,
    );
    await db.pool.query(
      `insert into agent_month_scores (agent_id, month, score, source, recorded_at)
       values ('A1', '2026-09-01', 70, 'import', '2026-10-01T00:00:00Z'),
              ('A1', '2026-10-01', 77.5, 'computed', '2026-10-20T00:00:00Z')`,
    );
    const viewBefore = await db.pool.query(`select call_id, score, passed from qa_outcomes order by call_id`);

    expect((await runMigrations(db.pool))[0]).toBe('006_score_history.sql');

    const events = await db.pool.query(
      `select call_id, source, score, recorded_at from call_outcome_events order by call_id, recorded_at`,
    );
    expect(events.rows).toEqual([
      { call_id: 'both', source: 'automatic', score: 90, recorded_at: new Date('2026-10-11T00:00:00Z') },
      { call_id: 'both', source: 'imported', score: 40, recorded_at: new Date('2026-10-12T00:00:00Z') },
      { call_id: 'imported', source: 'imported', score: 50, recorded_at: new Date('2026-10-05T00:00:00Z') },
      { call_id: 'scored', source: 'automatic', score: 60, recorded_at: new Date('2026-10-10T00:00:00Z') },
      { call_id: 'scored', source: 'automatic', score: 65, recorded_at: new Date('2026-10-20T00:00:00Z') },
    ]);
    const months = await db.pool.query(
      `select to_char(month, 'YYYY-MM') as month, source, score from agent_month_score_events order by month`,
    );
    expect(months.rows).toEqual([
      { month: '2026-09', source: 'imported', score: 70 },
      { month: '2026-10', source: 'computed', score: 77.5 },
    ]);
    const viewAfter = await db.pool.query(`select call_id, score, passed from qa_outcomes order by call_id`);
    expect(viewAfter.rows).toEqual(viewBefore.rows);
    // a run before the migration reads, as of its instant, what it read then
    expect(await effectiveOutcome(db.pool, 'scored', '2026-10-15T00:00:00Z')).toMatchObject({ score: 60 });
    expect(await effectiveMonthScore(db.pool, 'A1', '2026-09')).toMatchObject({
      score: 70,
      source: 'imported',
    });
  });
});
