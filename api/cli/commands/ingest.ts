import { parseArgs } from 'node:util';
import { ingestFile } from '../../ingest/ingest-file.ts';
import { checkInputFile } from '../../ingest/read-records.ts';
import { parseEncodingOption } from '../input-file.ts';
import { auditCli, EXIT, UsageError, withDatabase } from '../context.ts';
import { Progress } from '../progress.ts';
import { reportRows, withInputFile } from '../report-rejections.ts';

const USAGE =
  'usage: callqa ingest <file.csv|file.jsonl> [--recordings DIR] [--encoding utf-8|utf-16le|utf-16be|gb18030]';

export async function ingestCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { recordings: { type: 'string' }, encoding: { type: 'string' } },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError(USAGE);
  const encoding = parseEncodingOption(values.encoding);
  return withInputFile('ingest', async () => {
    // A missing, empty or unreadable file is said before the database is even opened.
    await checkInputFile(file);
    return withDatabase(async ({ config, database, out }) => {
      const progress = new Progress(`ingest ${file}`);
      const started = performance.now();
      const summary = await ingestFile(database.pool, file, {
        recordingsDir: values.recordings,
        recordingRoots: values.recordings
          ? [...config.recordingRoots, values.recordings]
          : config.recordingRoots,
        recordingHosts: config.recordingHosts,
        encoding,
        onProgress: (p) => progress.update(p.bytes, p.totalBytes, p.rows, 'rows'),
      }).finally(() => progress.finish());
      const seconds = (performance.now() - started) / 1000;
      const { inserted, updated, unchanged } = summary;
      await auditCli(database.pool, 'calls_ingested', `file:${file}`, {
        inserted,
        updated,
        unchanged,
        rejected: summary.rejected.length,
      });
      out(
        `${file}: ${summary.rows} rows in ${seconds.toFixed(1)} s — inserted ${summary.inserted}, ` +
          `updated ${summary.updated}, unchanged ${summary.unchanged}, rejected ${summary.rejected.length}, ` +
          `recording flagged ${summary.flagged.length}`,
      );
      await reportRows(out, file, 'rejected', summary.rejected);
      await reportRows(out, file, 'flagged', summary.flagged);
      return summary.rejected.length > 0 ? EXIT.rejected : EXIT.ok;
    });
  });
}
