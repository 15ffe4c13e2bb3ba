import type { ItemStatus } from './call-score.ts';

/** What the total needs of one item: its verdict and, on a weighted card, its weight. */
export interface TotalItem {
  status: ItemStatus;
  /** Points deducted (0 unless status is fail). */
  deduction: number;
  autoFail: boolean;
  /** The item's weight on a weighted card; ignored on a deduction card. */
  weight?: number;
}

export interface TotalRule {
  scoring: 'deduction' | 'weighted';
  passThreshold: number;
}

export interface Total {
  score: number;
  passed: boolean;
  autoFailed: boolean;
}

/**
 * A call's total score from its items' verdicts — the one definition shared
 * by the scorer, re-scoring and a human review that changes items' verdicts.
 * Deduction cards start at 100 and lose each failed item's points; weighted
 * cards score the share of applicable weight not lost. Any auto-fail makes it
 * 0 and a fail; otherwise the call passes at the card's threshold. Items under
 * review cost nothing until someone decides them.
 */
export function totalScore(rule: TotalRule, items: readonly TotalItem[]): Total {
  const autoFailed = items.some((item) => item.autoFail);
  const lost = items.reduce((sum, item) => sum + item.deduction, 0);
  let score: number;
  if (rule.scoring === 'weighted') {
    const total = items.reduce((sum, item) => (item.status === 'na' ? sum : sum + (item.weight ?? 0)), 0);
    score = total > 0 ? (100 * (total - lost)) / total : 100;
  } else {
    score = 100 - lost;
  }
  score = autoFailed ? 0 : Math.max(0, Math.round(score * 100) / 100);
  return { score, passed: !autoFailed && score >= rule.passThreshold, autoFailed };
}
