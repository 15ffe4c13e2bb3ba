import { ceilClean } from './quota.ts';

/**
 * How the random quota is spread over a month of daily runs.
 *
 * A single run at month end picks, per agent, the `quota` eligible calls
 * with the lowest seeded hash: every call of the month has the same chance.
 * A daily run cannot see the rest of the month, so it does not count picks;
 * it reveals every call so far whose hash falls under the agent's cut-off,
 * a fraction of the hash space sized so that about `revealMean(quota)` calls
 * of the whole month fall under it. The run that closes the month then tops
 * up to the quota with the lowest hashes of the whole month.
 *
 * Whether a call is picked thus depends only on its hash and a cut-off that
 * does not look at hashes (quota and volume only), never on the day it
 * happened: each run's picks are the calls so far under the cut-off, so after
 * the last run the agent's picks are always the lowest hashes of its month —
 * exactly what one month-end run picks, or, when more calls than the quota
 * fell under the cut-off, a superset of it (a pick is never taken back: QA may
 * already have it). The cut-off aims below the quota so that happens in about
 * one agent-month in twenty (OVER_QUOTA_CHANCE) when the volume is steady; the
 * price is that the rest of the quota arrives with the month-end top-up. The
 * cut-off only rises during a month (the highest of the month's runs holds),
 * else calls under an earlier, higher cut-off would have had a better chance.
 *
 * Rejected: stopping at the quota would make it exact but close the last days
 * again whenever it fills early; revealing a pro-rata count of the lowest
 * hashes so far (the old ceil() rule, or with random rounding) favours early
 * calls, which compete for more of the reveals.
 */
export const OVER_QUOTA_CHANCE = 0.05;

const revealMeans = new Map<number, number>();

/**
 * The largest mean λ for which a Poisson count exceeds `quota` with chance at
 * most OVER_QUOTA_CHANCE: the number of calls a month's cut-off aims at
 * (0.36 for a quota of 1, 6.2 for 10, 40 for 50).
 */
export function revealMean(quota: number): number {
  if (quota <= 0) return 0;
  const known = revealMeans.get(quota);
  if (known !== undefined) return known;
  let low = 0;
  let high = quota;
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (1 - poissonCdf(quota, mid) <= OVER_QUOTA_CHANCE) low = mid;
    else high = mid;
  }
  revealMeans.set(quota, low);
  return low;
}

/** P(X ≤ k) for X ~ Poisson(λ), summed in log space so large λ does not underflow. */
function poissonCdf(k: number, lambda: number): number {
  if (lambda === 0) return 1;
  const logs: number[] = [];
  let log = -lambda;
  for (let i = 0; i <= k; i++) {
    if (i > 0) log += Math.log(lambda) - Math.log(i);
    logs.push(log);
  }
  const max = Math.max(...logs);
  return Math.min(1, Math.exp(max) * logs.reduce((sum, l) => sum + Math.exp(l - max), 0));
}

export interface VolumeSoFar {
  /** Eligible calls (those the random draw may pick) in the previous month; 0 for a new agent. */
  prevEligibleCalls: number;
  /** Eligible calls this month up to the run's cut-off. */
  eligibleCalls: number;
  monthStart: Date;
  monthEnd: Date;
  /** Start of the previous month. */
  prevStart: Date;
  through: Date;
}

/**
 * The eligible calls an agent is expected to have this month: last month's,
 * scaled to this month's length, or this month's pace so far if higher (a
 * new agent has only the pace). The higher of the two keeps the cut-off low
 * when the volume grows; a too-high guess only moves picks to the top-up.
 */
export function expectedMonthCalls(v: VolumeSoFar): number {
  const monthMs = v.monthEnd.getTime() - v.monthStart.getTime();
  const prevMs = v.monthStart.getTime() - v.prevStart.getTime();
  const elapsed = (v.through.getTime() - v.monthStart.getTime()) / monthMs;
  const fromLastMonth = ceilClean((v.prevEligibleCalls * monthMs) / prevMs);
  const fromPace = elapsed > 0 ? ceilClean(v.eligibleCalls / Math.min(1, elapsed)) : 0;
  return Math.max(1, fromLastMonth, fromPace);
}

/** The share of the hash space a daily run reveals for an agent: revealMean(quota) / expected calls, at most all. */
export function revealFraction(quota: number, expectedCalls: number): number {
  return Math.min(1, revealMean(quota) / Math.max(1, expectedCalls));
}

const HASH_MIN = -(2n ** 63n);
const HASH_MAX = 2n ** 63n - 1n;

/**
 * The signed 64-bit value of PostgreSQL's hashtextextended() below which
 * `fraction` of uniformly hashed calls fall (as a decimal string: pg and JS
 * numbers would lose its low bits). Nothing is below the lowest value.
 */
export function hashCutoff(fraction: number): string {
  if (fraction <= 0) return HASH_MIN.toString();
  if (fraction >= 1) return HASH_MAX.toString();
  return (HASH_MIN + (BigInt(Math.floor(fraction * 2 ** 53)) << 11n)).toString();
}

/** The lowest cut-off: a run that reveals nothing. */
export const NO_CUTOFF = HASH_MIN.toString();

/** The higher of two cut-offs (decimal strings of signed 64-bit values). */
export function higherCutoff(a: string, b: string): string {
  return BigInt(a) >= BigInt(b) ? a : b;
}
