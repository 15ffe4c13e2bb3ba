import { isAscii, isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { CALL_FIELDS } from '../../models/call-record.ts';
import { clip, problem, type Problem } from '../../models/ingest-problem.ts';

/** One line of the input: a raw record to validate, or a line that could not even be read as one. */
export type RawLine = { line: number; raw: Record<string, unknown> } | { line: number; problem: Problem };

export type FileFormat = 'csv' | 'jsonl';

/** Text encodings a file (or an API body) may come in. */
export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030';

export type FileErrorCode =
  | 'unknown_file_type'
  | 'unknown_encoding'
  | 'file_not_found'
  | 'not_a_file'
  | 'file_unreadable'
  | 'empty_file'
  | 'no_rows'
  | 'missing_columns'
  | 'bad_header'
  | 'undecodable_file';

/** The whole file cannot be read: one line for the user, never a stack. */
export class IngestFileError extends Error {
  override readonly name = 'IngestFileError';
  constructor(
    readonly code: FileErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function formatOf(path: string): FileFormat {
  if (/\.csv$/i.test(path)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(path)) return 'jsonl';
  throw new IngestFileError(
    'unknown_file_type',
    `${path}: unknown file type; use .csv or .jsonl (one JSON object per line)`,
  );
}

const ENCODING_NAMES: Record<string, Encoding> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
  gb18030: 'gb18030',
  // GB18030 is a superset of GBK and GB2312: decoding as GB18030 reads them all.
  gbk: 'gb18030',
  gb2312: 'gb18030',
  cp936: 'gb18030',
};

export const ENCODING_CHOICES = 'utf-8, utf-16le, utf-16be, gb18030 (alias gbk)';

/** The encoding a name (a --encoding value, a charset= parameter) stands for, if supported. */
export function encodingNamed(name: string): Encoding | undefined {
  return ENCODING_NAMES[name.trim().toLowerCase()];
}

export interface ReadProgress {
  bytes: number;
  totalBytes: number;
}

export interface Columns {
  required: readonly string[];
  known: readonly string[];
}

export interface ReadOptions {
  onBytes?: (p: ReadProgress) => void;
  columns?: Columns;
  /** Forces an encoding; otherwise it is detected (BOM, then UTF-8, then GB18030). */
  encoding?: Encoding;
  /** Longest line read (default MAX_LINE_BYTES); a transcript line may be longer than a call record. */
  maxLineBytes?: number;
}

const CALL_COLUMNS: Columns = {
  required: ['call_id', 'agent_id', 'started_at', 'duration_s', 'direction'],
  known: CALL_FIELDS,
};

/** A record is one line; a longer line is skipped unread, so a 50 MB field never sits in memory. */
export const MAX_LINE_BYTES = 1024 * 1024;
/** Detection looks at this much of the file before the first row is handed on. */
const DETECT_BYTES = 64 * 1024;

/**
 * Streams records from a CSV (header row) or JSONL file, one record per line,
 * counting bytes for the progress bar. Each line is decoded on its own with a
 * fatal decoder, so a line that is not valid text in the file's encoding is
 * rejected (never stored with U+FFFD) and the lines around it still land.
 */
export async function* readRecords(path: string, options: ReadOptions = {}): AsyncGenerator<RawLine> {
  const format = formatOf(path);
  const { stream, totalBytes } = await openInput(path);
  const lines = textLines(
    counted(stream, totalBytes, options.onBytes),
    path,
    options.encoding,
    options.maxLineBytes ?? MAX_LINE_BYTES,
  );
  try {
    yield* format === 'csv' ? readCsv(lines, path, options.columns ?? CALL_COLUMNS) : readJsonl(lines, path);
  } finally {
    stream.destroy();
  }
}

async function* counted(
  stream: Readable,
  totalBytes: number,
  onBytes?: (p: ReadProgress) => void,
): AsyncGenerator<Buffer> {
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    onBytes?.({ bytes, totalBytes });
    yield chunk;
  }
}

/** Says what is wrong with an input file (type, missing, directory, unreadable, empty) without reading it. */
export async function checkInputFile(path: string): Promise<void> {
  formatOf(path);
  (await openInput(path)).stream.destroy();
}

async function openInput(path: string): Promise<{ stream: Readable; totalBytes: number }> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new IngestFileError('file_not_found', `${path}: no such file`);
    }
    if (code === 'EISDIR') throw new IngestFileError('not_a_file', `${path}: is a directory, not a file`);
    throw new IngestFileError(
      'file_unreadable',
      `${path}: cannot be read (${code ?? (error as Error).message})`,
    );
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    throw new IngestFileError(
      'not_a_file',
      `${path}: is ${info.isDirectory() ? 'a directory' : 'not a regular file'}, not a file`,
    );
  }
  if (info.size === 0) {
    await handle.close();
    throw new IngestFileError('empty_file', `${path}: the file is empty`);
  }
  return { stream: handle.createReadStream(), totalBytes: info.size };
}

type TextLine = { line: number; text: string } | { line: number; problem: Problem };

async function* readJsonl(lines: AsyncIterable<TextLine>, path: string): AsyncGenerator<RawLine> {
  let records = 0;
  for await (const item of lines) {
    if ('problem' in item) {
      records += 1;
      yield item;
      continue;
    }
    if (item.text.trim() === '') continue;
    records += 1;
    try {
      const value: unknown = JSON.parse(item.text);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        yield { line: item.line, problem: problem('not_an_object') };
      } else {
        yield { line: item.line, raw: value as Record<string, unknown> };
      }
    } catch (error) {
      yield {
        line: item.line,
        problem: problem('malformed_json', { detail: clip((error as Error).message, 120) }),
      };
    }
  }
  if (records === 0)
    throw new IngestFileError('empty_file', `${path}: the file has no records, only blank lines`);
}

async function* readCsv(
  lines: AsyncIterable<TextLine>,
  path: string,
  columns: Columns,
): AsyncGenerator<RawLine> {
  let header: string[] | undefined;
  let records = 0;
  for await (const item of lines) {
    if (!header) {
      if ('problem' in item) {
        throw new IngestFileError('bad_header', `${path}: the header row cannot be read`);
      }
      if (item.text.trim() === '') continue;
      const cells = splitCsvLine(item.text);
      if (!Array.isArray(cells)) {
        throw new IngestFileError(
          'bad_header',
          `${path}: the header row (line ${item.line}) has a broken quote`,
        );
      }
      header = cells.map((h) => h.trim().toLowerCase());
      const missing = columns.required.filter((f) => !header!.includes(f));
      if (missing.length > 0) {
        throw new IngestFileError(
          'missing_columns',
          `${path}: the header row lacks ${missing.join(', ')}; expected columns: ${columns.known.join(',')}`,
        );
      }
      continue;
    }
    if ('problem' in item) {
      records += 1;
      yield item;
      continue;
    }
    if (item.text.trim() === '') continue;
    records += 1;
    const cells = splitCsvLine(item.text);
    if (!Array.isArray(cells)) yield { line: item.line, problem: cells };
    else if (cells.length !== header.length) {
      yield {
        line: item.line,
        problem: problem('column_count', { expected: header.length, found: cells.length }),
      };
    } else yield { line: item.line, raw: Object.fromEntries(header.map((h, i) => [h, cells[i]])) };
  }
  if (!header)
    throw new IngestFileError('empty_file', `${path}: the file has no header row, only blank lines`);
  if (records === 0) throw new IngestFileError('no_rows', `${path}: the file has a header row but no rows`);
}

/**
 * One CSV record on one line (RFC 4180 quoting: "a ""b""", commas inside
 * quotes). No field may hold a newline, so a quote left open is that line's
 * problem alone and never swallows the rows after it.
 */
export function splitCsvLine(text: string): string[] | Problem {
  const fields: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    let j = i;
    while (j < n && (text[j] === ' ' || text[j] === '\t')) j += 1;
    if (text[j] !== '"') {
      const comma = text.indexOf(',', i);
      const end = comma === -1 ? n : comma;
      fields.push(text.slice(i, end).trim());
      if (comma === -1) return fields;
      i = comma + 1;
      continue;
    }
    let value = '';
    let k = j + 1;
    for (;;) {
      const close = text.indexOf('"', k);
      if (close === -1) return problem('csv_unterminated_quote');
      value += text.slice(k, close);
      if (text[close + 1] === '"') {
        value += '"';
        k = close + 2;
        continue;
      }
      k = close + 1;
      break;
    }
    while (k < n && (text[k] === ' ' || text[k] === '\t')) k += 1;
    if (k < n && text[k] !== ',') return problem('csv_stray_quote', { column: fields.length + 1 });
    fields.push(value);
    if (k >= n) return fields;
    i = k + 1;
  }
}

type ByteLine =
  { line: number; offset: number; bytes: Buffer } | { line: number; offset: number; tooLong: true };

/** Splits a byte stream at \n (never inside a UTF-8 or GB18030 character), dropping a trailing \r. */
async function* byteLines(stream: AsyncIterable<Buffer>, maxLineBytes: number): AsyncGenerator<ByteLine> {
  let carry: Buffer[] = [];
  let carried = 0;
  let skipping = false;
  let line = 1;
  let lineStart = 0;
  let base = 0;
  const finish = (piece: Buffer): ByteLine => {
    const at = { line, offset: lineStart };
    if (skipping || carried + piece.length > maxLineBytes) return { ...at, tooLong: true };
    let bytes = carry.length > 0 ? Buffer.concat([...carry, piece]) : piece;
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    return { ...at, bytes };
  };
  for await (const chunk of stream) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) {
        if (!skipping) {
          carry.push(chunk.subarray(start));
          carried += chunk.length - start;
          if (carried > maxLineBytes) [skipping, carry, carried] = [true, [], 0];
        }
        break;
      }
      yield finish(chunk.subarray(start, nl));
      [carry, carried, skipping] = [[], 0, false];
      line += 1;
      lineStart = base + nl + 1;
      start = nl + 1;
    }
    base += chunk.length;
  }
  if (skipping || carried > 0) yield finish(Buffer.alloc(0));
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Decodes the stream line by line in the forced or detected encoding. */
async function* textLines(
  chunks: AsyncIterable<Buffer>,
  path: string,
  forced: Encoding | undefined,
  maxLineBytes: number,
): AsyncGenerator<TextLine> {
  const source = chunks[Symbol.asyncIterator]();
  const head = await source.next();
  const first: Buffer = head.done ? Buffer.alloc(0) : head.value;
  async function* all(): AsyncGenerator<Buffer> {
    if (head.done) return;
    yield first;
    for (let next = await source.next(); !next.done; next = await source.next()) yield next.value;
  }
  const bom16 =
    first[0] === 0xff && first[1] === 0xfe
      ? 'utf-16le'
      : first[0] === 0xfe && first[1] === 0xff
        ? 'utf-16be'
        : undefined;
  const encoding = forced ?? bom16;
  if (encoding === 'utf-16le' || encoding === 'utf-16be') {
    yield* utf16Lines(all(), path, encoding, maxLineBytes);
    return;
  }
  const lines = byteLines(all(), maxLineBytes);
  const buffered: ByteLine[] = [];
  let seen = 0;
  let chosen: Encoding | undefined = encoding;
  while (chosen || seen < DETECT_BYTES) {
    const next = await lines.next();
    if (next.done) break;
    const item = next.value;
    if (item.line === 1 && 'bytes' in item && item.bytes.subarray(0, 3).equals(UTF8_BOM)) {
      buffered.push({ ...item, bytes: item.bytes.subarray(3) });
      chosen ??= 'utf-8';
    } else buffered.push(item);
    if (chosen) break;
    seen += 'bytes' in item ? item.bytes.length + 1 : maxLineBytes;
  }
  chosen ??= detectEncoding(buffered, path);
  const decoder = lineDecoder(chosen, maxLineBytes);
  for (const item of buffered) yield decoder(item);
  for await (const item of lines) yield decoder(item);
}

/**
 * Valid UTF-8 wins (ASCII is both); otherwise GB18030 (GBK, GB2312: Windows
 * exports from Chinese call centres) if the text decodes as it; otherwise the
 * file is refused before any row is stored. Decided by a vote of the first
 * lines holding non-ASCII bytes, so one broken line does not decide for the
 * file. All-ASCII so far: decided by the first non-ASCII line (`undefined`).
 */
function detectEncoding(lines: ByteLine[], path: string): Encoding | undefined {
  let utf8 = 0;
  let gbOnly = 0;
  let firstBad: { line: number; offset: number } | undefined;
  let zeros = 0;
  let total = 0;
  for (const item of lines) {
    if (!('bytes' in item)) continue;
    total += item.bytes.length;
    for (const b of item.bytes) if (b === 0) zeros += 1;
    if (isAscii(item.bytes)) continue;
    if (isUtf8(item.bytes)) utf8 += 1;
    else if (decodes(gb18030, item.bytes)) gbOnly += 1;
    else firstBad ??= { line: item.line, offset: item.offset + firstBadUtf8(item.bytes) };
  }
  if (total > 0 && zeros * 10 >= total) {
    throw new IngestFileError(
      'undecodable_file',
      `${path}: looks like UTF-16 without a byte-order mark; use --encoding utf-16le or utf-16be`,
    );
  }
  if (utf8 > 0 && utf8 >= gbOnly) return 'utf-8';
  if (gbOnly > 0) return 'gb18030';
  if (firstBad) {
    throw new IngestFileError(
      'undecodable_file',
      `${path}: not UTF-8, UTF-16 or GB18030 text (first bad byte at offset ${firstBad.offset}, line ${firstBad.line}); ` +
        `use --encoding (${ENCODING_CHOICES})`,
    );
  }
  return undefined;
}

const gb18030 = new TextDecoder('gb18030', { fatal: true });

function decodes(decoder: TextDecoder, bytes: Buffer): boolean {
  try {
    decoder.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function firstBadUtf8(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i];
    const extra =
      c < 0x80
        ? 0
        : c >= 0xc2 && c <= 0xdf
          ? 1
          : c >= 0xe0 && c <= 0xef
            ? 2
            : c >= 0xf0 && c <= 0xf4
              ? 3
              : -1;
    if (extra < 0 || !isUtf8(bytes.subarray(i, i + extra + 1))) return i;
    i += extra + 1;
  }
  return 0;
}

function lineDecoder(initial: Encoding | undefined, maxLineBytes: number): (item: ByteLine) => TextLine {
  let encoding = initial;
  return (item) => {
    if (!('bytes' in item)) {
      return { line: item.line, problem: problem('line_too_long', { max: maxLineBytes }) };
    }
    const { bytes } = item;
    if (isAscii(bytes)) return { line: item.line, text: bytes.toString('latin1') };
    if (!encoding) encoding = isUtf8(bytes) ? 'utf-8' : decodes(gb18030, bytes) ? 'gb18030' : undefined;
    if (encoding === 'utf-8' && isUtf8(bytes)) return { line: item.line, text: bytes.toString('utf8') };
    if (encoding === 'gb18030') {
      try {
        return { line: item.line, text: gb18030.decode(bytes) };
      } catch {
        // reported below
      }
    }
    const offset = item.offset + (encoding === 'gb18030' ? 0 : firstBadUtf8(bytes));
    return {
      line: item.line,
      problem: problem('undecodable_line', { encoding: encoding ?? 'UTF-8 or GB18030', offset }),
    };
  };
}

/**
 * UTF-16 is not split at byte 0x0A, so it is decoded as a stream; an
 * undecodable unit (an unpaired surrogate) stops the file there.
 */
async function* utf16Lines(
  chunks: AsyncIterable<Buffer>,
  path: string,
  encoding: 'utf-16le' | 'utf-16be',
  maxLineBytes: number,
): AsyncGenerator<TextLine> {
  const decoder = new TextDecoder(encoding, { fatal: true });
  const maxChars = maxLineBytes / 2;
  let line = 1;
  let rest = '';
  let offset = 0;
  const emit = (text: string): TextLine => {
    const item: TextLine =
      text.length > maxChars
        ? { line, problem: problem('line_too_long', { max: maxLineBytes }) }
        : { line, text: text.endsWith('\r') ? text.slice(0, -1) : text };
    line += 1;
    return item;
  };
  const decode = (chunk?: Buffer) => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      throw new IngestFileError(
        'undecodable_file',
        `${path}: not valid ${encoding.toUpperCase()} near byte offset ${offset} (line ${line}); rows before it were read`,
      );
    }
  };
  for await (const chunk of chunks) {
    rest += decode(chunk);
    offset += chunk.length;
    let nl;
    while ((nl = rest.indexOf('\n')) !== -1) {
      yield emit(rest.slice(0, nl));
      rest = rest.slice(nl + 1);
    }
    if (rest.length > maxChars * 2) rest = rest.slice(0, maxChars + 1);
  }
  rest += decode();
  if (rest.length > 0) yield emit(rest);
}
