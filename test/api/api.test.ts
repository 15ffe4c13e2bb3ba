import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { asAdmin } from '../helpers/auth.ts';
import { testConfig } from '../helpers/config.ts';

let db: TestDatabase;
let app: FastifyInstance;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'callqa-api-'));
  // Signed in as an admin: these tests are about input, not access (authorization-matrix.test.ts).
  app = await asAdmin(
    await buildApp({ pool: db.pool, config: testConfig(db.url, dir, { CALLQA_UPLOAD_MAX_MB: '0.001' }) }),
    db.pool,
  );
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

const call = (id: string, extra: Record<string, unknown> = {}) => ({
  callId: id,
  agentId: 'A1',
  agentName: '张三',
  team: 'T1',
  startedAt: '2026-10-08T09:15:00+08:00',
  durationS: 12,
  direction: 'inbound',
  agentChannel: 'left',
  ...extra,
});

describe('API', () => {
  it('POST /calls takes a batch, lands the good calls and explains each rejected one', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/calls',
      payload: [
        call('api-1'),
        call('api-2', { durationS: -1 }),
        call('api-1'),
        call('api-3', { recording: '/etc/passwd' }),
      ],
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ inserted: 2, updated: 0 });
    expect(body.rejected).toMatchObject([
      { index: 1, code: 'duration_negative', reason: 'duration_s -1 is negative' },
      {
        index: 2,
        callId: 'api-1',
        code: 'duplicate_call_id',
        reason: 'duplicate call_id api-1 in this request',
      },
    ]);
    expect(body.flagged[0]).toMatchObject({ callId: 'api-3', code: 'path_escape' });
    expect(body.flagged[0].reason).toMatch(/outside the recording roots/);
  });

  it('POST /calls with only bad calls is a 400, and a single object works too', async () => {
    expect(
      (await app.inject({ method: 'POST', url: '/calls', payload: call('x', { startedAt: 'yesterday' }) }))
        .statusCode,
    ).toBe(400);
    const one = await app.inject({ method: 'POST', url: '/calls', payload: { calls: [call('api-4')] } });
    expect(one.json()).toMatchObject({ inserted: 1 });
  });

  it('GET /calls/:id returns the call, or 404 with a code', async () => {
    const found = await app.inject({ method: 'GET', url: '/calls/api-1' });
    expect(found.json()).toMatchObject({
      callId: 'api-1',
      agentId: 'A1',
      durationS: 12,
      agentChannel: 'left',
    });
    const missing = await app.inject({ method: 'GET', url: '/calls/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('not_found');
  });

  it('POST /calls/:id/recording streams the audio to storage and enforces the size limit', async () => {
    const audio = Buffer.from('RIFF-fake-wave-bytes');
    const stored = await app.inject({
      method: 'POST',
      url: '/calls/api-1/recording',
      headers: { 'content-type': 'audio/wav' },
      payload: audio,
    });
    expect(stored.statusCode).toBe(201);
    // Relative to the storage directory: no server path leaves the API.
    expect(stored.json().recording).toMatch(/^recordings\/api-1-[0-9a-f]{32}\.wav$/);
    expect(await readFile(join(dir, 'storage', stored.json().recording))).toEqual(audio);
    const call1 = (await app.inject({ method: 'GET', url: '/calls/api-1' })).json();
    expect(call1).toMatchObject({ recordingStatus: 'uploaded', recording: stored.json().recording });

    const big = await app.inject({
      method: 'POST',
      url: '/calls/api-1/recording',
      headers: { 'content-type': 'application/octet-stream' },
      payload: Buffer.alloc(2000),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('too_large');
    const unknown = await app.inject({
      method: 'POST',
      url: '/calls/nope/recording',
      headers: { 'content-type': 'audio/wav' },
      payload: audio,
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('runs the sampler, shows picks per agent with reasons, replays, and takes manual picks', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/sampling/runs',
      payload: { month: '2026-10', through: '2026-11-01T00:00:00+08:00' },
    });
    expect(created.statusCode).toBe(201);
    const run = created.json();
    expect(run.byReason).toMatchObject({ short_call: 3 });

    const shown = (await app.inject({ method: 'GET', url: `/sampling/runs/${run.runId}` })).json();
    expect(shown.agents).toEqual([
      expect.objectContaining({ agentId: 'A1', quota: 1, picked: { short_call: 3 } }),
    ]);
    expect(shown.items.map((i: { reason: string }) => i.reason)).toEqual([
      'short_call',
      'short_call',
      'short_call',
    ]);

    const replay = (await app.inject({ method: 'POST', url: `/sampling/runs/${run.runId}/replay` })).json();
    expect(replay).toMatchObject({ matches: true, stored: 3, replayed: 3 });

    await app.inject({ method: 'POST', url: '/calls', payload: call('api-9', { durationS: 120 }) });
    const manual = await app.inject({
      method: 'POST',
      url: '/sampling/items',
      payload: { callId: 'api-9', note: 'customer complaint' },
    });
    expect(manual.statusCode).toBe(201);
    const again = await app.inject({ method: 'POST', url: '/sampling/items', payload: { callId: 'api-9' } });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('already_sampled');

    const bad = await app.inject({ method: 'POST', url: '/sampling/runs', payload: { month: '2026-13' } });
    expect(bad.statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/sampling/runs/999' })).statusCode).toBe(404);
  });

  it('records month scores and QA outcomes for the sampler', async () => {
    const put = await app.inject({
      method: 'PUT',
      url: '/agents/A1/month-scores/2026-09',
      payload: { score: 100 },
    });
    expect(put.statusCode).toBe(204);
    const unknownAgent = await app.inject({
      method: 'PUT',
      url: '/agents/ZZ/month-scores/2026-09',
      payload: { score: 90 },
    });
    expect(unknownAgent.statusCode).toBe(404);
    const outcomes = await app.inject({
      method: 'POST',
      url: '/qa-outcomes',
      payload: [{ callId: 'api-1', score: 40, passed: false }],
    });
    expect(outcomes.statusCode).toBe(204);
    const { rows } = await db.pool.query('select score, passed from qa_outcomes');
    expect(rows).toEqual([{ score: 40, passed: false }]);
  });

  it('POST /calls/:id/transcript takes a transcript made elsewhere and queues the call for scoring', async () => {
    const ok = await app.inject({
      method: 'POST',
      url: '/calls/api-4/transcript',
      payload: { language: 'zh', segments: [{ speaker: 'agent', start: 0, end: 2, text: '您好' }] },
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toEqual({ callId: 'api-4', segments: 1, state: 'transcribed' });
    const bad = await app.inject({
      method: 'POST',
      url: '/calls/api-4/transcript',
      payload: { segments: [{ speaker: 'agent', start: 3, end: 2, text: '您好' }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      code: 'transcript_end_before_start',
      problems: [{ code: 'transcript_end_before_start', params: { index: 0 } }],
    });
    expect(bad.json().message).toMatch(/end is before start/);

    const transcript = await app.inject({ method: 'GET', url: '/calls/api-4/transcript' });
    expect(transcript.json()).toMatchObject({
      callId: 'api-4',
      source: 'import',
      segments: [{ text: '您好' }],
    });
    const scores = await app.inject({ method: 'GET', url: '/calls/api-4/scores' });
    expect(scores.json()).toMatchObject({ processing: { state: 'transcribed' }, scores: [] });
    const pipeline = await app.inject({ method: 'GET', url: '/pipeline' });
    expect(pipeline.json().counts).toMatchObject({ transcribed: 1 });
    expect((await app.inject({ method: 'GET', url: '/calls/nope/scores' })).statusCode).toBe(404);
  });
});
