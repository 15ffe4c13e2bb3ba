import { userInfo } from 'node:os';
import { writeAudit } from '../../models/audit-repository.ts';
import { loadConfig, type Config } from '../../models/config.ts';
import type { Queryable } from '../../models/db.ts';
import { openDatabase, type Database } from '../../models/database.ts';

/** Exit codes: 0 done, 1 failed, 2 bad usage, 3 done but some input rows were rejected. */
export const EXIT = { ok: 0, failed: 1, usage: 2, rejected: 3 } as const;

export class UsageError extends Error {}

export interface CliContext {
  config: Config;
  database: Database;
  out: (line?: string) => void;
}

/**
 * The operator at the CLI, as the audit log names them: `cli:<os user>`.
 * The CLI works on the database directly (no token): that is how a fresh
 * install, which has no users, gets its first admin.
 */
export function cliActor(): { userId: null; name: string } {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry (some containers): the row still says it came from the CLI.
  }
  return { userId: null, name: `cli:${name}` };
}

/** The audit row of a CLI command that changed data, written once its change has committed. */
export async function auditCli(db: Queryable, action: string, target: string, after: unknown): Promise<void> {
  await writeAudit(db, { actor: cliActor().name, action, target, after });
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
