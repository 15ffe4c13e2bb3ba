import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Transform, type Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { CALL_FIELDS } from '../../models/call-record.ts';

/** One line of the input: a raw record to validate, or a line that could not even be read as one. */
export type RawLine =
  { line: number; raw: Record<string, string | unknown> } | { line: number; error: string };

export type FileFormat = 'csv' | 'jsonl';

export class IngestFileError extends Error {}

export function formatOf(path: string): FileFormat {
  if (/\.csv$/i.test(path)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(path)) return 'jsonl';
  throw new IngestFileError(`${path}: unknown file type; use .csv or .jsonl (one JSON object per line)`);
}

export interface ReadProgress {
  bytes: number;
  totalBytes: number;
}

export interface Columns {
  required: readonly string[];
  known: readonly string[];
}

const CALL_COLUMNS: Columns = {
  required: ['call_id', 'agent_id', 'started_at', 'duration_s', 'direction'],
  known: CALL_FIELDS,
};

/** Streams records from a CSV (header row) or JSONL file, counting bytes for the progress bar. */
export async function* readRecords(
  path: string,
  onBytes?: (p: ReadProgress) => void,
  columns: Columns = CALL_COLUMNS,
): AsyncGenerator<RawLine> {
  const format = formatOf(path);
  const totalBytes = (await stat(path)).size;
  let bytes = 0;
  const counted = createReadStream(path).pipe(
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        onBytes?.({ bytes, totalBytes });
        done(null, chunk);
      },
    }),
  );
  yield* format === 'csv' ? readCsv(counted, path, columns) : readJsonl(counted);
}

async function* readJsonl(input: Readable): AsyncGenerator<RawLine> {
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line += 1;
    if (text.trim() === '') continue;
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        yield { line, error: 'expected a JSON object' };
      } else {
        yield { line, raw: value as Record<string, unknown> };
      }
    } catch (error) {
      yield { line, error: `malformed JSON: ${(error as Error).message}` };
    }
  }
}

async function* readCsv(input: Readable, path: string, columns: Columns): AsyncGenerator<RawLine> {
  const skipped: RawLine[] = [];
  const parser = input.pipe(
    parse({
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      skip_records_with_error: true,
      info: true,
      on_skip: (error) => {
        skipped.push({
          line: Number(error?.lines ?? 0),
          error: `unreadable CSV: ${error?.message ?? 'unknown error'}`,
        });
        return undefined;
      },
    }),
  );
  let header: string[] | undefined;
  for await (const { record, info } of parser as AsyncIterable<{
    record: string[];
    info: { lines: number };
  }>) {
    while (skipped.length > 0) yield skipped.shift()!;
    if (!header) {
      header = record.map((h) => h.trim().toLowerCase());
      const missing = columns.required.filter((f) => !header!.includes(f));
      if (missing.length > 0) {
        throw new IngestFileError(
          `${path}: the header row lacks ${missing.join(', ')}; expected columns: ${columns.known.join(',')}`,
        );
      }
      continue;
    }
    if (record.length !== header.length) {
      yield { line: info.lines, error: `expected ${header.length} columns, found ${record.length}` };
      continue;
    }
    yield { line: info.lines, raw: Object.fromEntries(header.map((h, i) => [h, record[i]])) };
  }
  while (skipped.length > 0) yield skipped.shift()!;
}
