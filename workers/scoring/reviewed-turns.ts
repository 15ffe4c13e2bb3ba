import { maskPersonalData } from '../../models/mask-personal-data.ts';
import type { Channel, TranscriptSegment } from '../../models/transcript.ts';
import type { ItemResult } from './call-score.ts';
import { countsAsViolation } from './evaluate-corpus.ts';
import type { BankTurn } from './turn-bank.ts';

/**
 * A centre's own reviews as a turn bank: every agent turn of a reviewed call,
 * labelled by what the reviewer decided, so the learned model can learn from
 * the calls it will judge (`callqa scorecard reviewed-turns`, then `callqa
 * scorecard train … --bank`). Pure: a reviewed call in, bank turns out.
 *
 * A turn is
 * - `violation` when a forbidden item's hit on it was confirmed — by the
 *   reviewer's verdict, or by failing the item without overturning that hit,
 *   or by leaving a counted hit of a failed item standing — or when an added
 *   deduction of a forbidden item covers its time;
 * - `near_miss` when a hit on it was overturned, or cleared by an exception
 *   and not confirmed: words the machine looked at twice, and a person judged
 *   harmless;
 * - `ok` otherwise: a reviewer heard the whole call and added no deduction.
 *
 * Numbers said aloud are masked (mask-personal-data.ts): the bank leaves the
 * database as a file.
 */

export interface ReviewedCall {
  callId: string;
  channel: Channel;
  segments: Pick<TranscriptSegment, 'speaker' | 'start' | 'end' | 'text'>[];
  /** The machine's items for the scorecard version the reviewer saw. */
  machine: ItemResult[];
  /** The latest review's decisions (contract ReviewSubmission). */
  items: {
    itemId: string;
    status: 'pass' | 'fail' | 'na';
    hits: { index: number; verdict: 'confirm' | 'overturn' }[];
  }[];
  addedDeductions: { itemId: string; start: number; end: number }[];
}

type Label = BankTurn['label'];
const RANK: Record<Label, number> = { ok: 0, near_miss: 1, violation: 2 };

export function reviewedTurns(call: ReviewedCall): BankTurn[] {
  const found = new Map<number, { label: Label; itemId: string; span?: string }>();
  const mark = (segment: number, label: Label, itemId: string, span?: string) => {
    const seen = found.get(segment);
    if (!seen || RANK[label] > RANK[seen.label]) found.set(segment, { label, itemId, span });
  };
  const decisions = new Map(call.items.map((decision) => [decision.itemId, decision]));
  const forbidden = new Set<string>();
  for (const item of call.machine) {
    if (!countsAsViolation(item)) continue;
    forbidden.add(item.itemId);
    const decision = decisions.get(item.itemId);
    const verdicts = new Map(decision?.hits.map((hit) => [hit.index, hit.verdict]));
    const failed = decision ? decision.status === 'fail' : item.status === 'fail';
    item.evidence.forEach((hit, index) => {
      if (hit.segmentIndex === null) return;
      const verdict = verdicts.get(index);
      const confirmed = verdict === 'confirm' || (verdict === undefined && failed && !hit.excusedBy);
      mark(hit.segmentIndex, confirmed ? 'violation' : 'near_miss', item.itemId, hit.matchedText);
    });
  }
  for (const added of call.addedDeductions) {
    if (!forbidden.has(added.itemId)) continue;
    call.segments.forEach((segment, index) => {
      if (segment.speaker === 'agent' && segment.start < added.end && added.start < segment.end) {
        mark(index, 'violation', added.itemId);
      }
    });
  }

  const turns: BankTurn[] = [];
  let customer = '';
  call.segments.forEach((segment, index) => {
    if (segment.speaker !== 'agent') {
      if (segment.speaker === 'customer') customer = segment.text;
      return;
    }
    const agent = maskPersonalData(segment.text);
    if (agent.trim() === '') return;
    const judged = found.get(index);
    const span = judged?.span !== undefined ? maskPersonalData(judged.span) : undefined;
    turns.push({
      id: `${call.callId}#${index}`,
      channel: call.channel,
      customer: maskPersonalData(customer),
      agent,
      label: judged?.label ?? 'ok',
      ...(judged && judged.label !== 'ok' ? { class: judged.itemId } : {}),
      ...(span && agent.includes(span) ? { span } : {}),
    });
  });
  return turns;
}
