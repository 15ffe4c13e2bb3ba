import { importTranscripts } from '../../ingest/import-transcripts.ts';
import { checkInputFile } from '../../ingest/read-records.ts';
import { auditCli, EXIT, UsageError, withDatabase } from '../context.ts';
import { reportRows, withInputFile } from '../report-rejections.ts';

export async function importTranscriptsCommand(args: string[]): Promise<number> {
  const file = args[0];
  if (!file || !/\.(jsonl|ndjson)$/i.test(file)) {
    throw new UsageError(
      'usage: callqa import-transcripts <file.jsonl>  (one {call_id, language, segments:[…]} per line)',
    );
  }
  return withInputFile('import-transcripts', async () => {
    await checkInputFile(file);
    return withDatabase(async ({ database, out }) => {
      const summary = await importTranscripts(database.pool, file);
      await auditCli(database.pool, 'transcripts_imported', `file:${file}`, {
        imported: summary.imported,
        rejected: summary.rejected.length,
      });
      out(`${file}: imported ${summary.imported}, rejected ${summary.rejected.length}`);
      await reportRows(out, file, 'rejected', summary.rejected);
      return summary.rejected.length > 0 ? EXIT.rejected : EXIT.ok;
    });
  });
}
