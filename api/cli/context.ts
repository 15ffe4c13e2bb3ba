import { loadConfig, type Config } from '../../models/config.ts';
import { openDatabase, type Database } from '../../models/database.ts';

/** Exit codes: 0 done, 1 failed, 2 bad usage, 3 done but some input rows were rejected. */
export const EXIT = { ok: 0, failed: 1, usage: 2, rejected: 3 } as const;

export class UsageError extends Error {}

export interface CliContext {
  config: Config;
  database: Database;
  out: (line?: string) => void;
}

export async function withDatabase<T>(work: (ctx: CliContext) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase(config, (line) => process.stderr.write(`${line}\n`));
  try {
    return await work({ config, database, out: (line = '') => process.stdout.write(`${line}\n`) });
  } finally {
    await database.close();
  }
}
