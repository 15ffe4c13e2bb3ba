import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { formatRescoreReport, rescoreCalls } from '../../../workers/rescore.ts';
import { BUILT_IN_SCORECARDS, loadScorecards } from '../../../workers/scoring-service.ts';
import { auditCli, EXIT, withDatabase } from '../context.ts';
import { Progress } from '../progress.ts';

/**
 * Re-scores stored transcripts under the scorecard versions that apply now
 * (after a scorecard change, say). Old results are kept; the report lists each
 * call whose score or items changed, and why.
 */
export async function rescoreCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
  return withDatabase(async ({ config, database, out }) => {
    const dirs = [BUILT_IN_SCORECARDS, ...(config.scoring.scorecardDir ? [config.scoring.scorecardDir] : [])];
    const cards = await loadScorecards(dirs);
    const progress = new Progress('rescore');
    const report = await rescoreCalls(database.pool, cards, {
      timeZone: config.timeZone,
      companyNames: config.scoring.companyNames,
      onProgress: (done, total) => progress.update(done, total, done, 'calls'),
    });
    progress.finish();
    await auditCli(database.pool, 'calls_rescored', 'scores', {
      rescored: report.rescored,
      unchanged: report.unchanged,
      failed: report.failed.length,
      changed: report.changed.map((c) => c.callId),
    });
    out(formatRescoreReport(report));
    if (values.out) {
      await writeFile(values.out, JSON.stringify(report, null, 2));
      out(`full report written to ${values.out}`);
    }
    return report.failed.length > 0 ? EXIT.failed : EXIT.ok;
  });
}
