import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { upsertCalls } from '../../models/call-repository.ts';
import type { Role } from '../../models/permissions.ts';
import { saveTranscript } from '../../models/pipeline-repository.ts';
import { createUserToken } from '../helpers/auth.ts';
import { buildCall, buildTranscript } from '../helpers/builders.ts';
import { testConfig } from '../helpers/config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { registerReviewCard, saveReviewableScore } from '../helpers/review-fixtures.ts';

/**
 * The authorization matrix: every route of the app × every role × a resource
 * of their own and one of someone else's (agent A1 vs A2's call; supervisor
 * of T1 vs a T2 call). A role that lacks the permission gets 403 forbidden;
 * a call outside its scope is 404 exactly like a missing one; allowed cells
 * succeed, and every successful change leaves an audit row. The routes are
 * read from the app, so a new route without a row here fails the test.
 */

let db: TestDatabase;
let app: FastifyInstance;
let runId: number;
let storageDir: string;
const tokens = {} as Record<Role, string>;
const usernames = {} as Record<Role, string>;
const ROLES: Role[] = ['admin', 'qa', 'supervisor', 'agent'];

type Who = 'all' | 'own' | 'none';
type Target = 'own' | 'other';
interface Row {
  /** Admin, qa, supervisor, agent. */
  allowed: [Who, Who, Who, Who];
  ok: number;
  request: (callId: string, target: Target) => InjectOptions;
}

const callOf = (callId: string, target: Target) => ({
  callId: `posted-${callId}`,
  agentId: target === 'own' ? 'A1' : 'A2',
  team: target === 'own' ? 'T1' : 'T2',
  startedAt: '2026-10-08T09:15:00+08:00',
  durationS: 60,
  direction: 'inbound',
});

const MATRIX: Record<string, Row> = {
  'POST /auth/logout': { allowed: ['all', 'all', 'all', 'all'], ok: 204, request: () => ({}) },
  'GET /auth/me': { allowed: ['all', 'all', 'all', 'all'], ok: 200, request: () => ({}) },
  'GET /audit': { allowed: ['all', 'none', 'none', 'none'], ok: 200, request: () => ({}) },
  'POST /calls': {
    allowed: ['all', 'none', 'none', 'none'],
    ok: 200,
    request: (id, target) => ({ payload: callOf(id, target) }),
  },
  'GET /calls/:id': { allowed: ['all', 'all', 'own', 'own'], ok: 200, request: () => ({}) },
  'POST /calls/:id/recording': {
    allowed: ['all', 'none', 'none', 'none'],
    ok: 201,
    request: () => ({ headers: { 'content-type': 'audio/wav' }, payload: Buffer.from('RIFF') }),
  },
  'POST /calls/:id/transcript': {
    allowed: ['all', 'all', 'none', 'none'],
    ok: 201,
    request: () => ({ payload: { segments: [{ speaker: 'agent', start: 0, end: 1, text: '您好' }] } }),
  },
  'GET /calls/:id/transcript': { allowed: ['all', 'all', 'own', 'own'], ok: 200, request: () => ({}) },
  'GET /calls/:id/scores': { allowed: ['all', 'all', 'own', 'own'], ok: 200, request: () => ({}) },
  'GET /pipeline': { allowed: ['all', 'all', 'none', 'none'], ok: 200, request: () => ({}) },
  'POST /sampling/runs': {
    allowed: ['all', 'none', 'none', 'none'],
    ok: 201,
    request: () => ({ payload: { month: '2026-10', through: '2026-11-01T00:00:00+08:00' } }),
  },
  'GET /sampling/runs': { allowed: ['all', 'all', 'all', 'none'], ok: 200, request: () => ({}) },
  'GET /sampling/runs/:id': { allowed: ['all', 'all', 'all', 'none'], ok: 200, request: () => ({}) },
  'POST /sampling/runs/:id/replay': {
    allowed: ['all', 'none', 'none', 'none'],
    ok: 200,
    request: () => ({}),
  },
  'POST /sampling/items': {
    allowed: ['all', 'all', 'none', 'none'],
    ok: 201,
    request: (callId) => ({ payload: { callId, note: 'complaint' } }),
  },
  'PUT /agents/:agentId/month-scores/:month': {
    allowed: ['all', 'all', 'none', 'none'],
    ok: 204,
    request: () => ({ payload: { score: 95 } }),
  },
  'POST /qa-outcomes': {
    allowed: ['all', 'all', 'none', 'none'],
    ok: 204,
    request: (callId) => ({ payload: [{ callId, score: 90, passed: true }] }),
  },
  'GET /review/queue': { allowed: ['all', 'all', 'all', 'none'], ok: 200, request: () => ({}) },
  'GET /review/plans/:month': { allowed: ['all', 'all', 'all', 'none'], ok: 200, request: () => ({}) },
  'PUT /review/plans/:month': {
    allowed: ['all', 'none', 'none', 'none'],
    ok: 200,
    request: () => ({ payload: { reviewers: [{ username: usernames.qa, quota: 5 }] } }),
  },
  // An agent's home: their own calls; no one else has calls of their own (403, the queue is theirs).
  'GET /me/calls': { allowed: ['none', 'none', 'none', 'all'], ok: 200, request: () => ({}) },
  'GET /calls/:id/review': { allowed: ['all', 'all', 'own', 'own'], ok: 200, request: () => ({}) },
  'GET /calls/:id/audio': { allowed: ['all', 'all', 'own', 'own'], ok: 200, request: () => ({}) },
  'POST /calls/:id/reviews': {
    allowed: ['all', 'all', 'none', 'none'],
    ok: 201,
    request: () => ({
      payload: {
        baseVersion: 0,
        items: [{ itemId: 'greeting-offer', status: 'pass' }],
        finalScore: 90,
        passed: true,
      },
    }),
  },
};
/**
 * Routes anyone may call; checked without credentials below. The /docs routes
 * (@fastify/swagger-ui's page, its assets and the OpenAPI document) are public
 * on purpose: the API's shape is no secret and holds no data (api/auth/access.ts).
 */
const PUBLIC = ['GET /health', 'POST /auth/login'];
/**
 * The web app's shell and bundles (api/routes/web-app.ts): public, they hold
 * no data; what they show comes from the routes above, which check access.
 * test/api/web-app-serving.test.ts checks what they answer.
 */
const PUBLIC_APP = ['GET /', 'GET /app', 'GET /app/assets/*', 'GET /app/*'];
const PUBLIC_DOCS: Record<string, string> = {
  'GET /docs': '/docs',
  'GET /docs/json': '/docs/json',
  'GET /docs/yaml': '/docs/yaml',
  'GET /docs/static/*': '/docs/static/index.css',
  'HEAD /docs/static/*': '/docs/static/index.css',
  'GET /docs/static/index.html': '/docs/static/index.html',
  'GET /docs/static/swagger-initializer.js': '/docs/static/swagger-initializer.js',
};

beforeAll(async () => {
  db = await createTestDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'callqa-matrix-'));
  const config = testConfig(db.url, dir);
  storageDir = config.storageDir;
  await mkdir(storageDir, { recursive: true });
  app = await buildApp({ pool: db.pool, config });
  await registerReviewCard(db.pool);
  for (const role of ROLES) {
    const scope = role === 'agent' ? { agentId: 'A1' } : role === 'supervisor' ? { teams: ['T1'] } : {};
    ({ token: tokens[role], username: usernames[role] } = await createUserToken(db.pool, role, scope));
  }
  await upsertCalls(db.pool, [
    buildCall({ callId: 'seed-a1', agentId: 'A1', team: 'T1', durationS: 10 }),
    buildCall({ callId: 'seed-a2', agentId: 'A2', team: 'T2', durationS: 10 }),
  ]);
  const run = await app.inject({
    method: 'POST',
    url: '/sampling/runs',
    headers: { authorization: `Bearer ${tokens.admin}` },
    payload: { month: '2026-10', through: '2026-11-01T00:00:00+08:00' },
  });
  runId = run.json().runId;
  const plan = await app.inject({
    method: 'PUT',
    url: '/review/plans/2026-09',
    headers: { authorization: `Bearer ${tokens.admin}` },
    payload: { reviewers: [{ username: usernames.qa, quota: 5 }] },
  });
  expect(plan.statusCode).toBe(200);
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

let fresh = 0;
/**
 * A new call of agent A1 (team T1) or A2 (team T2), with a transcript, a score
 * and a local recording, so every cell starts clean.
 */
async function newCall(target: Target): Promise<string> {
  fresh += 1;
  const callId = `m-${target}-${fresh}`;
  const own = target === 'own';
  const recording = join(storageDir, `${callId}.wav`);
  await writeFile(recording, Buffer.from('RIFF0000WAVE'));
  await upsertCalls(db.pool, [
    buildCall({
      callId,
      agentId: own ? 'A1' : 'A2',
      team: own ? 'T1' : 'T2',
      durationS: 120,
      recording,
      recordingStatus: 'ok',
    }),
  ]);
  await saveTranscript(db.pool, buildTranscript(callId, { durationS: 120 }));
  await saveReviewableScore(db.pool, callId);
  return callId;
}

function urlFor(route: string, callId: string, target: Target): string {
  return route
    .split(' ')[1]
    .replace(':id/replay', `${runId}/replay`)
    .replace('runs/:id', `runs/${runId}`)
    .replace(':id', encodeURIComponent(callId))
    .replace(':agentId', target === 'own' ? 'A1' : 'A2')
    .replace(':month', '2026-09');
}

async function auditCount(actor: string): Promise<number> {
  const { rows } = await db.pool.query(`select count(*)::int as n from audit_log where actor = $1`, [actor]);
  return rows[0].n;
}

describe('authorization matrix', () => {
  it('has a row for every route the app serves', () => {
    const served = app.routeCatalogue.map((r) => `${r.method} ${r.url}`).sort();
    expect(served).toEqual(
      [...Object.keys(MATRIX), ...PUBLIC, ...PUBLIC_APP, ...Object.keys(PUBLIC_DOCS)].sort(),
    );
    for (const route of [...PUBLIC, ...PUBLIC_APP, ...Object.keys(PUBLIC_DOCS)]) {
      expect(app.routeCatalogue.find((r) => `${r.method} ${r.url}` === route)?.access).toBe('public');
    }
  });

  it('refuses every non-public route without credentials, or with a bad or unknown token', async () => {
    for (const route of Object.keys(MATRIX)) {
      const callId = await newCall('own');
      const url = urlFor(route, callId, 'own');
      const method = route.split(' ')[0] as InjectOptions['method'];
      for (const authorization of [undefined, 'Bearer cqa_not-a-real-token', 'Basic YWRtaW46YWRtaW4=']) {
        const response = await app.inject({
          ...MATRIX[route].request(callId, 'own'),
          method,
          url,
          ...(authorization ? { headers: { authorization } } : {}),
        });
        expect({ route, authorization, status: response.statusCode }).toEqual({
          route,
          authorization,
          status: 401,
        });
        expect(response.json().code).toBe('unauthenticated');
      }
    }
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    for (const [route, url] of Object.entries(PUBLIC_DOCS)) {
      const method = route.split(' ')[0] as InjectOptions['method'];
      const response = await app.inject({ method, url });
      // The static copy of the page redirects to the page; everything else answers 200.
      expect({ route, status: response.statusCode }).toEqual({
        route,
        status: url === '/docs/static/index.html' ? 302 : 200,
      });
    }
  });

  for (const route of Object.keys(MATRIX)) {
    it(`${route}: every role, own and other resource`, async () => {
      const row = MATRIX[route];
      const method = route.split(' ')[0] as InjectOptions['method'];
      for (const [i, role] of ROLES.entries()) {
        for (const target of ['own', 'other'] as const) {
          const callId = await newCall(target);
          const request = row.request(callId, target);
          const before = await auditCount(usernames[role]);
          const response = await app.inject({
            ...request,
            method,
            url: urlFor(route, callId, target),
            headers: { ...request.headers, authorization: `Bearer ${tokens[role]}` },
          });
          const who = row.allowed[i];
          const expected =
            who === 'all' || (who === 'own' && target === 'own') ? row.ok : who === 'own' ? 404 : 403;
          expect({ route, role, target, status: response.statusCode }).toEqual({
            route,
            role,
            target,
            status: expected,
          });
          if (expected === 404) {
            // Exactly what a call that does not exist gets: nothing tells the two apart.
            const missing = await app.inject({
              ...request,
              method,
              url: urlFor(route, 'no-such-call', target),
              headers: { ...request.headers, authorization: `Bearer ${tokens[role]}` },
            });
            expect(response.json()).toEqual({ ...missing.json(), message: expect.any(String) });
            expect(response.json().message).toBe(missing.json().message.replace('no-such-call', callId));
          }
          if (expected === 403) expect(response.json().code).toBe('forbidden');
          if (method !== 'GET' && expected === row.ok) {
            expect({ route, role, audited: (await auditCount(usernames[role])) > before }).toEqual({
              route,
              role,
              audited: true,
            });
          }
        }
      }
    });
  }

  it('a supervisor sees a sampling run cut to their teams; an agent sees none', async () => {
    const asSupervisor = await app.inject({
      method: 'GET',
      url: `/sampling/runs/${runId}`,
      headers: { authorization: `Bearer ${tokens.supervisor}` },
    });
    const asAdmin = await app.inject({
      method: 'GET',
      url: `/sampling/runs/${runId}`,
      headers: { authorization: `Bearer ${tokens.admin}` },
    });
    const agentsOf = (r: typeof asAdmin) => r.json().agents.map((a: { agentId: string }) => a.agentId);
    expect(agentsOf(asAdmin)).toEqual(['A1', 'A2']);
    expect(agentsOf(asSupervisor)).toEqual(['A1']);
    expect(asSupervisor.json().items.every((i: { agentId: string }) => i.agentId === 'A1')).toBe(true);
    expect(asSupervisor.json().items.length).toBeGreaterThan(0);
  });

  it('an agent reaches their own call by id and never another agent’s, whatever the route', async () => {
    const own = await app.inject({
      method: 'GET',
      url: '/calls/seed-a1',
      headers: { authorization: `Bearer ${tokens.agent}` },
    });
    expect(own.json()).toMatchObject({ callId: 'seed-a1', agentId: 'A1' });
    for (const path of ['/calls/seed-a2', '/calls/seed-a2/transcript', '/calls/seed-a2/scores']) {
      const other = await app.inject({
        method: 'GET',
        url: path,
        headers: { authorization: `Bearer ${tokens.agent}` },
      });
      expect(other.statusCode).toBe(404);
      expect(other.body).not.toContain('A2');
    }
  });

  it('an agent’s home lists their own sampled, scored calls only, newest first, without reviewer fields', async () => {
    // Both seed calls were sampled in the run; scoring puts them in the review queue.
    await saveReviewableScore(db.pool, 'seed-a1');
    await saveReviewableScore(db.pool, 'seed-a2');
    await upsertCalls(db.pool, [
      buildCall({
        callId: 'seed-a1-later',
        agentId: 'A1',
        team: 'T1',
        durationS: 10,
        startedAt: new Date('2026-10-20T02:00:00Z'),
      }),
    ]);
    const pick = await app.inject({
      method: 'POST',
      url: '/sampling/items',
      headers: { authorization: `Bearer ${tokens.admin}` },
      payload: { callId: 'seed-a1-later' },
    });
    expect(pick.statusCode, pick.body).toBe(201);
    await saveReviewableScore(db.pool, 'seed-a1-later');

    const get = (url: string) =>
      app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens.agent}` } });
    const all = await get('/me/calls');
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json().items.map((i: { callId: string }) => i.callId)).toEqual(['seed-a1-later', 'seed-a1']);
    expect(all.json().items[0]).toEqual({
      callId: 'seed-a1-later',
      startedAt: '2026-10-20T02:00:00.000Z',
      durationS: 10,
      direction: 'inbound',
      month: '2026-10',
      sampleReason: 'manual',
      score: 90,
      passed: true,
      reviewed: false,
      hasRecording: false,
    });
    expect(all.body).not.toContain('seed-a2');
    // A page at a time, the cursor walks on; nothing in the query can name another agent.
    const first = await get('/me/calls?limit=1');
    expect(first.json().items.map((i: { callId: string }) => i.callId)).toEqual(['seed-a1-later']);
    // An `agent` parameter is no filter here: the actor's own agent id is the only one.
    const next = await get(`/me/calls?limit=1&cursor=${first.json().nextCursor}&agent=A2`);
    expect(next.statusCode, next.body).toBe(200);
    expect(next.json()).toEqual({
      items: [expect.objectContaining({ callId: 'seed-a1' })],
      nextCursor: null,
    });
    expect((await get('/me/calls?cursor=bm90LWEtY3Vyc29y')).json().code).toBe('invalid_cursor');
  });
});
