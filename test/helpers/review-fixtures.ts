import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { upsertCalls, type CallToStore } from '../../models/call-repository.ts';
import type { Queryable } from '../../models/db.ts';
import { registerScorecard, saveCallScore } from '../../models/call-score-repository.ts';
import type { CallScore, ItemResult, RuleHit } from '../../workers/scoring/call-score.ts';
import { parseScorecard } from '../../workers/scoring/parse-scorecard.ts';

/**
 * A small deduction card and a hand-made score under it, for tests about the
 * review workspace: one item needs review (an uncertain hit), one failed on
 * two counted hits (and one excused), the rest passed. The score is what the
 * scorer would store (a CallScore), so the review code reads it as it would
 * a real one.
 */
export const REVIEW_CARD = `
id: review-test
version: 1
language: en
name: Review test card
passThreshold: 80
matching: { threshold: 0.85, pinyin: false }
items:
  - id: greeting-offer
    title: Offers help
    category: greeting
    points: 5
    rule: { kind: match, cond: { any: [how can i help you] } }
  - id: forbidden-phrases
    title: Phrases to avoid
    category: forbidden
    points: 10
    rule:
      kind: forbidden
      phrases: [i don't know, { text: calm down, points: 3 }, { text: shut up, points: 30 }]
  - id: forbidden-abusive
    title: Hostile phrases
    category: forbidden
    points: 100
    severity: critical
    autoFail: true
    rule: { kind: forbidden, phrases: [not my problem] }
  - id: closing
    title: Says goodbye
    category: closing
    points: 5
    rule: { kind: match, cond: { any: [goodbye] } }
`;

export async function registerReviewCard(db: Queryable): Promise<void> {
  const card = parseScorecard(REVIEW_CARD, 'review-test.yaml');
  await registerScorecard(db, {
    scorecardId: card.id,
    version: card.version,
    name: card.name,
    language: card.language,
    appliesTo: null,
    source: REVIEW_CARD,
    sha256: createHash('sha256').update(REVIEW_CARD).digest('hex'),
  });
}

const hit = (itemId: string, phrase: string, start: number, extra: Partial<RuleHit> = {}): RuleHit => ({
  scorecardId: 'review-test',
  scorecardVersion: 1,
  itemId,
  phrase,
  matchedText: phrase,
  similarity: 1,
  method: 'exact',
  speaker: 'agent',
  segmentIndex: 0,
  start,
  end: start + 1,
  uncertain: false,
  ...extra,
});

const item = (
  itemId: string,
  status: ItemResult['status'],
  deduction: number,
  evidence: RuleHit[],
  extra: Partial<ItemResult> = {},
): ItemResult => ({
  itemId,
  title: itemId,
  category: itemId.startsWith('forbidden') ? 'forbidden' : itemId === 'closing' ? 'closing' : 'greeting',
  severity: 'minor',
  status,
  deduction,
  autoFail: false,
  reason: { code: status === 'fail' ? 'forbidden_phrase' : 'found', params: { phrases: 'x', what: 'x' } },
  evidence,
  ...extra,
});

/** The score: greeting-offer `review` (hit 0 uncertain), forbidden-phrases `fail` −10 (hits 0 and 2 counted, 1 excused). */
export function reviewableScore(callId: string, options: { needsReview?: boolean } = {}): CallScore {
  const needsReview = options.needsReview ?? true;
  const items = [
    item(
      'greeting-offer',
      needsReview ? 'review' : 'pass',
      0,
      needsReview
        ? [hit('greeting-offer', 'how can i help you', 1, { uncertain: true, similarity: 0.8 })]
        : [],
      needsReview
        ? { reason: { code: 'uncertain_evidence', cause: { code: 'not_found', params: { what: 'offer' } } } }
        : {},
    ),
    item('forbidden-phrases', 'fail', 10, [
      hit('forbidden-phrases', "i don't know", 10),
      hit('forbidden-phrases', "i don't know", 20, { excusedBy: 'conditional' }),
      hit('forbidden-phrases', 'calm down', 30),
    ]),
    item('forbidden-abusive', 'pass', 0, [], { reason: { code: 'no_forbidden_phrase' } }),
    item('closing', 'pass', 0, [hit('closing', 'goodbye', 50)]),
  ];
  return {
    callId,
    scorecardId: 'review-test',
    scorecardVersion: 1,
    score: 90,
    passThreshold: 80,
    passed: true,
    autoFailed: false,
    needsReview,
    reviewReasons: needsReview ? [{ code: 'uncertain_items', params: { items: 'greeting-offer' } }] : [],
    items,
    metrics: {
      source: 'segments',
      deadAirLongestS: 0,
      deadAirCount: 0,
      overtalkTotalS: 0,
      overtalkCount: 0,
      agentSpeechS: 30,
      customerSpeechS: 30,
      agentCharsPerMinute: 200,
      agentTalkShare: 0.5,
    },
    speakerDecision: { method: 'channel', confidence: 1 },
  };
}

/** Stores the score as the scorer does (call_scores + the automatic outcome event). */
export async function saveReviewableScore(
  db: Queryable,
  callId: string,
  options: { needsReview?: boolean; segments?: number[] } = {},
): Promise<CallScore> {
  const score = reviewableScore(callId, options);
  // Where forbidden-phrases' three hits are (segment indexes), when a test's transcript has them apart.
  const at = options.segments;
  if (at) {
    const phrases = score.items.find((item) => item.itemId === 'forbidden-phrases')!;
    phrases.evidence = phrases.evidence.map((hit, i) => ({ ...hit, segmentIndex: at[i] }));
  }
  await saveCallScore(db, {
    callId,
    scorecardId: score.scorecardId,
    scorecardVersion: score.scorecardVersion,
    score: score.score,
    passed: score.passed,
    autoFailed: score.autoFailed,
    needsReview: score.needsReview,
    result: score,
  });
  return score;
}

/**
 * Stores the calls and samples October 2026 through the API (as the admin
 * given), so that they are in a sample and can be reviewed.
 */
export async function sampleOctober(admin: FastifyInstance, db: Queryable, calls: readonly CallToStore[]) {
  await upsertCalls(db, calls);
  const run = await admin.inject({
    method: 'POST',
    url: '/sampling/runs',
    payload: { month: '2026-10', through: '2026-11-01T00:00:00+08:00' },
  });
  expect(run.statusCode, run.body).toBe(201);
}
