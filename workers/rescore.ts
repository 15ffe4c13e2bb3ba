import type pg from 'pg';
import { getCall } from '../models/call-repository.ts';
import { latestCallScore, scoredCallIds } from '../models/call-score-repository.ts';
import { getTranscript } from '../models/pipeline-repository.ts';
import type { CallScore } from './scoring/call-score.ts';
import { diffScores, type ScoreDiff } from './scoring/diff-scores.ts';
import { chooseScorecard, createScorer, type LoadedScorecard } from './scoring-service.ts';

export interface RescoreReport {
  rescored: number;
  unchanged: number;
  /** Already scored by the scorecard version that applies now. */
  upToDate: number;
  failed: Array<{ callId: string; reason: string }>;
  changed: ScoreDiff[];
}

/**
 * Re-scores every stored call whose newest result came from another scorecard
 * version than the one that applies now. New results are added; old ones stay,
 * so any past report can still be explained. Returns what changed and why.
 */
export async function rescoreCalls(
  pool: pg.Pool,
  cards: LoadedScorecard[],
  options: { timeZone: string; companyNames?: string[]; onProgress?: (done: number, total: number) => void },
): Promise<RescoreReport> {
  const scoreCall = await createScorer({
    pool,
    cards,
    timeZone: options.timeZone,
    companyNames: options.companyNames,
  });
  const report: RescoreReport = { rescored: 0, unchanged: 0, upToDate: 0, failed: [], changed: [] };
  const ids = await scoredCallIds(pool);
  for (const [index, callId] of ids.entries()) {
    options.onProgress?.(index, ids.length);
    const [call, transcript, previous] = await Promise.all([
      getCall(pool, callId),
      getTranscript(pool, callId),
      latestCallScore(pool, callId),
    ]);
    if (!call || !transcript || !previous) continue;
    const card = chooseScorecard(cards, call, transcript.language, transcript.channel)?.compiled.card;
    if (card && card.id === previous.scorecardId && card.version === previous.version) {
      report.upToDate += 1;
      continue;
    }
    try {
      const fresh = await scoreCall(call, transcript);
      report.rescored += 1;
      const diff = diffScores(previous.result as CallScore, fresh);
      if (diff.changes.length === 0 && diff.scoreDelta === 0) report.unchanged += 1;
      else report.changed.push(diff);
    } catch (error) {
      report.failed.push({ callId, reason: (error as Error).message });
    }
  }
  options.onProgress?.(ids.length, ids.length);
  return report;
}

export function formatRescoreReport(report: RescoreReport): string {
  const lines = [
    `re-scored ${report.rescored} calls: ${report.changed.length} changed, ${report.unchanged} unchanged; ` +
      `${report.upToDate} already up to date; ${report.failed.length} failed`,
  ];
  for (const diff of report.changed) {
    const pass = diff.passedChanged ? ' (pass/fail changed)' : '';
    lines.push(
      `${diff.callId}: ${diff.oldVersion} ${diff.oldScore} → ${diff.newVersion} ${diff.newScore}${pass}`,
    );
    for (const change of diff.changes) lines.push(`  ${change.itemId} ${change.change}: ${change.why}`);
  }
  for (const f of report.failed) lines.push(`${f.callId}: FAILED ${f.reason}`);
  return lines.join('\n');
}
