import { describe, expect, it } from 'vitest';
import { buildSamplingParams } from '../helpers/builders.ts';
import { agentQuota, ceilClean, type AgentHistory } from '../../sampling/quota.ts';
import { proRataTarget } from '../../sampling/spread.ts';

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

describe('proRataTarget', () => {
  const start = new Date('2026-09-30T16:00:00Z');
  const end = new Date('2026-10-31T16:00:00Z');
  it('grows with the month and reaches the quota at its end', () => {
    expect(proRataTarget(31, start, end, start)).toBe(0);
    expect(proRataTarget(31, start, end, new Date('2026-10-01T16:00:00Z'))).toBe(1);
    expect(proRataTarget(31, start, end, new Date('2026-10-16T16:00:00Z'))).toBe(16);
    expect(proRataTarget(31, start, end, end)).toBe(31);
    expect(proRataTarget(31, start, end, new Date('2026-12-01T00:00:00Z'))).toBe(31);
  });
});
