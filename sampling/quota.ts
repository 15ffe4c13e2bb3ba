import type { SamplingParams } from './params.ts';

/** What the sampler knows about one agent when it sets the month's quota. */
export interface AgentHistory {
  prevMonthCalls: number;
  /** Calls so far this month (up to the run's cut-off). */
  monthCalls: number;
  /** Final QA score of the previous month (M-1) and the one before (M-2), if known. */
  lastScore: number | null;
  scoreBefore: number | null;
  /** Whether M-1 and M-2 were exemption months. */
  lastMonthExempt: boolean;
  monthBeforeExempt: boolean;
}

export type QuotaMode = 'normal' | 'new_agent' | 'exemption' | 'no_calls';

export interface AgentQuota {
  mode: QuotaMode;
  /** ceil(rate × volume), at least 1; before the score multiplier. */
  baseQuota: number;
  multiplier: number;
  quota: number;
}

/**
 * The rulebook (质检规范 二(二)1 and 5): each month sample 1% of the agent's
 * previous-month volume; raise or lower that by last month's score; after two
 * full-score months in a row, the third month is an exemption month with only
 * 5 calls, and the fourth is normal again. A full-score exemption month does
 * not count towards the next streak, so a perfect agent is exempt every third
 * month, never two months running.
 */
export function agentQuota(history: AgentHistory, params: SamplingParams): AgentQuota {
  if (history.prevMonthCalls === 0 && history.monthCalls === 0) {
    return { mode: 'no_calls', baseQuota: 0, multiplier: 1, quota: 0 };
  }
  if (isExemptionMonth(history, params.fullScore)) {
    return {
      mode: 'exemption',
      baseQuota: params.exemptionQuota,
      multiplier: 1,
      quota: params.exemptionQuota,
    };
  }
  const isNew = history.prevMonthCalls === 0;
  const volume = isNew ? history.monthCalls : history.prevMonthCalls;
  const baseQuota = Math.max(1, ceilClean(params.rate * volume));
  const multiplier = history.lastScore === null ? 1 : bandMultiplier(history.lastScore, params);
  const quota = Math.max(1, ceilClean(baseQuota * multiplier));
  return { mode: isNew ? 'new_agent' : 'normal', baseQuota, multiplier, quota };
}

export function isExemptionMonth(history: AgentHistory, fullScore: number): boolean {
  return (
    history.lastScore !== null &&
    history.scoreBefore !== null &&
    history.lastScore >= fullScore &&
    history.scoreBefore >= fullScore &&
    !history.lastMonthExempt &&
    !history.monthBeforeExempt
  );
}

export function bandMultiplier(score: number, params: SamplingParams): number {
  let multiplier = 1;
  for (const band of params.bands) if (score >= band.minScore) multiplier = band.multiplier;
  return multiplier;
}

/** ceil() that ignores floating-point dust: 0.01 × 700 is 7.000000000000001, and the quota is 7. */
export function ceilClean(x: number): number {
  return Math.ceil(Math.round(x * 1e9) / 1e9);
}
