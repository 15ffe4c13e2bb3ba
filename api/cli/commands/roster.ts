import { ingestRoster } from '../../ingest/ingest-roster.ts';
import { EXIT, UsageError, withDatabase } from '../context.ts';

export async function rosterCommand(args: string[]): Promise<number> {
  const file = args[0];
  if (!file)
    throw new UsageError(
      'usage: callqa roster <roster.csv|roster.jsonl>  (columns: agent_id,agent_name,team,supervisor,active)',
    );
  return withDatabase(async ({ database, out }) => {
    const summary = await ingestRoster(database.pool, file);
    out(`${file}: ${summary.agents} agents, ${summary.teams} teams, rejected ${summary.rejected.length}`);
    for (const r of summary.rejected) out(`  rejected line ${r.line}: ${r.reason}`);
    return summary.rejected.length > 0 ? EXIT.rejected : EXIT.ok;
  });
}
