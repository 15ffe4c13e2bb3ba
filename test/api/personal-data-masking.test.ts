import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { upsertCalls } from '../../models/call-repository.ts';
import { registerScorecard, saveCallScore } from '../../models/call-score-repository.ts';
import { saveTranscript } from '../../models/pipeline-repository.ts';
import { createUserToken, withToken } from '../helpers/auth.ts';
import { buildCall, buildTranscript } from '../helpers/builders.ts';
import { testConfig } from '../helpers/config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

/**
 * Personal numbers a caller says are masked in every response to an agent,
 * and to the roles CALLQA_MASK_ROLES adds; other roles see them whole. The
 * call id below is shaped like a mobile number on purpose: ids are
 * references and stay whole for everyone.
 */

const CALL_ID = '13900001111';
const SAID = '我的手机号是13812345678，身份证号110101199003071234';
const MASKED = '我的手机号是138****5678，身份证号110101********1234';

let db: TestDatabase;
let byDefault: FastifyInstance;
let qaMasked: FastifyInstance;
const tokens = { agent: '', qa: '', admin: '' };

beforeAll(async () => {
  db = await createTestDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'callqa-masking-'));
  byDefault = await buildApp({ pool: db.pool, config: testConfig(db.url, dir) });
  qaMasked = await buildApp({
    pool: db.pool,
    config: testConfig(db.url, dir, { CALLQA_MASK_ROLES: 'agent,qa' }),
  });
  tokens.agent = (await createUserToken(db.pool, 'agent', { agentId: 'A1' })).token;
  tokens.qa = (await createUserToken(db.pool, 'qa')).token;
  tokens.admin = (await createUserToken(db.pool, 'admin')).token;
  await upsertCalls(db.pool, [
    buildCall({
      callId: CALL_ID,
      agentId: 'A1',
      // PBX recordings are often named after the caller's number.
      recording: 'https://pbx.example.com/rec/2026-10-08/13812345678.wav',
    }),
  ]);
  await saveTranscript(
    db.pool,
    buildTranscript(CALL_ID, { segments: [{ speaker: 'customer', start: 0, end: 4, text: SAID }] }),
  );
  await registerScorecard(db.pool, {
    scorecardId: 'privacy',
    version: 1,
    name: 'privacy',
    language: 'zh',
    appliesTo: null,
    source: 'test',
    sha256: 'test',
  });
  await saveCallScore(db.pool, {
    callId: CALL_ID,
    scorecardId: 'privacy',
    scorecardVersion: 1,
    score: 90,
    passed: true,
    autoFailed: false,
    needsReview: false,
    result: {
      items: [
        {
          itemId: 'verify-identity',
          hits: [{ phrase: '身份证号', speaker: 'customer', segmentIndex: 0, matchedText: SAID }],
        },
      ],
    },
  });
});
afterAll(async () => {
  await byDefault.close();
  await qaMasked.close();
  await db.drop();
});

async function transcriptText(app: FastifyInstance, token: string): Promise<string> {
  const response = await withToken(app, token).inject({ method: 'GET', url: `/calls/${CALL_ID}/transcript` });
  expect(response.statusCode).toBe(200);
  return response.json().segments[0].text;
}

describe('personal data masking', () => {
  it("masks the phone and ID-card numbers in an agent's own transcript", async () => {
    expect(await transcriptText(byDefault, tokens.agent)).toBe(MASKED);
  });

  it('masks agents whatever CALLQA_MASK_ROLES says', async () => {
    expect(await transcriptText(qaMasked, tokens.agent)).toBe(MASKED);
  });

  it('shows qa and admin the numbers in full by default', async () => {
    expect(await transcriptText(byDefault, tokens.qa)).toBe(SAID);
    expect(await transcriptText(byDefault, tokens.admin)).toBe(SAID);
  });

  it('masks qa too with CALLQA_MASK_ROLES=agent,qa, and still not admin', async () => {
    expect(await transcriptText(qaMasked, tokens.qa)).toBe(MASKED);
    expect(await transcriptText(qaMasked, tokens.admin)).toBe(SAID);
  });

  it("masks the evidence quoted by an agent's scores", async () => {
    const response = await withToken(byDefault, tokens.agent).inject({
      method: 'GET',
      url: `/calls/${CALL_ID}/scores`,
    });
    expect(response.statusCode).toBe(200);
    const hit = response.json().scores[0].result.items[0].hits[0];
    expect(hit).toMatchObject({ matchedText: MASKED, phrase: '身份证号' });
    const forQa = await withToken(byDefault, tokens.qa).inject({
      method: 'GET',
      url: `/calls/${CALL_ID}/scores`,
    });
    expect(forQa.json().scores[0].result.items[0].hits[0].matchedText).toBe(SAID);
  });

  it('masks call metadata for an agent but keeps the call id, a reference, whole', async () => {
    const response = await withToken(byDefault, tokens.agent).inject({
      method: 'GET',
      url: `/calls/${CALL_ID}`,
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      callId: CALL_ID,
      agentId: 'A1',
      recording: 'https://pbx.example.com/rec/2026-10-08/138****5678.wav',
    });
  });
});
