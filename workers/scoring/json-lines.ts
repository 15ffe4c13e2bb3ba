import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { z } from 'zod';
import { formatIssues } from './parse-scorecard.ts';

/**
 * Parses JSON Lines against a schema, skipping blank lines; one error names
 * the file, the line and the field of each bad line (the first 20 of them).
 */
export function parseJsonLines<T>(text: string, fileName: string, schema: z.ZodType<T>, what: string): T[] {
  const rows: T[] = [];
  const errors: string[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `${fileName}:${index + 1}`;
    try {
      const parsed = schema.safeParse(JSON.parse(line));
      if (parsed.success) rows.push(parsed.data);
      else errors.push(...formatIssues(where, parsed.error.issues));
    } catch (error) {
      errors.push(`${where}: not valid JSON: ${(error as Error).message}`);
    }
  });
  if (errors.length > 0) throw new Error(`invalid ${what}:\n  ${errors.slice(0, 20).join('\n  ')}`);
  return rows;
}

/** The rows of a JSON Lines file, or of every .jsonl file of a directory in name order. */
export async function readJsonLines<T>(
  path: string,
  parse: (text: string, fileName: string) => T[],
): Promise<T[]> {
  const files = (await stat(path)).isDirectory()
    ? (await readdir(path))
        .filter((name) => name.endsWith('.jsonl'))
        .sort()
        .map((name) => join(path, name))
    : [path];
  const rows: T[] = [];
  for (const file of files) rows.push(...parse(await readFile(file, 'utf8'), basename(file)));
  return rows;
}
