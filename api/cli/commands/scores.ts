import { parseArgs } from 'node:util';
import { writeBatch } from '../../../models/batch-write.ts';
import { FIELD_RULES, readTextField } from '../../../models/call-record.ts';
import { clip, problem, type Problem } from '../../../models/ingest-problem.ts';
import { isMonth } from '../../../models/input-checks.ts';
import {
  importMonthScores,
  importQaOutcomes,
  type MonthScore,
  type QaOutcome,
} from '../../../models/score-repository.ts';
import type { Rejection } from '../../ingest/ingest-file.ts';
import { checkInputFile, readRecords, type RawLine } from '../../ingest/read-records.ts';
import { auditCli, EXIT, UsageError, withDatabase } from '../context.ts';
import { parseEncodingOption } from '../input-file.ts';
import { reportRows, withInputFile } from '../report-rejections.ts';

const USAGE = `usage:
  callqa scores months <file> [--encoding …]     agents' final monthly QA scores   (columns: agent_id,month,score)
  callqa scores outcomes <file> [--encoding …]   reviewed calls' QA results        (columns: call_id,score,passed)`;

const SCORE = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/**
 * Recorded scores from outside callqa (or from before it): monthly scores drive
 * adaptive quotas and exemption months, failed calls drive the neighbour rule.
 * A row naming an unknown agent or call is rejected alone; the rest land.
 */
export async function scoresCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { encoding: { type: 'string' } },
  });
  const [kind, file] = positionals;
  if (!file || (kind !== 'months' && kind !== 'outcomes')) throw new UsageError(USAGE);
  const encoding = parseEncodingOption(values.encoding);
  return withInputFile('scores', async () => {
    await checkInputFile(file);
    return withDatabase(async ({ database, out }) => {
      const rejected: Rejection[] = [];
      const rows = new Map<string, { line: number; row: MonthScore | QaOutcome }>();
      const columns =
        kind === 'months'
          ? { required: ['agent_id', 'month', 'score'], known: ['agent_id', 'month', 'score'] }
          : { required: ['call_id', 'score', 'passed'], known: ['call_id', 'score', 'passed'] };
      for await (const item of readRecords(file, { columns, encoding })) {
        const parsed = kind === 'months' ? monthScore(item) : qaOutcome(item);
        if ('problems' in parsed) rejected.push(parsed);
        else {
          const key =
            'agentId' in parsed.row ? `${parsed.row.agentId} ${parsed.row.month}` : parsed.row.callId;
          rows.set(key, parsed); // a later row for the same agent and month (or call) wins
        }
      }
      const entries = [...rows.values()];
      const { refused } = await writeBatch(
        database.pool,
        entries,
        (tx, part) =>
          kind === 'months'
            ? importMonthScores(
                tx,
                part.map((e) => e.row as MonthScore),
              )
            : importQaOutcomes(
                tx,
                part.map((e) => e.row as QaOutcome),
              ),
        () => undefined,
      );
      const refusedAt = new Set(refused.map((r) => r.index));
      await auditCli(
        database.pool,
        kind === 'months' ? 'month_scores_imported' : 'qa_outcomes_recorded',
        `file:${file}`,
        {
          stored: entries.length - refused.length,
          rows: entries.filter((_, i) => !refusedAt.has(i)).map((e) => e.row),
        },
      );
      for (const r of refused) {
        const { line, row } = entries[r.index];
        const unknown: Problem | undefined =
          r.sqlstate !== '23503'
            ? undefined
            : 'agentId' in row
              ? problem('agent_not_found', { agentId: row.agentId })
              : problem('call_not_found', { callId: row.callId });
        rejected.push({
          line,
          problems: [unknown ?? problem('database_rejected', { sqlstate: r.sqlstate })],
        });
      }
      rejected.sort((a, b) => a.line - b.line);
      out(`${file}: stored ${entries.length - refused.length}, rejected ${rejected.length}`);
      await reportRows(out, file, 'rejected', rejected);
      return rejected.length > 0 ? EXIT.rejected : EXIT.ok;
    });
  });
}

type Parsed<T> = { line: number; row: T } | Rejection;

function monthScore(item: RawLine): Parsed<MonthScore> {
  if ('problem' in item) return { line: item.line, problems: [item.problem] };
  const problems: Problem[] = [];
  const agentId = required(item.raw.agent_id, 'agent_id', problems);
  const month = required(item.raw.month, 'month', problems, { max: 16 });
  const score = required(item.raw.score, 'score', problems, { max: 32, numbers: true });
  if (month !== undefined && !isMonth(month)) {
    problems.push(problem('month_invalid', { value: clip(month) }));
  }
  if (score !== undefined && !(SCORE.test(score) && Number(score) <= 100)) {
    problems.push(problem('score_invalid', { value: clip(score) }));
  }
  if (problems.length > 0) return { line: item.line, problems };
  return { line: item.line, row: { agentId: agentId!, month: month!, score: Number(score) } };
}

function qaOutcome(item: RawLine): Parsed<QaOutcome> {
  if ('problem' in item) return { line: item.line, problems: [item.problem] };
  const problems: Problem[] = [];
  const callId = required(item.raw.call_id, 'call_id', problems);
  const score = required(item.raw.score, 'score', problems, { max: 32, numbers: true });
  const passedRaw = item.raw.passed;
  const passed = required(
    typeof passedRaw === 'boolean' ? String(passedRaw) : passedRaw,
    'passed',
    problems,
    {
      max: 16,
    },
  );
  if (score !== undefined && !(SCORE.test(score) && Number(score) <= 100)) {
    problems.push(problem('score_invalid', { value: clip(score) }));
  }
  if (passed !== undefined && !/^(true|false)$/i.test(passed)) {
    problems.push(problem('passed_invalid', { value: clip(passed) }));
  }
  if (problems.length > 0) return { line: item.line, problems };
  return {
    line: item.line,
    row: { callId: callId!, score: Number(score), passed: passed!.toLowerCase() === 'true' },
  };
}

function required(
  value: unknown,
  field: string,
  problems: Problem[],
  rule: { max: number; numbers?: boolean } = FIELD_RULES.agent_id,
): string | undefined {
  const result = readTextField(value, field, rule);
  if (result.problem) problems.push(result.problem);
  else if (result.value === undefined) problems.push(problem('field_missing', { field }));
  return result.value;
}
