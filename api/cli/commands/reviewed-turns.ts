import { open } from 'node:fs/promises';
import { isMonth } from '../../../models/input-checks.ts';
import { reviewedCallsPage } from '../../../models/review-repository.ts';
import type { ItemResult } from '../../../workers/scoring/call-score.ts';
import { reviewedTurns, type ReviewedCall } from '../../../workers/scoring/reviewed-turns.ts';
import { auditCli, EXIT, UsageError, withDatabase } from '../context.ts';

const PAGE = 500;

/**
 * `callqa scorecard reviewed-turns --out bank.jsonl [--month YYYY-MM]`: the
 * agent turns of every reviewed call, labelled by its latest review, as a
 * turn bank (workers/scoring/reviewed-turns.ts) that `callqa scorecard train
 * … --bank` learns from. Calls are read a page at a time and written as they
 * come; the export is audited (it copies what agents said out of the database).
 */
export async function reviewedTurnsCommand(options: { out?: string; month?: string }): Promise<number> {
  const { out, month } = options;
  if (!out) throw new UsageError('reviewed-turns needs --out FILE (the turn bank to write)');
  if (month !== undefined && !isMonth(month)) throw new UsageError(`--month ${month}: expected YYYY-MM`);
  return withDatabase(async ({ database, out: print }) => {
    const file = await open(out, 'w');
    const counts = { calls: 0, turns: 0, violation: 0, near_miss: 0, ok: 0 };
    const skipped: string[] = [];
    try {
      let after: string | undefined;
      for (;;) {
        const rows = await reviewedCallsPage(database.pool, { after, month, limit: PAGE });
        if (rows.length === 0) break;
        const lines: string[] = [];
        for (const row of rows) {
          const call: ReviewedCall = {
            callId: row.callId,
            channel: row.channel,
            segments: row.segments,
            machine: row.result.items as ItemResult[],
            items: row.items as ReviewedCall['items'],
            addedDeductions: row.addedDeductions as ReviewedCall['addedDeductions'],
          };
          let turns: ReturnType<typeof reviewedTurns>;
          try {
            turns = reviewedTurns(call);
          } catch (error) {
            // A stored row this code cannot read costs that call, never the export.
            skipped.push(`${row.callId} (${(error as Error).message})`);
            continue;
          }
          counts.calls += 1;
          for (const turn of turns) {
            counts.turns += 1;
            counts[turn.label] += 1;
            lines.push(JSON.stringify(turn));
          }
        }
        if (lines.length > 0) await file.write(`${lines.join('\n')}\n`);
        after = rows[rows.length - 1].callId;
      }
    } finally {
      await file.close();
    }
    await auditCli(database.pool, 'reviewed_turns_exported', `file:${out}`, {
      month: month ?? null,
      ...counts,
      skipped: skipped.length,
    });
    for (const line of skipped) print(`skipped: ${line}`);
    print(
      `${counts.calls} reviewed call${counts.calls === 1 ? '' : 's'}, ${counts.turns} agent turns (${counts.violation} violations, ` +
        `${counts.near_miss} near misses, ${counts.ok} ok) → ${out}`,
    );
    return EXIT.ok;
  });
}
