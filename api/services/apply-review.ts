import type { ItemResult, ItemStatus } from '../../workers/scoring/call-score.ts';
import type { Scorecard, ScorecardItem } from '../../workers/scoring/scorecard-schema.ts';
import { totalScore, type Total } from '../../workers/scoring/total-score.ts';
import type { ReviewSubmission } from '../contracts/review.ts';

/**
 * A reviewer's decisions applied to the machine's items: pure, no I/O. The
 * rules, in order, for an item the reviewer decided:
 * - a confirmed hit fails the item (whatever status was sent);
 * - overturning every counted hit (not excused) of an item that has some passes it
 *   (or keeps it n/a when the reviewer said n/a);
 * - otherwise the status the reviewer chose;
 * - an added deduction fails its item and adds its points;
 * - a failed item loses, on a deduction card, the most its confirmed hits cost (a
 *   forbidden phrase's own points, else the item's), else what the machine took, else the
 *   item's points; on a weighted card its weight; never more than 100.
 * Items the reviewer left alone keep the machine's verdict, except `review`
 * items, which must be decided.
 */
export class ReviewInvalid extends Error {}

export interface ReviewedItem {
  itemId: string;
  status: ItemStatus;
  deduction: number;
  autoFail: boolean;
  weight?: number;
}

export function applyReview(
  card: Scorecard,
  machine: readonly ItemResult[],
  submission: Pick<ReviewSubmission, 'items' | 'addedDeductions'>,
): { items: ReviewedItem[]; total: Total } {
  const cardItems = new Map(card.items.map((item) => [item.id, item]));
  const machineItems = new Map(machine.map((item) => [item.itemId, item]));
  const decisions = new Map<string, ReviewSubmission['items'][number]>();
  for (const decision of submission.items) {
    const item = machineItems.get(decision.itemId);
    if (!item) throw new ReviewInvalid(`item "${decision.itemId}" is not an item of this score`);
    if (decisions.has(decision.itemId)) throw new ReviewInvalid(`item "${decision.itemId}" is decided twice`);
    for (const hit of decision.hits) {
      if (hit.index >= item.evidence.length) {
        throw new ReviewInvalid(`item "${decision.itemId}" has no hit ${hit.index}`);
      }
    }
    decisions.set(decision.itemId, decision);
  }
  const added = new Map<string, number>();
  for (const deduction of submission.addedDeductions) {
    if (!machineItems.has(deduction.itemId)) {
      throw new ReviewInvalid(`added deduction: item "${deduction.itemId}" is not an item of this score`);
    }
    if (deduction.end < deduction.start) {
      throw new ReviewInvalid(`added deduction on "${deduction.itemId}" ends before it starts`);
    }
    added.set(deduction.itemId, (added.get(deduction.itemId) ?? 0) + deduction.points);
  }

  const items = machine.map((item): ReviewedItem => {
    const cardItem = cardItems.get(item.itemId);
    const weight = cardItem?.weight;
    const decision = decisions.get(item.itemId);
    if (!decision && item.status === 'review') {
      throw new ReviewInvalid(`item "${item.itemId}" needs review: decide it (pass, fail or na)`);
    }
    let status: ItemStatus = item.status;
    let deduction = item.deduction;
    let autoFail = item.autoFail;
    if (decision) {
      const confirmed = decision.hits
        .filter((h) => h.verdict === 'confirm')
        .map((h) => item.evidence[h.index]);
      const overturned = new Set(decision.hits.filter((h) => h.verdict === 'overturn').map((h) => h.index));
      const counted = item.evidence.map((hit, i) => ({ hit, i })).filter(({ hit }) => !hit.excusedBy);
      const allOverturned = counted.length > 0 && counted.every(({ i }) => overturned.has(i));
      if (confirmed.length > 0) status = 'fail';
      else if (allOverturned) status = decision.status === 'na' ? 'na' : 'pass';
      else status = decision.status;
      if (status !== 'fail') {
        deduction = 0;
        autoFail = false;
      } else {
        deduction = failPoints(card, cardItem, item, confirmed);
        autoFail =
          (cardItem?.autoFail ?? false) ||
          confirmed.some((hit) => phraseOf(cardItem, hit.phrase)?.autoFail === true) ||
          (item.status === 'fail' && item.autoFail);
      }
    }
    const extra = added.get(item.itemId);
    if (extra !== undefined) {
      deduction = (status === 'fail' ? deduction : 0) + extra;
      status = 'fail';
    }
    return { itemId: item.itemId, status, deduction: Math.min(deduction, 100), autoFail, weight };
  });
  return { items, total: totalScore(card, items) };
}

/** What an item costs when it fails (the `points` a reviewer's confirm or added deduction defaults to). */
export function itemPoints(card: Scorecard, item: ScorecardItem | undefined): number {
  if (!item) return 0;
  return card.scoring === 'weighted' ? (item.weight ?? 0) : (item.points ?? 0);
}

function failPoints(
  card: Scorecard,
  cardItem: ScorecardItem | undefined,
  machine: ItemResult,
  confirmed: ItemResult['evidence'],
): number {
  if (card.scoring === 'weighted') return cardItem?.weight ?? machine.deduction;
  if (confirmed.length > 0) {
    return Math.max(
      ...confirmed.map((hit) => phraseOf(cardItem, hit.phrase)?.points ?? itemPoints(card, cardItem)),
    );
  }
  if (machine.status === 'fail') return machine.deduction;
  return itemPoints(card, cardItem);
}

/** A forbidden-phrase entry with its own points, severity or auto-fail, by the phrase a hit quotes. */
export function phraseOf(item: ScorecardItem | undefined, phrase: string) {
  if (item?.rule.kind !== 'forbidden') return undefined;
  for (const entry of item.rule.phrases) {
    if (typeof entry !== 'string' && entry.text === phrase) return entry;
  }
  return undefined;
}
