import { describe, expect, it } from 'vitest';
import { buildSamplingParams } from '../helpers/builders.ts';
import { agentQuota, ceilClean, type AgentHistory } from '../../sampling/quota.ts';
import {
  expectedMonthCalls,
  hashCutoff,
  higherCutoff,
  NO_CUTOFF,
  OVER_QUOTA_CHANCE,
  revealFraction,
  revealMean,
} from '../../sampling/spread.ts';

const params = buildSamplingParams({
  bands: [
    { minScore: 0, multiplier: 2 },
    { minScore: 80, multiplier: 1.5 },
    { minScore: 90, multiplier: 1 },
    { minScore: 98, multiplier: 0.5 },
  ],
});

const history = (h: Partial<AgentHistory> = {}): AgentHistory => ({
  prevMonthCalls: 0,
  monthCalls: 0,
  lastScore: null,
  scoreBefore: null,
  lastMonthExempt: false,
  monthBeforeExempt: false,
  ...h,
});

describe('agentQuota', () => {
  it('is ceil(1% of last month) and ignores floating-point dust', () => {
    expect(agentQuota(history({ prevMonthCalls: 700 }), params).quota).toBe(7);
    expect(agentQuota(history({ prevMonthCalls: 701 }), params).quota).toBe(8);
    expect(agentQuota(history({ prevMonthCalls: 1000 }), params).quota).toBe(10);
    expect(ceilClean(0.01 * 700)).toBe(7);
  });

  it('is at least 1 for an agent with calls', () => {
    expect(agentQuota(history({ prevMonthCalls: 3 }), params)).toMatchObject({ quota: 1, mode: 'normal' });
    expect(agentQuota(history({ monthCalls: 1 }), params)).toMatchObject({ quota: 1, mode: 'new_agent' });
  });

  it('is 0 for an agent with no calls in either month', () => {
    expect(agentQuota(history(), params)).toMatchObject({ quota: 0, mode: 'no_calls' });
  });

  it('uses the current month volume for a new agent, and last month otherwise', () => {
    expect(agentQuota(history({ monthCalls: 250 }), params)).toMatchObject({ quota: 3, mode: 'new_agent' });
    expect(agentQuota(history({ prevMonthCalls: 100, monthCalls: 900 }), params).quota).toBe(1);
  });

  it('raises or lowers the quota by last month score band', () => {
    const base = { prevMonthCalls: 1000 };
    expect(agentQuota(history({ ...base, lastScore: 60 }), params)).toMatchObject({
      quota: 20,
      multiplier: 2,
    });
    expect(agentQuota(history({ ...base, lastScore: 85 }), params).quota).toBe(15);
    expect(agentQuota(history({ ...base, lastScore: 90 }), params).quota).toBe(10);
    expect(agentQuota(history({ ...base, lastScore: 99 }), params).quota).toBe(5);
    expect(agentQuota(history({ ...base, lastScore: null }), params).quota).toBe(10);
    // the multiplier never takes an agent with calls below 1
    expect(agentQuota(history({ prevMonthCalls: 10, lastScore: 99 }), params).quota).toBe(1);
  });

  it('gives only 5 calls after two full-score months, then the normal quota again', () => {
    const perfect = { prevMonthCalls: 2000, lastScore: 100, scoreBefore: 100 };
    expect(agentQuota(history(perfect), params)).toMatchObject({ mode: 'exemption', quota: 5 });
    // fourth month: the third was the exemption month, even if it was perfect too
    expect(agentQuota(history({ ...perfect, lastMonthExempt: true }), params)).toMatchObject({
      mode: 'normal',
      quota: 10,
    });
    // fifth month: streak restarted after the exemption month, one full month is not enough
    expect(agentQuota(history({ ...perfect, monthBeforeExempt: true }), params).mode).toBe('normal');
    expect(agentQuota(history({ ...perfect, scoreBefore: 99.5 }), params).mode).toBe('normal');
  });
});

describe('revealMean', () => {
  /** P(X > k) for X ~ Poisson(λ), summed directly (fine for the small k here). */
  const overChance = (k: number, lambda: number) => {
    let term = Math.exp(-lambda);
    let cdf = term;
    for (let i = 1; i <= k; i++) cdf += term *= lambda / i;
    return 1 - cdf;
  };

  it('is the largest Poisson mean that exceeds the quota only with the allowed chance', () => {
    for (const quota of [1, 2, 5, 10, 30, 100]) {
      const lambda = revealMean(quota);
      expect(lambda).toBeGreaterThan(0);
      expect(lambda).toBeLessThan(quota);
      expect(overChance(quota, lambda)).toBeCloseTo(OVER_QUOTA_CHANCE, 6);
      expect(overChance(quota, lambda * 1.01)).toBeGreaterThan(OVER_QUOTA_CHANCE);
    }
    expect(revealMean(1)).toBeCloseTo(0.3554, 3);
    expect(revealMean(0)).toBe(0);
  });

  it('aims at a larger share of a larger quota, and copes with quotas in the thousands', () => {
    expect(revealMean(10) / 10).toBeGreaterThan(revealMean(1));
    expect(revealMean(100) / 100).toBeGreaterThan(revealMean(10) / 10);
    const big = revealMean(5000);
    expect(big).toBeGreaterThan(4800);
    expect(big).toBeLessThan(5000);
  });
});

describe('expectedMonthCalls', () => {
  // October (31 days) after September (30 days), in Shanghai
  const prevStart = new Date('2026-08-31T16:00:00Z');
  const monthStart = new Date('2026-09-30T16:00:00Z');
  const monthEnd = new Date('2026-10-31T16:00:00Z');
  const at = (day: number) => new Date(monthStart.getTime() + day * 86400_000);

  it("scales last month's volume to this month's length", () => {
    const v = { prevStart, monthStart, monthEnd, prevEligibleCalls: 3000, eligibleCalls: 50 };
    expect(expectedMonthCalls({ ...v, through: at(1) })).toBe(3100);
  });

  it("follows this month's pace when it is higher, or when there is no last month", () => {
    const v = { prevStart, monthStart, monthEnd, prevEligibleCalls: 3000 };
    expect(expectedMonthCalls({ ...v, eligibleCalls: 1550, through: at(10) })).toBe(4805);
    expect(expectedMonthCalls({ ...v, prevEligibleCalls: 0, eligibleCalls: 20, through: at(2) })).toBe(310);
    expect(expectedMonthCalls({ ...v, prevEligibleCalls: 0, eligibleCalls: 0, through: at(2) })).toBe(1);
  });
});

describe('revealFraction and hash cut-offs', () => {
  it('reveals revealMean(quota) of the expected calls, and everything when calls are fewer', () => {
    expect(revealFraction(10, 1000)).toBeCloseTo(revealMean(10) / 1000, 12);
    expect(revealFraction(10, 3)).toBe(1);
  });

  it('maps a fraction onto the signed 64-bit hash range', () => {
    expect(hashCutoff(0)).toBe(NO_CUTOFF);
    expect(hashCutoff(0.5)).toBe('0');
    expect(hashCutoff(0.25)).toBe((-(2n ** 62n)).toString());
    expect(hashCutoff(1)).toBe((2n ** 63n - 1n).toString());
  });

  it('only rises: the higher of two cut-offs holds, compared exactly', () => {
    expect(higherCutoff('-9223372036854775000', '-9223372036854775001')).toBe('-9223372036854775000');
    expect(higherCutoff(NO_CUTOFF, '5')).toBe('5');
  });
});
