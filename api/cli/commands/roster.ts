import { parseArgs } from 'node:util';
import { ingestRoster } from '../../ingest/ingest-roster.ts';
import { checkInputFile } from '../../ingest/read-records.ts';
import { auditCli, EXIT, UsageError, withDatabase } from '../context.ts';
import { parseEncodingOption } from '../input-file.ts';
import { reportRows, withInputFile } from '../report-rejections.ts';

const USAGE =
  'usage: callqa roster <roster.csv|roster.jsonl> [--encoding …]  (columns: agent_id,agent_name,team,supervisor,active)';

export async function rosterCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { encoding: { type: 'string' } },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError(USAGE);
  const encoding = parseEncodingOption(values.encoding);
  return withInputFile('roster', async () => {
    await checkInputFile(file);
    return withDatabase(async ({ database, out }) => {
      const summary = await ingestRoster(database.pool, file, { encoding });
      await auditCli(database.pool, 'roster_ingested', `file:${file}`, {
        agents: summary.agents,
        teams: summary.teams,
        rejected: summary.rejected.length,
      });
      out(`${file}: ${summary.agents} agents, ${summary.teams} teams, rejected ${summary.rejected.length}`);
      await reportRows(out, file, 'rejected', summary.rejected);
      return summary.rejected.length > 0 ? EXIT.rejected : EXIT.ok;
    });
  });
}
