import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../models/mulberry32.ts';
import { corruptText, simulateAsrErrors } from '../../workers/scoring/asr-error-simulator.ts';
import { formatScorecardReport } from '../../workers/scoring/format-scorecard-report.ts';
import { runScorecardTest } from '../../workers/scoring/run-scorecard-test.ts';
import { labelledPath, scorecardPath, transcriptOf, v1CardPath } from './helpers.ts';

const GATE = 0.95;

describe('rule test harness: the generated regression sets (card v1) stay at F1 >= 0.95', () => {
  it.each([
    ['default-zh', 'default-zh'],
    ['default-zh', 'default-zh-tricky'],
    ['en-example', 'en-example'],
  ])('%s on %s.jsonl: every rule F1 >= 0.95', async (card, set) => {
    const run = await runScorecardTest(
      card === 'default-zh' ? v1CardPath : scorecardPath(card),
      labelledPath(set),
      {
        cers: [0],
      },
    );
    const [report] = run.reports;
    const weak = report.rules.filter((rule) => rule.f1 < GATE);
    expect(weak, run.text).toEqual([]);
    expect(run.minCleanF1).toBeGreaterThanOrEqual(GATE);
  });

  it('the generated sets are big enough and exercise every default-zh rule with failures', async () => {
    const run = await runScorecardTest(v1CardPath, labelledPath('default-zh'), {
      cers: [0],
    });
    const [report] = run.reports;
    expect(report.calls).toBeGreaterThanOrEqual(200);
    const withoutFailures = report.rules.filter((rule) => rule.support === 0).map((rule) => rule.itemId);
    // talk-ratio is reported only (the seeds set no norm), so it never fails.
    expect(withoutFailures).toEqual(['talk-ratio']);
  });

  it('reports F1 at 10% and 20% simulated CER', async () => {
    const run = await runScorecardTest(v1CardPath, labelledPath('default-zh'), {
      cers: [0, 0.1, 0.2],
      seed: 1,
    });
    expect(run.reports.map((r) => r.cer)).toEqual([0, 0.1, 0.2]);
    for (const report of run.reports) {
      for (const rule of report.rules) {
        expect(rule.f1).toBeGreaterThanOrEqual(0);
        expect(rule.f1).toBeLessThanOrEqual(1);
      }
    }
    expect(run.text).toContain('simulated CER 0.2');
    console.log(run.reports.map((r) => formatScorecardReport(r, { maxMisses: 0 })).join('\n\n'));
  });
});

describe('ASR error simulator', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const t = transcriptOf([['agent', 0, 5, '您好,客服中心,请问您需要什么帮助?感谢您的来电,再见']]);
    const a = simulateAsrErrors(t, { cer: 0.3, seed: 7 });
    const b = simulateAsrErrors(t, { cer: 0.3, seed: 7 });
    const c = simulateAsrErrors(t, { cer: 0.3, seed: 8 });
    expect(a.segments[0].text).toBe(b.segments[0].text);
    expect(a.segments[0].text).not.toBe(c.segments[0].text);
    expect(simulateAsrErrors(t, { cer: 0, seed: 7 })).toBe(t);
  });

  it('corrupts at roughly the requested character error rate, mostly with homophones', () => {
    const text = '请问您还需要其它帮助吗感谢您的来电再见'.repeat(200);
    const random = mulberry32(3);
    const out = corruptText(text, 0.1, random);
    let changed = 0;
    const n = Math.min(text.length, out.length);
    for (let i = 0; i < n; i += 1) if (text[i] !== out[i]) changed += 1;
    // Insertions and deletions shift the rest of the text, so only check that errors happened.
    expect(changed).toBeGreaterThan(0);
    const subsOnly = corruptText('再见'.repeat(500), 0.2, mulberry32(5));
    expect(subsOnly).toMatch(/在/);
  });
});
