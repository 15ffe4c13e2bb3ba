import { parseArgs } from 'node:util';
import {
  upsertMonthScores,
  upsertQaOutcomes,
  type MonthScore,
  type QaOutcome,
} from '../../../models/score-repository.ts';
import type { Rejection } from '../../ingest/ingest-file.ts';
import { readRecords } from '../../ingest/read-records.ts';
import { EXIT, UsageError, withDatabase } from '../context.ts';

const USAGE = `usage:
  callqa scores months <file>     agents' final monthly QA scores   (columns: agent_id,month,score)
  callqa scores outcomes <file>   reviewed calls' QA results        (columns: call_id,score,passed)`;

/**
 * Recorded scores from outside callqa (or from before it): monthly scores drive
 * adaptive quotas and exemption months, failed calls drive the neighbour rule.
 */
export async function scoresCommand(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true });
  const [kind, file] = positionals;
  if (!file || (kind !== 'months' && kind !== 'outcomes')) throw new UsageError(USAGE);
  return withDatabase(async ({ database, out }) => {
    const rejected: Rejection[] = [];
    let stored: number;
    if (kind === 'months') {
      const rows: MonthScore[] = [];
      const columns = { required: ['agent_id', 'month', 'score'], known: ['agent_id', 'month', 'score'] };
      for await (const item of readRecords(file, undefined, columns)) {
        if ('error' in item) rejected.push({ line: item.line, reason: item.error });
        else {
          const [agentId, month, score] = [item.raw.agent_id, item.raw.month, Number(item.raw.score)].map(
            String,
          );
          if (!agentId) rejected.push({ line: item.line, reason: 'agent_id is missing' });
          else if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month))
            rejected.push({ line: item.line, reason: `month "${month}" is not YYYY-MM` });
          else if (!(Number(score) >= 0 && Number(score) <= 100))
            rejected.push({ line: item.line, reason: `score "${item.raw.score}" is not 0–100` });
          else rows.push({ agentId, month, score: Number(score) });
        }
      }
      await upsertMonthScores(database.pool, rows).catch((error: Error) => {
        throw new Error(`${file}: ${error.message} (are all agents known? load calls or a roster first)`);
      });
      stored = rows.length;
    } else {
      const rows: QaOutcome[] = [];
      const columns = { required: ['call_id', 'score', 'passed'], known: ['call_id', 'score', 'passed'] };
      for await (const item of readRecords(file, undefined, columns)) {
        if ('error' in item) rejected.push({ line: item.line, reason: item.error });
        else {
          const callId = String(item.raw.call_id ?? '');
          const score = Number(item.raw.score);
          const passed = String(item.raw.passed).toLowerCase();
          if (!callId) rejected.push({ line: item.line, reason: 'call_id is missing' });
          else if (!(score >= 0 && score <= 100))
            rejected.push({ line: item.line, reason: `score "${item.raw.score}" is not 0–100` });
          else if (!['true', 'false'].includes(passed))
            rejected.push({ line: item.line, reason: `passed "${item.raw.passed}" is not true or false` });
          else rows.push({ callId, score, passed: passed === 'true' });
        }
      }
      await upsertQaOutcomes(database.pool, rows).catch((error: Error) => {
        throw new Error(`${file}: ${error.message} (are all calls ingested?)`);
      });
      stored = rows.length;
    }
    out(`${file}: stored ${stored}, rejected ${rejected.length}`);
    for (const r of rejected) out(`  rejected line ${r.line}: ${r.reason}`);
    return rejected.length > 0 ? EXIT.rejected : EXIT.ok;
  });
}
