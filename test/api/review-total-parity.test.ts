import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import type { CallReviewView, ReviewItem, ReviewSaved } from '../../api/contracts/review.ts';
import { demoTranscript } from '../../api/demo/demo-transcript.ts';
import {
  computedTotal,
  emptyDraft,
  setHitVerdict,
  setItemStatus,
  submissionOf,
  type DecidedStatus,
  type ReviewDraft,
} from '../../api/web/src/review/review-draft.ts';
import { getCall, upsertCalls } from '../../models/call-repository.ts';
import { mulberry32 } from '../../models/mulberry32.ts';
import { saveTranscript } from '../../models/pipeline-repository.ts';
import { BUILT_IN_SCORECARDS, createScorer, loadScorecards } from '../../workers/scoring-service.ts';
import { createUserToken, withToken } from '../helpers/auth.ts';
import { buildCall, buildTranscript } from '../helpers/builders.ts';
import { testConfig } from '../helpers/config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { registerReviewCard, saveReviewableScore } from '../helpers/review-fixtures.ts';

/**
 * The live total the web app shows while a reviewer decides (review-draft.ts
 * computedTotal, from the call view alone) is the computed score the server
 * saves (POST /calls/:id/reviews, from the stored card and score) — for demo
 * calls scored by the real scorer with the built-in card, and for a card with
 * per-phrase points and an auto-fail item; over seeded random decisions
 * (confirm, overturn, pass/fail/na, added deductions) and the cases that once
 * differed (a forbidden phrase's own points, failing an auto-fail item).
 */

let db: TestDatabase;
let app: FastifyInstance;
let admin: FastifyInstance;
let qa: FastifyInstance;
const DEMO_CALLS = 10;
const callIds: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'callqa-parity-'));
  app = await buildApp({ pool: db.pool, config: testConfig(db.url, dir) });
  admin = withToken(app, (await createUserToken(db.pool, 'admin')).token);
  qa = withToken(app, (await createUserToken(db.pool, 'qa')).token);
  await registerReviewCard(db.pool);

  const calls = Array.from({ length: DEMO_CALLS }, (_, i) =>
    buildCall({
      callId: `parity-${i}`,
      agentId: `10${String(i % 3).padStart(2, '0')}`,
      agentName: ['李娜', '王强', '张伟'][i % 3],
      team: 'T1',
      durationS: 60 + i * 37,
      direction: 'inbound',
      startedAt: new Date(Date.UTC(2026, 9, 2 + i, 2)),
    }),
  );
  const fixture = buildCall({ callId: 'parity-card', agentId: '1000', durationS: 60 });
  await upsertCalls(db.pool, [...calls, fixture]);
  const scoreCall = await createScorer({
    pool: db.pool,
    cards: await loadScorecards([BUILT_IN_SCORECARDS]),
    timeZone: 'Asia/Shanghai',
  });
  for (const call of calls) {
    const pick = await admin.inject({
      method: 'POST',
      url: '/sampling/items',
      payload: { callId: call.callId },
    });
    expect(pick.statusCode, pick.body).toBe(201);
    const { record } = demoTranscript(
      {
        callId: call.callId,
        agentId: call.agentId,
        agentName: call.agentName ?? call.agentId,
        durationS: call.durationS,
        direction: call.direction,
        agentChannel: 'left',
      },
      // A seed whose ten calls hold taboos of several families, look-alikes and slips.
      7,
    );
    const transcript = buildTranscript(call.callId, {
      durationS: call.durationS,
      source: 'import',
      segments: record.segments.map(({ speaker, start, end, text }) => ({ speaker, start, end, text })),
    });
    await saveTranscript(db.pool, transcript);
    await scoreCall((await getCall(db.pool, call.callId))!, transcript);
    callIds.push(call.callId);
  }
  const pick = await admin.inject({
    method: 'POST',
    url: '/sampling/items',
    payload: { callId: 'parity-card' },
  });
  expect(pick.statusCode, pick.body).toBe(201);
  await saveReviewableScore(db.pool, 'parity-card');
  callIds.push('parity-card');
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

async function viewOf(callId: string): Promise<CallReviewView> {
  const response = await qa.inject({ method: 'GET', url: `/calls/${callId}/review` });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

/** Submits the draft with the app's live total as the final score; returns what the server saved. */
async function submit(
  view: CallReviewView,
  draft: ReviewDraft,
): Promise<{ live: number; saved: ReviewSaved }> {
  const live = computedTotal(view.score!, draft);
  expect(live, 'every review item is decided').not.toBeNull();
  const response = await qa.inject({
    method: 'POST',
    url: `/calls/${view.call.callId}/reviews`,
    payload: submissionOf(view, draft, live!.score, live!.passed),
  });
  // A final score that differs from the server's total without a comment is a 400: 201 is parity.
  expect(response.statusCode, response.body).toBe(201);
  return { live: live!.score, saved: response.json() };
}

const STATUSES: DecidedStatus[] = ['pass', 'fail', 'na'];

/** Random decisions on a view, as a reviewer clicks them: statuses, hit verdicts, added deductions. */
function randomDraft(view: CallReviewView, random: () => number): ReviewDraft {
  const items = view.score!.items;
  let draft = emptyDraft();
  for (const item of items) {
    const roll = random();
    if (item.status !== 'review' && roll < 0.4) continue;
    if (roll < 0.7 || item.evidence.length === 0) {
      draft = setItemStatus(draft, item.itemId, STATUSES[Math.floor(random() * 3)]);
    }
    for (const hit of item.evidence) {
      if (random() < 0.6)
        draft = setHitVerdict(draft, item, hit.index, random() < 0.5 ? 'confirm' : 'overturn');
    }
    if (item.status === 'review' && draft.items[item.itemId]?.status === undefined) {
      draft = setItemStatus(draft, item.itemId, 'pass');
    }
  }
  const additions = random() < 0.5 ? Math.floor(random() * 3) : 0;
  for (let i = 0; i < additions; i++) {
    const item = items[Math.floor(random() * items.length)];
    draft = {
      ...draft,
      added: [
        ...draft.added,
        {
          key: i,
          itemId: item.itemId,
          start: 1,
          end: 2,
          points: 1 + Math.floor(random() * 20),
          comment: 'missed',
        },
      ],
    };
  }
  return draft;
}

/** Every review item decided as a pass: the rest of a draft may then leave them alone. */
function decideReviews(view: CallReviewView, draft = emptyDraft()): ReviewDraft {
  return view
    .score!.items.filter((item) => item.status === 'review')
    .reduce((d, item) => setItemStatus(d, item.itemId, 'pass'), draft);
}

describe('live total = saved total', () => {
  it('the view carries the card’s per-phrase points and auto-fail marks', async () => {
    const view = await viewOf('parity-card');
    const phrases = view.score!.items.find((item) => item.itemId === 'forbidden-phrases')!;
    expect(phrases.evidence.map((hit) => [hit.phrase, hit.points, hit.autoFailOnConfirm])).toEqual([
      ["i don't know", null, false],
      ["i don't know", null, false],
      ['calm down', 3, false],
    ]);
    const abusive = view.score!.items.find((item) => item.itemId === 'forbidden-abusive')!;
    expect([abusive.autoFail, abusive.autoFailOnFail]).toEqual([false, true]);
    const demo = await viewOf(callIds[0]);
    expect(demo.score!.items.find((item) => item.itemId === 'forbidden-abusive')?.autoFailOnFail).toBe(true);
  });

  it('a confirmed phrase with its own points, and a failed auto-fail item, total alike on both sides', async () => {
    let view = await viewOf('parity-card');
    const phrases = view.score!.items.find((item) => item.itemId === 'forbidden-phrases')!;
    const first = await submit(view, setHitVerdict(decideReviews(view), phrases, 2, 'confirm'));
    // "calm down" costs its own 3, not the item's 10.
    expect(first).toEqual({ live: 97, saved: expect.objectContaining({ computedScore: 97 }) });

    view = await viewOf('parity-card');
    const autoFailed = await submit(view, setItemStatus(decideReviews(view), 'forbidden-abusive', 'fail'));
    expect(autoFailed).toEqual({
      live: 0,
      saved: expect.objectContaining({ computedScore: 0, passed: false }),
    });

    for (const callId of callIds.slice(0, 3)) {
      view = await viewOf(callId);
      const result = await submit(view, setItemStatus(decideReviews(view), 'forbidden-abusive', 'fail'));
      expect(result.saved).toMatchObject({ computedScore: 0, passed: false });
    }
  });

  it('over seeded random decisions on demo calls scored by the real scorer', async () => {
    const random = mulberry32(20261127);
    let counted = 0;
    const totals = new Set<number>();
    for (const callId of callIds) {
      for (let round = 0; round < 5; round++) {
        const view = await viewOf(callId);
        counted += view.score!.items.flatMap((item: ReviewItem) => item.evidence).length;
        const { live, saved } = await submit(view, randomDraft(view, random));
        expect({ callId, round, total: saved.computedScore }).toEqual({ callId, round, total: live });
        totals.add(live);
      }
    }
    // The calls had hits to decide, and the decisions moved the total around.
    expect(counted).toBeGreaterThan(20);
    expect(totals.size).toBeGreaterThan(10);
  });
});
