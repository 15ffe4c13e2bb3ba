import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseScorecard } from './parse-scorecard.ts';
import type { Scorecard } from './scorecard-schema.ts';

/** The one place scoring reads from disk; rules themselves never do I/O. */
export async function loadScorecard(path: string): Promise<Scorecard> {
  return parseScorecard(await readFile(path, 'utf8'), basename(path));
}
