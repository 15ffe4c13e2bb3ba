import type { HarnessReport } from './evaluate-scorecard.ts';

const pct = (value: number): string => value.toFixed(3);

/** Plain-text report for `callqa scorecard test`: one row per rule, then the misses. */
export function formatScorecardReport(report: HarnessReport, options: { maxMisses?: number } = {}): string {
  const maxMisses = options.maxMisses ?? 50;
  const width = Math.max(6, ...report.rules.map((rule) => rule.itemId.length));
  const lines = [
    `scorecard ${report.scorecardId}@${report.scorecardVersion} — ${report.calls} labelled calls, simulated CER ${report.cer} (seed ${report.seed})`,
    '',
    `${'rule'.padEnd(width)}  labelled  fails  precision  recall     F1  agreement`,
  ];
  for (const rule of report.rules) {
    lines.push(
      `${rule.itemId.padEnd(width)}  ${String(rule.labelled).padStart(8)}  ${String(rule.support).padStart(5)}  ` +
        `${pct(rule.precision).padStart(9)}  ${pct(rule.recall).padStart(6)}  ${pct(rule.f1).padStart(5)}  ` +
        `${String(rule.agreement).padStart(5)}/${rule.labelled}`,
    );
  }
  lines.push('', `misses: ${report.misses.length}`);
  for (const miss of report.misses.slice(0, maxMisses)) {
    lines.push(
      `  ${miss.callId}  ${miss.itemId}: expected ${miss.expected}, got ${miss.actual} — ${miss.reason}`,
    );
  }
  if (report.misses.length > maxMisses) lines.push(`  … ${report.misses.length - maxMisses} more`);
  return lines.join('\n');
}
