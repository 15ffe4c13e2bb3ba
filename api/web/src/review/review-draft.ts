import type { CallReviewView, ReviewItem, ReviewSubmission } from '../../../contracts/review.ts';
import { totalScore, type TotalItem } from '../../../../workers/scoring/total-score.ts';

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
 * The total these verdicts give, by the one total-score definition the
 * scorer uses (workers/scoring/total-score.ts). A failed item costs what the
 * machine deducted when it agreed, else the item's points; added deductions
 * cost their points; items still under review cost nothing.
 */
export function computedTotal(
  score: Score,
  draft: ReviewDraft,
): { score: number; passed: boolean; autoFailed: boolean } {
  const items: TotalItem[] = score.items.map((item) => {
    const status = effectiveStatus(draft, item);
    const fail = status === 'fail';
    return {
      status,
      deduction: fail ? (item.status === 'fail' ? item.deduction : item.points) : 0,
      autoFail: fail && item.status === 'fail' && item.autoFail,
      weight: item.weight ?? undefined,
    };
  });
  for (const added of draft.added) {
    items.push({ status: 'fail', deduction: added.points, autoFail: false, weight: 0 });
  }
  return totalScore({ scoring: score.scoring, passThreshold: score.passThreshold }, items);
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
  const score = view.score!;
  const items: ReviewSubmission['items'] = [];
  for (const item of score.items) {
    const decided = draft.items[item.itemId];
    if (!decided) continue;
    const hits = Object.entries(decided.hits).map(([index, verdict]) => ({ index: Number(index), verdict }));
    if (decided.status === undefined && hits.length === 0 && decided.comment === '') continue;
    const status = effectiveStatus(draft, item);
    items.push({
      itemId: item.itemId,
      // A review item is never sent undecided (the form stops that first).
      status: status === 'review' ? 'fail' : status,
      hits,
      comment: decided.comment,
    });
  }
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
