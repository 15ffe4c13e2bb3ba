import { describe, expect, it } from 'vitest';
import { scoreTranscript } from '../../workers/scoring/score-transcript.ts';
import { totalScore, type TotalItem } from '../../workers/scoring/total-score.ts';
import { defaultZhV1, transcriptOf } from './helpers.ts';

const item = (status: TotalItem['status'], deduction = 0, extra: Partial<TotalItem> = {}): TotalItem => ({
  status,
  deduction,
  autoFail: false,
  ...extra,
});

describe('totalScore', () => {
  it('deduction cards: 100 minus the failed items, floored at 0, passing at the threshold', () => {
    const rule = { scoring: 'deduction', passThreshold: 80 } as const;
    expect(totalScore(rule, [item('pass'), item('fail', 15), item('na')])).toEqual({
      score: 85,
      passed: true,
      autoFailed: false,
    });
    expect(totalScore(rule, [item('fail', 20)])).toMatchObject({ score: 80, passed: true });
    expect(totalScore(rule, [item('fail', 20.01)])).toMatchObject({ score: 79.99, passed: false });
    expect(totalScore(rule, [item('fail', 70), item('fail', 50)])).toMatchObject({ score: 0, passed: false });
  });

  it('weighted cards: the share of applicable weight kept; N/A items leave the total', () => {
    const rule = { scoring: 'weighted', passThreshold: 60 } as const;
    const items = [
      item('pass', 0, { weight: 2 }),
      item('fail', 1, { weight: 1 }),
      item('na', 0, { weight: 5 }),
    ];
    expect(totalScore(rule, items)).toEqual({ score: 66.67, passed: true, autoFailed: false });
    expect(totalScore(rule, [item('na', 0, { weight: 3 })])).toMatchObject({ score: 100, passed: true });
  });

  it('an auto-fail makes it 0 and a fail whatever else held', () => {
    const total = totalScore({ scoring: 'deduction', passThreshold: 0 }, [
      item('fail', 1, { autoFail: true }),
    ]);
    expect(total).toEqual({ score: 0, passed: false, autoFailed: true });
  });

  it('is what the scorer uses, and a review that changes verdicts gets its total from it', () => {
    const zh = defaultZhV1();
    const scored = scoreTranscript(
      zh,
      transcriptOf([
        ['agent', 0.5, 6, '您好,客服中心,1023号为您服务,请问您需要什么帮助?'],
        ['customer', 6.5, 10, '我想查一下这个月的话费'],
        ['agent', 10.5, 14, '这个我不清楚'],
        ['agent', 29, 32, '感谢您的来电,再见!'],
      ]),
    );
    const rule = { scoring: zh.card.scoring, passThreshold: zh.card.passThreshold };
    expect(totalScore(rule, scored.items)).toEqual({
      score: scored.score,
      passed: scored.passed,
      autoFailed: scored.autoFailed,
    });
    const failed = scored.items.filter((i) => i.status === 'fail');
    expect(failed.length).toBeGreaterThan(0);
    // a reviewer listens and clears every failed item: the same function gives the reviewed total
    const reviewed = scored.items.map((i) =>
      i.status === 'fail' ? { ...i, status: 'pass' as const, deduction: 0, autoFail: false } : i,
    );
    expect(totalScore(rule, reviewed)).toEqual({ score: 100, passed: true, autoFailed: false });
  });
});
