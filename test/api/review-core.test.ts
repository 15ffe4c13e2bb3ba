import { describe, expect, it } from 'vitest';
import { parseRange } from '../../api/recordings/stream-recording.ts';
import { applyReview } from '../../api/services/apply-review.ts';
import { decodeCursor, encodeCursor } from '../../api/services/review-queue.ts';
import { parseScorecard } from '../../workers/scoring/parse-scorecard.ts';
import { REVIEW_CARD, reviewableScore } from '../helpers/review-fixtures.ts';

/** The pure parts of the review workspace: byte ranges, a review applied to items, the queue cursor. */

describe('parseRange', () => {
  it.each([
    [undefined, 100, { kind: 'full' }],
    ['bytes=0-9', 100, { kind: 'partial', start: 0, end: 9 }],
    ['bytes=90-', 100, { kind: 'partial', start: 90, end: 99 }],
    ['bytes=-10', 100, { kind: 'partial', start: 90, end: 99 }],
    ['bytes=-500', 100, { kind: 'partial', start: 0, end: 99 }],
    ['bytes=50-500', 100, { kind: 'partial', start: 50, end: 99 }],
    ['bytes=100-', 100, { kind: 'unsatisfiable' }],
    ['bytes=100-200', 100, { kind: 'unsatisfiable' }],
    ['bytes=-0', 100, { kind: 'unsatisfiable' }],
    ['bytes=0-', 0, { kind: 'unsatisfiable' }],
    ['bytes=9-1', 100, { kind: 'full' }],
    ['bytes=0-1,5-6', 100, { kind: 'full' }],
    ['items=0-1', 100, { kind: 'full' }],
    ['bytes=-', 100, { kind: 'full' }],
  ] as const)('%s of %i bytes', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});

describe('applyReview', () => {
  const card = parseScorecard(REVIEW_CARD, 'review-test.yaml');
  const machine = reviewableScore('c').items;
  const total = (submission: Parameters<typeof applyReview>[2]) =>
    applyReview(card, machine, submission).total.score;
  const offerPass = { itemId: 'greeting-offer', status: 'pass' as const, hits: [], comment: '' };

  it('keeps undecided items, fails on a confirmed hit, passes when every counted hit is overturned', () => {
    expect(total({ items: [offerPass], addedDeductions: [] })).toBe(90);
    const confirm = { ...offerPass, hits: [{ index: 0, verdict: 'confirm' as const }] };
    expect(total({ items: [confirm], addedDeductions: [] })).toBe(85);
    const overturn = {
      itemId: 'forbidden-phrases',
      status: 'fail' as const,
      hits: [
        { index: 0, verdict: 'overturn' as const },
        { index: 2, verdict: 'overturn' as const },
      ],
      comment: '',
    };
    expect(total({ items: [offerPass, overturn], addedDeductions: [] })).toBe(100);
    // One counted hit left standing keeps the item failed.
    expect(
      total({ items: [offerPass, { ...overturn, hits: [overturn.hits[0]] }], addedDeductions: [] }),
    ).toBe(90);
  });

  it('costs a confirmed phrase its own points, an added deduction its points, never over 100 per item', () => {
    const phrases = {
      itemId: 'forbidden-phrases',
      status: 'fail' as const,
      hits: [{ index: 2, verdict: 'confirm' as const }],
      comment: '',
    };
    // "calm down" costs 3 on its own.
    expect(total({ items: [offerPass, phrases], addedDeductions: [] })).toBe(97);
    const added = { itemId: 'closing', start: 1, end: 2, points: 100, comment: 'x' };
    expect(total({ items: [offerPass], addedDeductions: [added, added] })).toBe(0);
    const items = applyReview(card, machine, { items: [offerPass], addedDeductions: [added, added] }).items;
    expect(items.find((i) => i.itemId === 'closing')).toMatchObject({ status: 'fail', deduction: 100 });
  });

  it('fails the call when an auto-fail item is failed', () => {
    const abusive = { itemId: 'forbidden-abusive', status: 'fail' as const, hits: [], comment: '' };
    const result = applyReview(card, machine, { items: [offerPass, abusive], addedDeductions: [] }).total;
    expect(result).toEqual({ score: 0, passed: false, autoFailed: true });
  });
});

describe('queue cursor', () => {
  it('round-trips and refuses anything else', () => {
    const cursor = { reviewFirst: 1 as const, startedUs: '1791000000123456', callId: '呼叫/1' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    for (const bad of [
      '',
      '!!',
      Buffer.from('{"a":1}').toString('base64url'),
      Buffer.from('[0,"x","c"]').toString('base64url'),
    ]) {
      expect(() => decodeCursor(bad)).toThrow('cursor');
    }
  });
});
