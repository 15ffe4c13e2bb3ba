import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { queueQuery } from '../../api/contracts/review.ts';
import { callReviewView } from '../../api/services/call-review-view.ts';
import { reviewQueue } from '../../api/services/review-queue.ts';
import type { Actor } from '../../models/permissions.ts';
import { getCall, upsertCalls } from '../../models/call-repository.ts';
import { latestCallScore } from '../../models/call-score-repository.ts';
import { getProcessing, getTranscript, saveTranscript } from '../../models/pipeline-repository.ts';
import {
  callReviewRecord,
  reviewsOf,
  sampleAndAssignment,
  scorecardSource,
} from '../../models/review-repository.ts';
import { effectiveOutcome, importQaOutcomes } from '../../models/score-repository.ts';
import { createUserToken, withToken } from '../helpers/auth.ts';
import { buildCall, buildTranscript } from '../helpers/builders.ts';
import { testConfig } from '../helpers/config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { registerReviewCard, sampleOctober, saveReviewableScore } from '../helpers/review-fixtures.ts';

/**
 * The review workspace on a real PostgreSQL: plans and assignment, the queue
 * (filters, order, cursor, scope), the call page, audio with Range, and
 * review submission (versions, conflicts, scores, outcome, audit, rollback).
 */

let db: TestDatabase;
let app: FastifyInstance;
let storageDir: string;
let outside: string;
const as = {} as Record<'admin' | 'qa1' | 'qa2' | 'supervisor' | 'agent', FastifyInstance>;
const names = {} as Record<keyof typeof as, string>;
const AUDIO = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

/** 3 agents: P1, P2 (team TA), P3 (team TB); 6 calls each in 2026-10, sampled and scored. */
const AGENTS = [
  { agentId: 'P1', team: 'TA' },
  { agentId: 'P2', team: 'TA' },
  { agentId: 'P3', team: 'TB' },
];
const NEEDS_REVIEW = new Set(['q-P1-4', 'q-P3-5', 'q-P2-0']);

beforeAll(async () => {
  db = await createTestDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'callqa-review-'));
  const config = testConfig(db.url, dir);
  storageDir = config.storageDir;
  await mkdir(storageDir, { recursive: true });
  outside = await mkdtemp(join(tmpdir(), 'callqa-outside-'));
  app = await buildApp({ pool: db.pool, config });
  for (const [key, role, scope] of [
    ['admin', 'admin', {}],
    ['qa1', 'qa', {}],
    ['qa2', 'qa', {}],
    ['supervisor', 'supervisor', { teams: ['TA'] }],
    ['agent', 'agent', { agentId: 'P1' }],
  ] as const) {
    const made = await createUserToken(db.pool, role, scope as { teams?: string[]; agentId?: string });
    as[key] = withToken(app, made.token);
    names[key] = made.username;
  }
  await registerReviewCard(db.pool);
  const calls = AGENTS.flatMap(({ agentId, team }) =>
    Array.from({ length: 6 }, (_, i) =>
      buildCall({
        callId: `q-${agentId}-${i}`,
        agentId,
        team,
        // Short calls: every one is picked (short_call), so the whole month is in the sample.
        durationS: 10,
        startedAt: new Date(Date.UTC(2026, 9, 2 + i, 2 + AGENTS.findIndex((a) => a.agentId === agentId))),
      }),
    ),
  );
  await sampleOctober(as.admin, db.pool, calls);
  for (const call of calls) {
    await saveTranscript(
      db.pool,
      buildTranscript(call.callId, {
        durationS: 10,
        segments: [
          { speaker: 'agent', start: 0, end: 2, text: '您好，请问我的电话是13812345678吗' },
          { speaker: 'customer', start: 2, end: 4, text: '是的' },
        ],
      }),
    );
    await saveReviewableScore(db.pool, call.callId, { needsReview: NEEDS_REVIEW.has(call.callId) });
  }
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

async function walk(client: FastifyInstance, query: string) {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url: string = `/review/queue?${query}${cursor ? `&cursor=${cursor}` : ''}`;
    const response = await client.inject({ method: 'GET', url });
    expect(response.statusCode, response.body).toBe(200);
    ids.push(...response.json().items.map((i: { callId: string }) => i.callId));
    cursor = response.json().nextCursor;
    pages += 1;
  } while (cursor && pages < 50);
  return { ids, pages };
}

describe('QA plans', () => {
  it('assigns needs-review calls first, spread over agents, up to each quota; audited', async () => {
    const response = await as.admin.inject({
      method: 'PUT',
      url: '/review/plans/2026-10',
      payload: {
        reviewers: [
          { username: names.qa1, quota: 4 },
          { username: names.qa2, quota: 2 },
        ],
      },
    });
    expect(response.statusCode, response.body).toBe(200);
    const plan = response.json();
    expect(plan).toMatchObject({
      month: '2026-10',
      createdBy: names.admin,
      reviewers: [
        { username: names.qa1, quota: 4, assigned: 4, reviewed: 0 },
        { username: names.qa2, quota: 2, assigned: 2, reviewed: 0 },
      ],
      totals: { sampled: 18, scored: 18, assigned: 6, reviewed: 0 },
    });
    const { rows } = await db.pool.query(
      `select q.call_id, u.username from review_queue q join users u on u.user_id = q.assigned_to
       where q.month = '2026-10-01' order by q.call_id`,
    );
    const assigned = rows.map((r) => r.call_id);
    // Every needs-review call is taken before any other; the other three are one per agent.
    for (const id of NEEDS_REVIEW) expect(assigned).toContain(id);
    const rest = assigned.filter((id) => !NEEDS_REVIEW.has(id));
    expect(rest.map((id) => id.split('-')[1]).sort()).toEqual(['P1', 'P2', 'P3']);
    // Each agent's earliest open call.
    expect(rest.sort()).toEqual(['q-P1-0', 'q-P2-1', 'q-P3-0']);
    const audit = await db.pool.query(
      `select actor, before, after from audit_log where action = 'qa_plan_set' and target = 'plan:2026-10'`,
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]).toMatchObject({ actor: names.admin, before: null, after: { newlyAssigned: 6 } });
  });

  it('re-setting keeps every assignment and fills up to the new quotas', async () => {
    const before = await db.pool.query(
      `select call_id, assigned_to from review_queue where assigned_to is not null`,
    );
    const response = await as.admin.inject({
      method: 'PUT',
      url: '/review/plans/2026-10',
      payload: {
        reviewers: [
          { username: names.qa1, quota: 4 },
          { username: names.qa2, quota: 3 },
        ],
      },
    });
    expect(response.json().reviewers[1]).toMatchObject({ quota: 3, assigned: 3 });
    const after = await db.pool.query(
      `select call_id, assigned_to from review_queue where assigned_to is not null`,
    );
    expect(after.rows).toEqual(expect.arrayContaining(before.rows));
    expect(after.rows).toHaveLength(7);
    // The same plan again assigns nothing new.
    await as.admin.inject({
      method: 'PUT',
      url: '/review/plans/2026-10',
      payload: {
        reviewers: [
          { username: names.qa1, quota: 4 },
          { username: names.qa2, quota: 3 },
        ],
      },
    });
    const again = await db.pool.query(
      `select count(*)::int as n from review_queue where assigned_to is not null`,
    );
    expect(again.rows[0].n).toBe(7);
    const audit = await db.pool.query(
      `select before from audit_log where action = 'qa_plan_set' order by audit_id desc limit 1`,
    );
    expect(audit.rows[0].before.reviewers).toEqual([
      { username: names.qa1, quota: 4 },
      { username: names.qa2, quota: 3 },
    ]);
  });

  it('refuses a reviewer who may not review, and answers 404 for a month without a plan', async () => {
    const response = await as.admin.inject({
      method: 'PUT',
      url: '/review/plans/2026-10',
      payload: { reviewers: [{ username: names.supervisor, quota: 4 }] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('plan_invalid');
    expect(response.json().message).toContain(names.supervisor);
    const missing = await as.qa1.inject({ method: 'GET', url: '/review/plans/2026-03' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('plan_not_found');
    const bad = await as.admin.inject({
      method: 'PUT',
      url: '/review/plans/2026-10',
      payload: { reviewers: [] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('invalid_body');
  });
});

describe('GET /review/queue', () => {
  it('a qa sees their own calls by default, needs-review first, then by start time', async () => {
    const body = (await as.qa1.inject({ method: 'GET', url: '/review/queue?month=2026-10' })).json();
    expect(body.month).toBe('2026-10');
    expect(body.items).toHaveLength(4);
    expect(body.items.every((i: { assignee: string }) => i.assignee === names.qa1)).toBe(true);
    const flags = body.items.map((i: { needsReview: boolean }) => i.needsReview);
    expect(flags).toEqual([...flags].sort((a: boolean, b: boolean) => Number(b) - Number(a)));
    expect(body.items[0]).toMatchObject({
      autoScore: 90,
      score: 90,
      reviewed: false,
      reviewVersion: 0,
      sampleReason: 'short_call',
    });
  });

  it('walks the whole month with a cursor, in order, each call once', async () => {
    const { ids, pages } = await walk(as.admin, 'month=2026-10&limit=4&status=all');
    expect(pages).toBe(5);
    expect(ids).toHaveLength(18);
    expect(new Set(ids).size).toBe(18);
    expect(ids.slice(0, 3).sort()).toEqual([...NEEDS_REVIEW].sort());
    const { rows } = await db.pool.query(
      `select call_id from review_queue order by not needs_review, started_at, call_id`,
    );
    expect(ids).toEqual(rows.map((r) => r.call_id));
  });

  it('filters by agent, team, needs-review, score and assignee', async () => {
    const get = async (query: string) =>
      (await as.admin.inject({ method: 'GET', url: `/review/queue?month=2026-10&status=all&${query}` }))
        .json()
        .items.map((i: { callId: string }) => i.callId);
    expect(await get('agent=P2')).toHaveLength(6);
    expect((await get('team=TB')).every((id: string) => id.startsWith('q-P3'))).toBe(true);
    expect((await get('needsReview=true')).sort()).toEqual([...NEEDS_REVIEW].sort());
    expect(await get('scoreMin=95')).toEqual([]);
    expect(await get('scoreMax=90')).toHaveLength(18);
    expect(await get(`assignee=${names.qa2}`)).toHaveLength(3);
    expect(await get('reason=neighbour')).toEqual([]);
  });

  it('cuts a supervisor to their teams, refuses an agent, and refuses a tampered cursor', async () => {
    const { ids } = await walk(as.supervisor, 'month=2026-10&status=all&limit=5');
    expect(ids).toHaveLength(12);
    expect(ids.every((id) => !id.startsWith('q-P3'))).toBe(true);
    const agent = await as.agent.inject({ method: 'GET', url: '/review/queue' });
    expect(agent.statusCode).toBe(403);
    for (const cursor of ['nope!', Buffer.from('[2,"1","x"]').toString('base64url'), 'e30']) {
      const response = await as.admin.inject({ method: 'GET', url: `/review/queue?cursor=${cursor}` });
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe('invalid_cursor');
    }
    const badQuery = await as.admin.inject({ method: 'GET', url: '/review/queue?limit=1000' });
    expect(badQuery.statusCode).toBe(400);
    expect(badQuery.json()).toMatchObject({ code: 'invalid_query', field: 'limit' });
  });
});

describe('GET /calls/:id/review', () => {
  it('orders items needs-review, fail, then card order, with points and reasons in both languages', async () => {
    const response = await as.qa1.inject({ method: 'GET', url: '/calls/q-P1-4/review' });
    expect(response.statusCode, response.body).toBe(200);
    const view = response.json();
    expect(view.score.items.map((i: { itemId: string }) => i.itemId)).toEqual([
      'greeting-offer',
      'forbidden-phrases',
      'forbidden-abusive',
      'closing',
    ]);
    expect(view.score.items.map((i: { points: number }) => i.points)).toEqual([5, 10, 100, 5]);
    expect(view.score.items[0].reason.text.en).toBe('uncertain evidence: not found: offer');
    expect(view.score.items[0].reason.text['zh-CN']).toBe('证据不确定：未找到：offer');
    expect(view.score.items[1].evidence[1].excusedBy).toMatchObject({
      code: 'excused_by',
      text: { en: 'not counted: conditional', 'zh-CN': '不计：条件句' },
    });
    expect(view).toMatchObject({
      call: { callId: 'q-P1-4', agentId: 'P1' },
      sample: { reason: 'short_call', month: '2026-10' },
      recording: { url: null, problem: 'no_recording' },
      assignment: { month: '2026-10', reviewer: names.qa1 },
      outcome: { score: 90, source: 'automatic' },
      reviews: [],
      can: { review: true },
    });
    expect(view.transcript.segments[0].text).toContain('13812345678');
  });

  it('masks an agent’s own call, says they cannot review, and hides another agent’s call as missing', async () => {
    const own = await as.agent.inject({ method: 'GET', url: '/calls/q-P1-4/review' });
    expect(own.statusCode).toBe(200);
    expect(own.json().transcript.segments[0].text).not.toContain('13812345678');
    expect(own.json().can.review).toBe(false);
    const other = await as.agent.inject({ method: 'GET', url: '/calls/q-P2-0/review' });
    const missing = await as.agent.inject({ method: 'GET', url: '/calls/nope/review' });
    expect(other.statusCode).toBe(404);
    expect(other.json().code).toBe('call_not_found');
    expect(missing.json().code).toBe('call_not_found');
  });
});

describe('GET /calls/:id/audio', () => {
  beforeAll(async () => {
    await writeFile(join(storageDir, 'a1.wav'), AUDIO);
    await writeFile(join(outside, 'secret.wav'), Buffer.from('secret'));
    await symlink(join(outside, 'secret.wav'), join(storageDir, 'link.wav'));
    await upsertCalls(db.pool, [
      buildCall({
        callId: 'au-ok',
        agentId: 'P1',
        team: 'TA',
        recording: join(storageDir, 'a1.wav'),
        recordingStatus: 'ok',
      }),
      buildCall({
        callId: 'au-gone',
        agentId: 'P1',
        team: 'TA',
        recording: join(storageDir, 'gone.wav'),
        recordingStatus: 'ok',
      }),
      buildCall({
        callId: 'au-link',
        agentId: 'P1',
        team: 'TA',
        recording: join(storageDir, 'link.wav'),
        recordingStatus: 'ok',
      }),
      buildCall({
        callId: 'au-out',
        agentId: 'P1',
        team: 'TA',
        recording: join(outside, 'secret.wav'),
        recordingStatus: 'ok',
      }),
    ]);
  });
  const audio = (callId: string, range?: string) =>
    as.qa1.inject({ method: 'GET', url: `/calls/${callId}/audio`, headers: range ? { range } : {} });

  it('sends the whole file with Accept-Ranges, and exact bytes for each range form', async () => {
    const full = await audio('au-ok');
    expect(full.statusCode).toBe(200);
    expect(full.headers['accept-ranges']).toBe('bytes');
    expect(full.headers['content-type']).toBe('audio/wav');
    expect(full.rawPayload.equals(AUDIO)).toBe(true);
    for (const [range, start, end] of [
      ['bytes=10-19', 10, 19],
      ['bytes=990-', 990, 999],
      ['bytes=-5', 995, 999],
      ['bytes=900-5000', 900, 999],
    ] as const) {
      const part = await audio('au-ok', range);
      expect({ range, status: part.statusCode }).toEqual({ range, status: 206 });
      expect(part.headers['content-range']).toBe(`bytes ${start}-${end}/1000`);
      expect(part.headers['content-length']).toBe(String(end - start + 1));
      expect(part.rawPayload.equals(AUDIO.subarray(start, end + 1))).toBe(true);
    }
  });

  it('answers 416 for a range past the end, 404 recording_unavailable for a missing or escaping file', async () => {
    for (const range of ['bytes=1000-', 'bytes=-0']) {
      const response = await audio('au-ok', range);
      expect(response.statusCode).toBe(416);
      expect(response.headers['content-range']).toBe('bytes */1000');
    }
    const gone = await audio('au-gone');
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ code: 'recording_unavailable', reason: 'not_found' });
    for (const callId of ['au-link', 'au-out']) {
      const response = await audio(callId);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ code: 'recording_unavailable', reason: 'path_escape' });
      expect(response.body).not.toContain('secret');
    }
    const none = await audio('q-P1-0');
    expect(none.json()).toMatchObject({ code: 'recording_unavailable', reason: 'no_recording' });
  });

  it('sends a file larger than one read exactly, and refuses a FIFO or a directory without blocking', async () => {
    // 700 KB: several 256 KiB reads; ranges across read boundaries.
    const big = Buffer.from(Array.from({ length: 700_000 }, (_, i) => (i * 7) % 256));
    await writeFile(join(storageDir, 'big.wav'), big);
    await mkdir(join(storageDir, 'dir.wav'));
    execFileSync('mkfifo', [join(storageDir, 'fifo.wav')]);
    await upsertCalls(
      db.pool,
      ['big', 'dir', 'fifo'].map((name) =>
        buildCall({
          callId: `au-${name}`,
          agentId: 'P1',
          team: 'TA',
          recording: join(storageDir, `${name}.wav`),
          recordingStatus: 'ok',
        }),
      ),
    );
    expect((await audio('au-big')).rawPayload.equals(big)).toBe(true);
    for (const [start, end] of [
      [0, 262_143],
      [262_000, 530_000],
      [600_000, 699_999],
    ]) {
      const part = await audio('au-big', `bytes=${start}-${end}`);
      expect(part.statusCode).toBe(206);
      expect(part.rawPayload.equals(big.subarray(start, end + 1))).toBe(true);
    }
    for (const callId of ['au-dir', 'au-fifo']) {
      const response = await audio(callId);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ code: 'recording_unavailable', reason: 'not_a_file' });
    }
  });
});

describe('POST /calls/:id/reviews', () => {
  const review = (callId: string, payload: Record<string, unknown>, client = as.qa1) =>
    client.inject({ method: 'POST', url: `/calls/${callId}/reviews`, payload });

  it('saves version 1 with the computed score; the review becomes the outcome in force; audited', async () => {
    const response = await review('q-P1-4', {
      baseVersion: 0,
      // Confirming the uncertain offer hit fails it (−5); overturning both counted hits passes the other.
      items: [
        { itemId: 'greeting-offer', status: 'pass', hits: [{ index: 0, verdict: 'confirm' }] },
        {
          itemId: 'forbidden-phrases',
          status: 'fail',
          hits: [
            { index: 0, verdict: 'overturn' },
            { index: 2, verdict: 'overturn' },
          ],
        },
      ],
      finalScore: 95,
      passed: true,
      exemplary: true,
      exemplaryNote: 'calm under pressure',
    });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json()).toEqual({ version: 1, computedScore: 95, finalScore: 95, passed: true });
    const view = (await as.qa1.inject({ method: 'GET', url: '/calls/q-P1-4/review' })).json();
    expect(view.outcome).toMatchObject({ score: 95, source: 'review', recordedBy: names.qa1 });
    expect(view.reviews[0]).toMatchObject({
      version: 1,
      exemplary: true,
      exemplaryNote: 'calm under pressure',
    });
    const event = await db.pool.query(
      `select reason from call_outcome_events where call_id = 'q-P1-4' and source = 'review'`,
    );
    expect(event.rows).toEqual([{ reason: { code: 'qa_review', params: { version: 1 } } }]);
    const month = await db.pool.query(
      `select score, source from agent_month_scores where agent_id = 'P1' and month = '2026-10-01'`,
    );
    // Six calls at 90, one now at 95 (the month score follows the review).
    expect(month.rows[0]).toEqual({ score: 90.83, source: 'computed' });
    const audit = await db.pool.query(
      `select actor, after from audit_log where action = 'call_reviewed' and target = 'call:q-P1-4'`,
    );
    expect(audit.rows).toEqual([
      { actor: names.qa1, after: expect.objectContaining({ version: 1, finalScore: 95 }) },
    ]);
    const queue = (
      await as.qa1.inject({ method: 'GET', url: '/review/queue?month=2026-10&status=reviewed' })
    ).json();
    expect(queue.items.map((i: { callId: string }) => i.callId)).toEqual(['q-P1-4']);
    expect(queue.items[0]).toMatchObject({ score: 95, reviewed: true, reviewVersion: 1 });
  });

  it('refuses a stale base version (409) and saves version 2 on the current one', async () => {
    const stale = await review('q-P1-4', {
      baseVersion: 0,
      items: [{ itemId: 'greeting-offer', status: 'pass' }],
      finalScore: 90,
      passed: true,
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().code).toBe('review_conflict');
    const second = await review(
      'q-P1-4',
      {
        baseVersion: 1,
        items: [{ itemId: 'greeting-offer', status: 'pass' }],
        addedDeductions: [{ itemId: 'closing', start: 40, end: 45, points: 20, comment: 'hung up' }],
        finalScore: 70,
        passed: false,
      },
      as.qa2,
    );
    expect(second.statusCode, second.body).toBe(201);
    // forbidden-phrases keeps −10, the added deduction fails closing with −20.
    expect(second.json()).toEqual({ version: 2, computedScore: 70, finalScore: 70, passed: false });
  });

  it('requires a comment when the final score differs from the computed one', async () => {
    const payload = {
      baseVersion: 0,
      items: [{ itemId: 'greeting-offer', status: 'pass' }],
      finalScore: 85,
      passed: true,
    };
    const bare = await review('q-P3-5', payload);
    expect(bare.statusCode).toBe(400);
    expect(bare.json()).toMatchObject({ code: 'review_invalid' });
    expect(bare.json().message).toContain('90');
    const said = await review('q-P3-5', { ...payload, comment: 'the customer was misheard by the ASR' });
    expect(said.json()).toMatchObject({ version: 1, computedScore: 90, finalScore: 85 });
  });

  it('refuses unknown items and hits, and an undecided review item, naming them', async () => {
    const cases = [
      [
        {
          items: [
            { itemId: 'greeting-offer', status: 'pass' },
            { itemId: 'no-such', status: 'pass' },
          ],
        },
        'no-such',
      ],
      [
        { items: [{ itemId: 'greeting-offer', status: 'pass', hits: [{ index: 7, verdict: 'confirm' }] }] },
        'hit 7',
      ],
      [{ items: [] }, 'greeting-offer'],
      [
        {
          items: [{ itemId: 'greeting-offer', status: 'pass' }],
          addedDeductions: [{ itemId: 'x', start: 0, end: 1, points: 1, comment: 'c' }],
        },
        '"x"',
      ],
    ] as const;
    for (const [body, named] of cases) {
      const response = await review('q-P2-0', { baseVersion: 0, finalScore: 90, passed: true, ...body });
      expect({ named, status: response.statusCode, code: response.json().code }).toEqual({
        named,
        status: 400,
        code: 'review_invalid',
      });
      expect(response.json().message).toContain(named);
    }
    const { rows } = await db.pool.query(
      `select count(*)::int as n from call_reviews where call_id = 'q-P2-0'`,
    );
    expect(rows[0].n).toBe(0);
  });

  it('writes nothing when a step fails mid-transaction', async () => {
    // The audit row is the last write: make the database refuse it, for this call only.
    await db.pool.query(`
      create function refuse_review_audit() returns trigger language plpgsql as $$
      begin
        if new.action = 'call_reviewed' and new.target = 'call:q-P2-0' then raise exception 'forced failure'; end if;
        return new;
      end $$;
      create trigger refuse_review_audit before insert on audit_log for each row execute function refuse_review_audit();`);
    try {
      const count = async () =>
        (
          await db.pool.query(
            `select (select count(*) from call_reviews where call_id = 'q-P2-0')::int as reviews,
                    (select count(*) from call_outcome_events where call_id = 'q-P2-0' and source = 'review')::int as events,
                    (select count(*) from audit_log where target = 'call:q-P2-0')::int as audits,
                    (select count(*) from agent_month_score_events where agent_id = 'P2')::int as months,
                    (select review_version from review_queue where call_id = 'q-P2-0') as version`,
          )
        ).rows[0];
      const before = await count();
      const response = await review('q-P2-0', {
        baseVersion: 0,
        items: [{ itemId: 'greeting-offer', status: 'fail' }],
        finalScore: 10,
        passed: false,
        comment: 'rude',
      });
      expect(response.statusCode).toBe(500);
      expect(await count()).toEqual(before);
      expect(before).toMatchObject({ reviews: 0, events: 0, audits: 0, version: 0 });
    } finally {
      await db.pool.query(`drop trigger refuse_review_audit on audit_log`);
    }
  });

  it('keeps reviews append-only and lets an import never outrank a review', async () => {
    await expect(db.pool.query(`update call_reviews set final_score = 0`)).rejects.toThrow(/append-only/);
    await importQaOutcomes(db.pool, [{ callId: 'q-P1-4', score: 10, passed: false }]);
    const queue = (
      await as.admin.inject({ method: 'GET', url: '/review/queue?month=2026-10&agent=P1&status=reviewed' })
    ).json();
    expect(queue.items[0]).toMatchObject({ callId: 'q-P1-4', score: 70 });
  });

  it('refuses a supervisor and an agent', async () => {
    const payload = {
      baseVersion: 0,
      items: [{ itemId: 'greeting-offer', status: 'pass' }],
      finalScore: 90,
      passed: true,
    };
    expect((await review('q-P1-5', payload, as.supervisor)).statusCode).toBe(403);
    expect((await review('q-P1-5', payload, as.agent)).statusCode).toBe(403);
  });
});

describe('the call page in one statement', () => {
  it('reads what each repository function reads, for reviewed, scored and bare calls, cut to the scope', async () => {
    // A call with nothing yet: no transcript, score, outcome, sample, assignment or processing row.
    await upsertCalls(db.pool, [
      buildCall({ callId: 'bare-1', agentId: 'P1', team: 'TA', startedAt: new Date(Date.UTC(2026, 9, 20)) }),
    ]);
    const { rows } = await db.pool.query(`select call_id from calls order by call_id`);
    expect(rows.length).toBeGreaterThan(18);
    const { rows: reviewed } = await db.pool.query(`select distinct call_id from call_reviews`);
    expect(reviewed.length).toBeGreaterThan(0);
    for (const { call_id: callId } of rows) {
      const record = await callReviewRecord(db.pool, { kind: 'all' }, callId);
      const stored = await latestCallScore(db.pool, callId);
      const transcript = await getTranscript(db.pool, callId);
      const outcome = await effectiveOutcome(db.pool, callId);
      const processing = await getProcessing(db.pool, callId);
      const placement = await sampleAndAssignment(db.pool, callId);
      const { rows: agent } = await db.pool.query(`select agent_name from agents where agent_id = $1`, [
        record!.call.agentId,
      ]);
      expect(record, callId).toEqual({
        call: await getCall(db.pool, callId),
        agentName: agent[0]?.agent_name ?? null,
        transcript: transcript
          ? {
              source: transcript.source,
              speakerMode: transcript.speakerMode,
              durationS: transcript.durationS,
              segments: transcript.segments,
            }
          : null,
        score: stored
          ? {
              ...stored,
              cardSha256: (await scorecardSource(db.pool, stored.scorecardId, stored.version))!.sha256,
            }
          : null,
        outcome: outcome ?? null,
        sample: placement.sample,
        assignment: placement.assignment,
        processing: processing ? { state: processing.state, failureCode: processing.failureCode } : null,
        reviews: await reviewsOf(db.pool, callId),
      });
    }
    // Out of scope and missing: the same answer.
    expect(await callReviewRecord(db.pool, { kind: 'teams', teams: ['TB'] }, 'q-P1-4')).toBeUndefined();
    expect(await callReviewRecord(db.pool, { kind: 'teams', teams: ['TA'] }, 'q-P1-4')).toBeDefined();
    expect(await callReviewRecord(db.pool, { kind: 'agent', agentId: 'P2' }, 'q-P1-4')).toBeUndefined();
    expect(await callReviewRecord(db.pool, { kind: 'agent', agentId: 'P1' }, 'q-P1-4')).toBeDefined();
    expect(await callReviewRecord(db.pool, { kind: 'all' }, 'no-such-call')).toBeUndefined();
  });
});

describe('response schemas', () => {
  it('serialize the queue and the call page without dropping or changing anything', async () => {
    const { rows } = await db.pool.query(`select user_id from users where username = $1`, [names.qa1]);
    const actor: Actor = {
      userId: rows[0].user_id,
      username: names.qa1,
      role: 'qa',
      teams: [],
      via: 'token',
    };
    const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
    const { rows: calls } = await db.pool.query(`select call_id from calls order by call_id`);
    const { rows: reviewed } = await db.pool.query(`select 1 from call_reviews`);
    expect(reviewed.length).toBeGreaterThan(0);
    for (const { call_id: callId } of calls) {
      const response = await as.qa1.inject({ method: 'GET', url: `/calls/${callId}/review` });
      expect(response.statusCode).toBe(200);
      // The phone number in the transcript is not masked for qa (testConfig masks no role but agent).
      expect(response.json(), callId).toEqual(plain(await callReviewView({ actor, tx: db.pool }, callId)));
    }
    for (const query of [
      'month=2026-10&assignee=all&status=all&limit=7',
      'month=2026-10&status=reviewed&assignee=all',
    ]) {
      const response = await as.qa1.inject({ method: 'GET', url: `/review/queue?${query}` });
      const parsed = queueQuery.parse(Object.fromEntries(new URLSearchParams(query)));
      expect(response.json()).toEqual(plain(await reviewQueue({ actor, tx: db.pool }, parsed)));
      expect(response.json().items.length).toBeGreaterThan(0);
    }
  });
});
