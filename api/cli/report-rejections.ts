import { writeFile } from 'node:fs/promises';
import { describeProblems } from '../ingest/describe-problem.ts';
import type { Flag, Rejection } from '../ingest/ingest-file.ts';
import { IngestFileError } from '../ingest/read-records.ts';
import { EXIT } from './context.ts';

/**
 * A file that cannot be read at all (missing, a directory, empty, header
 * only, undecodable) is one line on stderr with its code, and exit 1.
 */
export async function withInputFile(command: string, work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof IngestFileError)) throw error;
    process.stderr.write(`callqa ${command}: ${error.message} [${error.code}]\n`);
    return EXIT.failed;
  }
}

const SHOWN = 20;

/** An id from the input, safe to print: control characters are escaped, not sent to the terminal. */
function shownId(id: string | undefined): string {
  if (!id) return '';
  // eslint-disable-next-line no-control-regex -- escaping control characters is the point
  return ` (${/[\u0000-\u001f\u007f-\u009f]/.test(id) ? JSON.stringify(id) : id})`;
}

const csvCell = (text: string) => `"${text.replaceAll('"', '""')}"`;

/**
 * Prints the first rows that were rejected (or flagged), one line each with
 * the line number and the reason; more than 20 go to `<file>.<what>.csv` with
 * their codes.
 */
export async function reportRows(
  out: (line: string) => void,
  file: string,
  what: 'rejected' | 'flagged',
  rows: ReadonlyArray<Rejection | Flag>,
): Promise<void> {
  const reasonOf = (r: Rejection | Flag) => ('problems' in r ? describeProblems(r.problems) : r.reason);
  const codesOf = (r: Rejection | Flag) =>
    'problems' in r ? r.problems.map((p) => p.code).join(' ') : r.code;
  for (const r of rows.slice(0, SHOWN)) {
    out(`  ${what} line ${r.line}${shownId(r.callId)}: ${reasonOf(r)} [${codesOf(r)}]`);
  }
  if (rows.length > SHOWN) {
    const path = `${file}.${what}.csv`;
    const csv = [
      'line,call_id,code,reason',
      ...rows.map((r) => [r.line, csvCell(r.callId ?? ''), codesOf(r), csvCell(reasonOf(r))].join(',')),
    ];
    await writeFile(path, csv.join('\n') + '\n');
    out(`  … ${rows.length - SHOWN} more; all ${rows.length} written to ${path}`);
  }
}
