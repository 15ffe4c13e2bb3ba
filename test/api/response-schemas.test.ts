import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { upsertCalls } from '../../models/call-repository.ts';
import { admitSampledCalls, markFailed, saveTranscript } from '../../models/pipeline-repository.ts';
import { createUserToken, withToken } from '../helpers/auth.ts';
import { buildCall, buildTranscript } from '../helpers/builders.ts';
import { testConfig } from '../helpers/config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { registerReviewCard, saveReviewableScore } from '../helpers/review-fixtures.ts';

/**
 * Every JSON route answers exactly what its handler (its service) returned.
 * Responses are serialized from their schemas (fast-json-stringify), which
 * drops any property a schema does not list and coerces any value of another
 * type: so each answer below is compared with the very object the handler
 * handed to Fastify (caught by a last preSerialization hook, after masking and
 * path scrubbing), as JSON. The walk covers every route with each success
 * status and the error bodies with their extra details; a route added later
 * without a case here fails the coverage test at the end.
 */

let db: TestDatabase;
let app: FastifyInstance;
let storageDir: string;
const as = {} as Record<'admin' | 'qa' | 'agent', FastifyInstance>;
const names = {} as Record<keyof typeof as, string>;
const PASSWORD = 'a long enough password';

/** What the handler handed over, for the request in flight (requests here run one at a time). */
let handed: { payload: unknown } | undefined;
/** "METHOD /route status" of every answer given. */
const answered = new Set<string>();

beforeAll(async () => {
  db = await createTestDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'callqa-response-schemas-'));
  const config = testConfig(db.url, dir);
  storageDir = config.storageDir;
  await mkdir(storageDir, { recursive: true });
  app = await buildApp({ pool: db.pool, config });
  // Added last, so it sees the payload as the app's own hooks (scrub, mask) leave it.
  app.addHook('preSerialization', async (_request, _reply, payload) => {
    handed = { payload };
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    answered.add(`${request.method} ${request.routeOptions.url} ${reply.statusCode}`);
  });
  for (const [key, role, scope] of [
    ['admin', 'admin', { password: PASSWORD }],
    ['qa', 'qa', {}],
    ['agent', 'agent', { agentId: 'S1' }],
  ] as const) {
    const made = await createUserToken(db.pool, role, scope);
    as[key] = withToken(app, made.token);
    names[key] = made.username;
  }
  await registerReviewCard(db.pool);
  await writeFile(join(storageDir, 's-1.wav'), Buffer.alloc(1000, 7));
  const calls = [0, 1, 2, 3].map((i) =>
    buildCall({
      callId: `s-${i}`,
      agentId: i < 2 ? 'S1' : 'S2',
      team: 'ST',
      durationS: 10,
      startedAt: new Date(Date.UTC(2026, 9, 3 + i, 2)),
      ...(i === 1 ? { recording: join(storageDir, 's-1.wav'), recordingStatus: 'ok' as const } : {}),
    }),
  );
  await upsertCalls(db.pool, calls);
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

const plain = (value: unknown) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

/**
 * Sends a request and checks the answer is the handler's object, whole: the
 * status must be `status`, and a JSON answer must equal what was handed over.
 */
async function answer(client: FastifyInstance, options: InjectOptions, status: number) {
  handed = undefined;
  const response = await client.inject(options);
  expect(response.statusCode, `${options.method} ${options.url}: ${response.body}`).toBe(status);
  const route = `${options.method} ${String(options.url).split('?')[0]}`;
  if (status !== 204) {
    expect(handed, route).toBeDefined();
    expect(response.json(), route).toEqual(plain(handed!.payload));
  }
  return response;
}

describe('every route answers what its handler returned', () => {
  it('health and the session: login, me, logout', async () => {
    await answer(app, { method: 'GET', url: '/health' }, 200);
    const login = await answer(
      app,
      {
        method: 'POST',
        url: '/auth/login',
        headers: { 'x-requested-with': 'test' },
        payload: { username: names.admin, password: PASSWORD },
      },
      200,
    );
    expect(Object.keys(login.json()).sort()).toEqual(['expiresAt', 'username']);
    const me = await answer(as.agent, { method: 'GET', url: '/auth/me' }, 200);
    expect(me.json()).toMatchObject({ role: 'agent', agentId: 'S1', teams: [] });
    // Errors keep their details: the login refusal, and a refused field.
    await answer(
      app,
      {
        method: 'POST',
        url: '/auth/login',
        headers: { 'x-requested-with': 'test' },
        payload: { username: names.admin, password: 'wrong' },
      },
      401,
    );
    const refused = await answer(
      app,
      { method: 'POST', url: '/auth/login', headers: { 'x-requested-with': 'test' }, payload: {} },
      400,
    );
    expect(refused.json()).toMatchObject({ code: 'invalid_body', field: 'username' });
    const cookie = login.headers['set-cookie'] as string;
    await answer(
      app,
      {
        method: 'POST',
        url: '/auth/logout',
        headers: { cookie: cookie.split(';')[0], 'x-requested-with': 'test' },
      },
      204,
    );
  });

  it('ingest: the report (all landed, some refused, none landed) and a refused body', async () => {
    const report = await answer(
      as.admin,
      {
        method: 'POST',
        url: '/calls',
        payload: [
          {
            callId: 's-9',
            agentId: 'S2',
            team: 'ST',
            startedAt: '2026-10-20T02:00:00Z',
            durationS: 30,
            direction: 'inbound',
            recording: '/nowhere/s-9.wav',
          },
          {
            callId: 's-9',
            agentId: 'S2',
            startedAt: '2026-10-20T02:00:00Z',
            durationS: 30,
            direction: 'inbound',
          },
          { agentId: 'S2' },
        ],
      },
      200,
    );
    expect(report.json().rejected).toHaveLength(2);
    expect(report.json().rejected[0]).toHaveProperty('callId', 's-9');
    expect(report.json().rejected[1]).not.toHaveProperty('callId');
    expect(report.json().flagged).toHaveLength(1);
    await answer(as.admin, { method: 'POST', url: '/calls', payload: [{ agentId: 'S2' }] }, 400);
    const refused = await answer(as.admin, { method: 'POST', url: '/calls', payload: { calls: 1 } }, 400);
    expect(refused.json()).toMatchObject({ code: 'invalid_body' });
  });

  it('sampling: a run, the runs, a run page by page, a replay, a manual pick', async () => {
    const run = await answer(
      as.admin,
      {
        method: 'POST',
        url: '/sampling/runs',
        payload: { month: '2026-10', through: '2026-11-01T00:00:00+08:00' },
      },
      201,
    );
    const runId = run.json().runId as number;
    expect(Object.keys(run.json().byReason).length).toBeGreaterThan(0);
    await answer(as.admin, { method: 'GET', url: '/sampling/runs?limit=1' }, 200);
    const first = await answer(as.admin, { method: 'GET', url: `/sampling/runs/${runId}?limit=2` }, 200);
    expect(first.json().agents.length).toBeGreaterThan(0);
    expect(first.json().nextCursor).not.toBeNull();
    const next = await answer(
      as.admin,
      { method: 'GET', url: `/sampling/runs/${runId}?limit=2&after=${first.json().nextCursor}` },
      200,
    );
    expect(next.json()).not.toHaveProperty('agents');
    // A call changed after the run: the replay names it.
    await db.pool.query(`update calls set duration_s = 600 where call_id = 's-0'`);
    const replay = await answer(as.admin, { method: 'POST', url: `/sampling/runs/${runId}/replay` }, 200);
    expect(replay.json().differences.length).toBeGreaterThan(0);
    await db.pool.query(`update calls set duration_s = 10 where call_id = 's-0'`);
    // A call that arrived after the run, picked by hand (once).
    await upsertCalls(db.pool, [buildCall({ callId: 's-late', agentId: 'S2', team: 'ST', durationS: 300 })]);
    const pick = { method: 'POST', url: '/sampling/items', payload: { callId: 's-late' } } as const;
    await answer(as.admin, pick, 201);
    await answer(as.admin, pick, 409);
  });

  it('a call, its recording, its transcript (imported and from ASR), its scores and the pipeline', async () => {
    await answer(as.admin, { method: 'GET', url: '/calls/s-1' }, 200);
    await answer(as.admin, { method: 'GET', url: '/calls/no-such-call' }, 404);
    await answer(
      as.admin,
      {
        method: 'POST',
        url: '/calls/s-3/recording',
        headers: { 'content-type': 'audio/wav' },
        payload: Buffer.alloc(500, 3),
      },
      201,
    );
    const imported = await answer(
      as.admin,
      {
        method: 'POST',
        url: '/calls/s-3/transcript',
        payload: {
          channel: 'chat',
          segments: [{ speaker: 'agent', start: 0, end: 2, text: '您好', confidence: 0.9 }],
        },
      },
      201,
    );
    expect(imported.json()).toEqual({ callId: 's-3', segments: 1, state: 'transcribed' });
    const problems = await answer(
      as.admin,
      { method: 'POST', url: '/calls/s-3/transcript', payload: { segments: [{ speaker: 'x' }] } },
      400,
    );
    expect(problems.json().problems.length).toBeGreaterThan(0);
    await answer(as.admin, { method: 'GET', url: '/calls/s-3/transcript' }, 200);
    // Every optional part of an ASR transcript: voices, confidences, the speech map, the decision's extras.
    await saveTranscript(
      db.pool,
      buildTranscript('s-1', {
        durationS: 10,
        speakerMode: 'mono',
        speakerDecision: { method: 'default', confidence: 0, note: 'two voices', voiceSeparation: 0.8 },
        segments: [
          { speaker: 'unknown', start: 0, end: 2, text: '您好', confidence: 0.7, voice: 0 },
          { speaker: 'unknown', start: 2, end: 4, text: '是的', voice: 1 },
        ],
        speech: { mixed: [[0, 4]] },
      }),
    );
    const transcript = await answer(as.admin, { method: 'GET', url: '/calls/s-1/transcript' }, 200);
    expect(transcript.json().speech).toEqual({ mixed: [[0, 4]] });
    for (const callId of ['s-0', 's-1', 's-2']) {
      await saveTranscript(db.pool, buildTranscript(callId, { durationS: 10 }));
      await saveReviewableScore(db.pool, callId, { needsReview: callId === 's-2' });
    }
    await admitSampledCalls(db.pool);
    await markFailed(db.pool, 's-9', 'decode', 'recording_missing', 'no file at /nowhere/s-9.wav');
    const scores = await answer(as.admin, { method: 'GET', url: '/calls/s-1/scores' }, 200);
    expect(scores.json().scores[0].result.items.length).toBeGreaterThan(0);
    const pipeline = await answer(as.admin, { method: 'GET', url: '/pipeline' }, 200);
    expect(pipeline.json().failed.length).toBeGreaterThan(0);
  });

  it('recorded scores and outcomes, the audit log', async () => {
    await answer(
      as.admin,
      { method: 'PUT', url: '/agents/S1/month-scores/2026-09', payload: { score: 88 } },
      204,
    );
    await answer(
      as.admin,
      { method: 'POST', url: '/qa-outcomes', payload: [{ callId: 's-0', score: 90, passed: true }] },
      204,
    );
    const audit = await answer(as.admin, { method: 'GET', url: '/audit?limit=3' }, 200);
    expect(audit.json().next).toBeGreaterThan(0);
    expect(audit.json().entries.some((e: { after: unknown }) => e.after !== null)).toBe(true);
  });

  it('the review workspace: plan, queue, call page, audio errors, a review and its conflict, my calls', async () => {
    const plan = { reviewers: [{ username: names.qa, quota: 10 }] };
    await answer(as.admin, { method: 'PUT', url: '/review/plans/2026-10', payload: plan }, 200);
    await answer(as.admin, { method: 'GET', url: '/review/plans/2026-10' }, 200);
    await answer(as.admin, { method: 'GET', url: '/review/plans/2026-01' }, 404);
    await answer(as.qa, { method: 'GET', url: '/review/queue?assignee=all&status=all' }, 200);
    const review = {
      baseVersion: 0,
      items: [
        {
          itemId: 'forbidden-phrases',
          status: 'fail',
          hits: [{ index: 0, verdict: 'confirm' }],
          comment: 'heard it',
        },
      ],
      addedDeductions: [{ itemId: 'greeting-offer', start: 1, end: 2, points: 1, comment: 'abrupt' }],
      finalScore: 50,
      passed: false,
      comment: 'the final score is mine',
    };
    await answer(as.qa, { method: 'POST', url: '/calls/s-1/reviews', payload: review }, 201);
    const conflict = await answer(as.qa, { method: 'POST', url: '/calls/s-1/reviews', payload: review }, 409);
    expect(conflict.json()).toMatchObject({ code: 'review_conflict', currentVersion: 1 });
    const page = await answer(as.qa, { method: 'GET', url: '/calls/s-1/review' }, 200);
    expect(page.json().reviews[0].items[0].hits).toEqual([{ index: 0, verdict: 'confirm' }]);
    expect(page.json().reviews[0].addedDeductions).toHaveLength(1);
    const range = await answer(
      as.qa,
      { method: 'GET', url: '/calls/s-1/audio', headers: { range: 'bytes=5000-' } },
      416,
    );
    expect(range.json().code).toBe('range_not_satisfiable');
    const mine = await answer(as.agent, { method: 'GET', url: '/me/calls?limit=1' }, 200);
    expect(mine.json().items).toHaveLength(1);
    expect(mine.json().nextCursor).not.toBeNull();
    await answer(as.qa, { method: 'GET', url: '/me/calls' }, 403);
  });

  it('the audio itself is bytes, served with its content type (no JSON schema)', async () => {
    for (const range of [undefined, 'bytes=0-9']) {
      const response = await as.qa.inject({
        method: 'GET',
        url: '/calls/s-1/audio',
        headers: range ? { range } : {},
      });
      expect(response.statusCode).toBe(range ? 206 : 200);
      expect(response.headers['content-type']).toBe('audio/wav');
      expect(response.rawPayload.length).toBe(range ? 10 : 1000);
    }
  });

  it('reached every route with a success status', () => {
    const routes = app.routeCatalogue
      .filter(
        (r) =>
          r.method !== 'HEAD' && !r.url.startsWith('/docs') && r.url !== '/' && !r.url.startsWith('/app'),
      )
      .map((r) => `${r.method} ${r.url}`);
    expect(routes.length).toBeGreaterThan(20);
    const succeeded = [...answered].filter((a) => / 2\d\d$/.test(a)).map((a) => a.replace(/ \d+$/, ''));
    expect([...new Set(routes)].filter((route) => !succeeded.includes(route))).toEqual([]);
  });
});
