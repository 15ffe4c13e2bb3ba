import { describe, expect, it } from 'vitest';
import { parseCorpus } from '../../workers/scoring/dialogue-corpus.ts';
import { readCorpus, runCorpusTest } from '../../workers/scoring/run-corpus-test.ts';
import { repoRoot, scorecardPath } from './helpers.ts';

const corpus = `${repoRoot}/test/scoring/corpus`;
const cards = [scorecardPath('default-zh'), scorecardPath('default-zh-chat')];

/**
 * The independent corpus (written from the seeds without the scorecard) is the
 * gate: the default cards must hold on its test half, which is never used to
 * tune them (the dev half is).
 */
describe('the independent dialogue corpus', () => {
  it('has at least 400 labelled dialogues, phone and chat, split into dev and test halves', async () => {
    const all = await readCorpus(corpus);
    expect(all.length).toBeGreaterThanOrEqual(400);
    for (const channel of ['phone', 'chat'] as const) {
      const of = all.filter((d) => d.channel === channel);
      expect(of.filter((d) => d.split === 'dev').length).toBe(of.filter((d) => d.split === 'test').length);
    }
    expect(all.some((d) => d.turns.some((t) => t.true_speaker !== undefined))).toBe(true);
  });

  it('default-zh + default-zh-chat pass the gate on the test half (missing greeting / closing F1 >= 0.95, forbidden turns P >= 0.85, R >= 0.80)', async () => {
    const run = await runCorpusTest(cards, corpus, { split: 'test', cers: [0], maxMisses: 30 });
    expect(run.failures, run.text).toEqual([]);
    const [report] = run.reports;
    expect(report.dialogues).toBeGreaterThanOrEqual(200);
    expect(report.forbiddenTurns.tp).toBeGreaterThan(50);
  });

  it('refuses a malformed corpus line with its file and line', () => {
    expect(() =>
      parseCorpus('{"id":"x","channel":"fax","split":"dev","turns":[],"labels":{}}\n', 'bad.jsonl'),
    ).toThrow(/bad\.jsonl:1/);
  });
});
