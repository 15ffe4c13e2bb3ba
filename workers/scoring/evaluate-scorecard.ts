import { renderReason } from './reason.ts';
import type { ItemStatus } from './call-score.ts';
import type { CompiledScorecard } from './compile-scorecard.ts';
import { simulateAsrErrors } from './asr-error-simulator.ts';
import { contextOf, toTranscript, type LabelledCall } from './labelled-call.ts';
import { scoreTranscript } from './score-transcript.ts';

/**
 * The rule test harness, pure: score each labelled call and compare every
 * labelled item. A rule's positive class is "fail" (the deduction it exists to
 * find); `review` counts as fail by default because it, too, flags the call.
 */

export interface RuleStats {
  itemId: string;
  /** Labelled calls for this item. */
  labelled: number;
  /** Labelled fails. */
  support: number;
  tp: number;
  fp: number;
  fn: number;
  /** Labels matched exactly (pass/fail/na). */
  agreement: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface Miss {
  callId: string;
  itemId: string;
  expected: 'pass' | 'fail' | 'na';
  actual: ItemStatus;
  reason: string;
}

export interface HarnessReport {
  scorecardId: string;
  scorecardVersion: number;
  calls: number;
  cer: number;
  seed: number;
  rules: RuleStats[];
  misses: Miss[];
}

export interface HarnessOptions {
  cer?: number;
  seed?: number;
  reviewAs?: 'fail' | 'pass';
}

const ratio = (a: number, b: number): number => (b === 0 ? 1 : a / b);

export function evaluateScorecard(
  compiled: CompiledScorecard,
  labelled: LabelledCall[],
  options: HarnessOptions = {},
): HarnessReport {
  const cer = options.cer ?? 0;
  const seed = options.seed ?? 1;
  const reviewAs = options.reviewAs ?? 'fail';
  const stats = new Map<string, RuleStats>();
  const misses: Miss[] = [];
  const known = new Set(compiled.items.map((entry) => entry.item.id));

  labelled.forEach((call, index) => {
    const transcript = simulateAsrErrors(toTranscript(call), { cer, seed: seed * 100_003 + index });
    const score = scoreTranscript(compiled, transcript, contextOf(call));
    const byId = new Map(score.items.map((item) => [item.itemId, item]));
    for (const [itemId, expected] of Object.entries(call.expected)) {
      if (!known.has(itemId)) continue;
      const result = byId.get(itemId);
      const actual: ItemStatus = result?.status ?? 'na';
      const flagged = actual === 'fail' || (actual === 'review' && reviewAs === 'fail');
      const effective = actual === 'review' ? (reviewAs === 'fail' ? 'fail' : 'pass') : actual;
      const entry = stats.get(itemId) ?? {
        itemId,
        labelled: 0,
        support: 0,
        tp: 0,
        fp: 0,
        fn: 0,
        agreement: 0,
        precision: 0,
        recall: 0,
        f1: 0,
      };
      entry.labelled += 1;
      if (expected === 'fail') entry.support += 1;
      if (expected === 'fail' && flagged) entry.tp += 1;
      if (expected !== 'fail' && flagged) entry.fp += 1;
      if (expected === 'fail' && !flagged) entry.fn += 1;
      if (effective === expected) entry.agreement += 1;
      else {
        const why = result ? renderReason(result.reason) : 'not scored';
        misses.push({ callId: call.id, itemId, expected, actual, reason: why });
      }
      stats.set(itemId, entry);
    }
  });

  const rules = compiled.items
    .map((entry) => stats.get(entry.item.id))
    .filter((entry): entry is RuleStats => entry !== undefined)
    .map((entry) => {
      const precision = ratio(entry.tp, entry.tp + entry.fp);
      const recall = ratio(entry.tp, entry.tp + entry.fn);
      const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
      return { ...entry, precision, recall, f1 };
    });
  return {
    scorecardId: compiled.card.id,
    scorecardVersion: compiled.card.version,
    calls: labelled.length,
    cer,
    seed,
    rules,
    misses,
  };
}
