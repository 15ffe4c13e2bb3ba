import type { CallReviewView, ReviewItem, ReviewSubmission } from '../../../contracts/review.ts';
import type { ItemResult } from '../../../../workers/scoring/call-score.ts';
import type { Scorecard } from '../../../../workers/scoring/scorecard-schema.ts';
import type { Total } from '../../../../workers/scoring/total-score.ts';
import { applyReview, ReviewInvalid } from '../../../services/apply-review.ts';

export type HitVerdict = 'confirm' | 'overturn';
export type DecidedStatus = 'pass' | 'fail' | 'na';

export interface ItemDraft {
  /** undefined: keep the machine's verdict. */
  status?: DecidedStatus;
  /** The status came from hit verdicts, not from the reviewer's choice: later verdicts may change it. */
  statusFromHits?: boolean;
  hits: Record<number, HitVerdict>;
  comment: string;
}

export interface AddedDeduction {
  key: number;
  itemId: string;
  start: number;
  end: number;
  points: number;
  comment: string;
}

/** What a reviewer has decided so far; nothing is sent until they submit. */
export interface ReviewDraft {
  items: Record<string, ItemDraft>;
  added: AddedDeduction[];
  comment: string;
  /** null: follow the computed total. */
  finalScore: number | null;
  /** null: follow the final score against the pass mark. */
  passed: boolean | null;
  exemplary: boolean;
  exemplaryNote: string;
}

export const emptyDraft = (): ReviewDraft => ({
  items: {},
  added: [],
  comment: '',
  finalScore: null,
  passed: null,
  exemplary: false,
  exemplaryNote: '',
});

type Score = NonNullable<CallReviewView['score']>;

export function itemDraft(draft: ReviewDraft, itemId: string): ItemDraft {
  return draft.items[itemId] ?? { hits: {}, comment: '' };
}

/** The hits of an item that count against it (not excused by a named exception). */
const countedHits = (item: ReviewItem) => item.evidence.filter((hit) => hit.excusedBy === null);

/**
 * A verdict on one hit, and what it implies for its item when the reviewer
 * has not set the item's status: overturning every counted hit clears the
 * item; confirming one makes an undecided (review) item a failure.
 */
export function setHitVerdict(
  draft: ReviewDraft,
  item: ReviewItem,
  index: number,
  verdict: HitVerdict,
): ReviewDraft {
  const current = itemDraft(draft, item.itemId);
  const hits = { ...current.hits, [index]: verdict };
  if (current.status !== undefined && !current.statusFromHits) {
    return { ...draft, items: { ...draft.items, [item.itemId]: { ...current, hits } } };
  }
  const counted = countedHits(item);
  const allOverturned = counted.length > 0 && counted.every((hit) => hits[hit.index] === 'overturn');
  const anyConfirmed = Object.values(hits).includes('confirm');
  const status: DecidedStatus | undefined = allOverturned
    ? 'pass'
    : anyConfirmed && item.status !== 'fail'
      ? 'fail'
      : undefined;
  return {
    ...draft,
    items: {
      ...draft.items,
      [item.itemId]: { ...current, hits, status, statusFromHits: status !== undefined },
    },
  };
}

export function setItemStatus(
  draft: ReviewDraft,
  itemId: string,
  status: DecidedStatus | undefined,
): ReviewDraft {
  const current = itemDraft(draft, itemId);
  return { ...draft, items: { ...draft.items, [itemId]: { ...current, status, statusFromHits: false } } };
}

export function setItemComment(draft: ReviewDraft, itemId: string, comment: string): ReviewDraft {
  const current = itemDraft(draft, itemId);
  return { ...draft, items: { ...draft.items, [itemId]: { ...current, comment } } };
}

/** An item's status after the review: the reviewer's, else the machine's. */
export function effectiveStatus(draft: ReviewDraft, item: ReviewItem): ReviewItem['status'] {
  return itemDraft(draft, item.itemId).status ?? item.status;
}

/**
 * The total these verdicts give, by the server's own rules: the same pure
 * applyReview (api/services/apply-review.ts) that POST /calls/:id/reviews
 * runs, which ends in the one total-score definition the scorer uses
 * (workers/scoring/total-score.ts). The view carries all it reads of the
 * card — each item's points, weight and auto-fail, and the points and
 * auto-fail of the forbidden phrases its hits quote — so the card and the
 * machine's items are rebuilt from it and the live total is the total the
 * server saves (test/api/review-total-parity.test.ts). Items still under
 * review cost nothing until decided (as a pass costs nothing).
 */
export function computedTotal(score: Score, draft: ReviewDraft): Total | null {
  const card = {
    scoring: score.scoring,
    passThreshold: score.passThreshold,
    items: score.items.map((item) => ({
      id: item.itemId,
      points: item.points,
      weight: item.weight ?? undefined,
      autoFail: item.autoFailOnFail,
      rule: {
        kind: 'forbidden',
        phrases: item.evidence
          .filter((hit) => hit.points !== null || hit.autoFailOnConfirm)
          .map((hit) => ({
            text: hit.phrase,
            points: hit.points ?? undefined,
            autoFail: hit.autoFailOnConfirm,
          })),
      },
    })),
  } as unknown as Scorecard;
  const machine = score.items.map((item) => ({
    itemId: item.itemId,
    status: item.status === 'review' && !draft.items[item.itemId]?.status ? 'pass' : item.status,
    deduction: item.deduction,
    autoFail: item.autoFail,
    evidence: item.evidence.map((hit) => ({ phrase: hit.phrase, excusedBy: hit.excusedBy?.code })),
  })) as unknown as ItemResult[];
  try {
    return applyReview(card, machine, {
      items: decidedItems(score, draft),
      addedDeductions: draft.added,
    }).total;
  } catch (error) {
    if (error instanceof ReviewInvalid) return null;
    throw error;
  }
}

/** The items a reviewer touched, as the submission carries them. */
function decidedItems(score: Score, draft: ReviewDraft): ReviewSubmission['items'] {
  const items: ReviewSubmission['items'] = [];
  for (const item of score.items) {
    const decided = draft.items[item.itemId];
    if (!decided) continue;
    const hits = Object.entries(decided.hits).map(([index, verdict]) => ({ index: Number(index), verdict }));
    if (decided.status === undefined && hits.length === 0 && decided.comment === '') continue;
    const status = effectiveStatus(draft, item);
    // A review item is never sent undecided (the form stops that first).
    items.push({
      itemId: item.itemId,
      status: status === 'review' ? 'pass' : status,
      hits,
      comment: decided.comment,
    });
  }
  return items;
}

/** Items the machine left for a human that the reviewer has not decided yet. */
export function undecidedItems(score: Score, draft: ReviewDraft): ReviewItem[] {
  return score.items.filter(
    (item) => item.status === 'review' && itemDraft(draft, item.itemId).status === undefined,
  );
}

/** The request body of POST /calls/:id/reviews. */
export function submissionOf(
  view: CallReviewView,
  draft: ReviewDraft,
  finalScore: number,
  passed: boolean,
): ReviewSubmission {
  const items = decidedItems(view.score!, draft);
  return {
    baseVersion: view.reviews[0]?.version ?? 0,
    items,
    addedDeductions: draft.added.map(({ itemId, start, end, points, comment }) => ({
      itemId,
      start,
      end,
      points,
      comment,
    })),
    comment: draft.comment,
    finalScore,
    passed,
    exemplary: draft.exemplary,
    exemplaryNote: draft.exemplary && draft.exemplaryNote ? draft.exemplaryNote : null,
  };
}
