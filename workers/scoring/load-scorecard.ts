import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { compileScorecard, type CompiledScorecard } from './compile-scorecard.ts';
import { parseScorecard } from './parse-scorecard.ts';
import type { Scorecard } from './scorecard-schema.ts';

/** The one place scoring reads from disk; rules themselves never do I/O. */
export async function loadScorecard(path: string): Promise<Scorecard> {
  return parseScorecard(await readFile(path, 'utf8'), basename(path));
}

/** A card file compiled, its own learned models read from beside it (`learned/<id>.json`). */
export async function loadCompiledScorecard(path: string): Promise<CompiledScorecard> {
  return compileScorecard(await loadScorecard(path), { cardDir: dirname(path) });
}
