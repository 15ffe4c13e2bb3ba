import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ingestFile, type Rejection } from '../../ingest/ingest-file.ts';
import { EXIT, UsageError, withDatabase } from '../context.ts';
import { Progress } from '../progress.ts';

const SHOWN = 20;

export async function ingestCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { recordings: { type: 'string' } },
  });
  const file = positionals[0];
  if (!file) throw new UsageError('usage: callqa ingest <file.csv|file.jsonl> [--recordings DIR]');
  return withDatabase(async ({ config, database, out }) => {
    const progress = new Progress(`ingest ${file}`);
    const started = performance.now();
    const summary = await ingestFile(database.pool, file, {
      recordingsDir: values.recordings,
      recordingRoots: values.recordings
        ? [...config.recordingRoots, values.recordings]
        : config.recordingRoots,
      recordingHosts: config.recordingHosts,
      onProgress: (p) => progress.update(p.bytes, p.totalBytes, p.rows, 'rows'),
    });
    progress.finish();
    const seconds = (performance.now() - started) / 1000;
    out(
      `${file}: ${summary.rows} rows in ${seconds.toFixed(1)} s — inserted ${summary.inserted}, ` +
        `updated ${summary.updated}, unchanged ${summary.unchanged}, rejected ${summary.rejected.length}, ` +
        `recording flagged ${summary.flagged.length}`,
    );
    await report(out, file, 'rejected', summary.rejected);
    await report(out, file, 'flagged', summary.flagged);
    return summary.rejected.length > 0 ? EXIT.rejected : EXIT.ok;
  });
}

async function report(out: (line: string) => void, file: string, what: string, rows: Rejection[]) {
  for (const r of rows.slice(0, SHOWN))
    out(`  ${what} line ${r.line}${r.callId ? ` (${r.callId})` : ''}: ${r.reason}`);
  if (rows.length > SHOWN) {
    const path = `${file}.${what}.csv`;
    const csv = [
      'line,call_id,reason',
      ...rows.map((r) => `${r.line},${r.callId ?? ''},"${r.reason.replaceAll('"', '""')}"`),
    ];
    await writeFile(path, csv.join('\n') + '\n');
    out(`  … ${rows.length - SHOWN} more; all ${rows.length} written to ${path}`);
  }
}
