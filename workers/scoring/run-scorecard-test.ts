import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { evaluateScorecard, type HarnessReport } from './evaluate-scorecard.ts';
import { formatScorecardReport } from './format-scorecard-report.ts';
import { parseLabelledCalls } from './labelled-call.ts';
import { loadCompiledScorecard } from './load-scorecard.ts';

export interface ScorecardTestOptions {
  /** Simulated character error rates to run; 0 is clean text. Default [0]. */
  cers?: number[];
  seed?: number;
  maxMisses?: number;
}

export interface ScorecardTestRun {
  reports: HarnessReport[];
  /** Printable text, one section per CER. */
  text: string;
  /** Lowest F1 of any rule on clean text (the quality gate), or null when 0 was not run. */
  minCleanF1: number | null;
}

/**
 * Entry point for `callqa scorecard test <scorecard> <labelled.jsonl> [--cer 0.1 --seed 1]`.
 * Labelled lines naming another scorecard id are skipped.
 */
export async function runScorecardTest(
  scorecardPath: string,
  labelledPath: string,
  options: ScorecardTestOptions = {},
): Promise<ScorecardTestRun> {
  const compiled = await loadCompiledScorecard(scorecardPath);
  const labelled = parseLabelledCalls(await readFile(labelledPath, 'utf8'), basename(labelledPath)).filter(
    (call) => call.scorecard === undefined || call.scorecard === compiled.card.id,
  );
  const cers = options.cers ?? [0];
  const reports = cers.map((cer) => evaluateScorecard(compiled, labelled, { cer, seed: options.seed ?? 1 }));
  const clean = reports.find((report) => report.cer === 0);
  return {
    reports,
    text: reports
      .map((report) => formatScorecardReport(report, { maxMisses: options.maxMisses }))
      .join('\n\n'),
    minCleanF1: clean ? Math.min(...clean.rules.map((rule) => rule.f1)) : null,
  };
}
