import { join } from 'node:path';
import type pg from 'pg';
import type { Config } from './config.ts';
import { createPool } from './db.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { runMigrations } from './migrate.ts';

export interface Database {
  pool: pg.Pool;
  /** Where the data lives, for log lines: the URL without its password. */
  description: string;
  /** Ends the pool, then leaves the embedded server (stopped when no other process uses it). */
  close(): Promise<void>;
}

/**
 * DATABASE_URL when given; otherwise the embedded PostgreSQL from node_modules
 * with its cluster under CALLQA_DATA_DIR/pg (joined if another process runs it).
 * Migrations run before returning.
 */
export async function openDatabase(
  config: Config,
  log: (line: string) => void = () => {},
): Promise<Database> {
  if (config.databaseUrl) {
    const pool = createPool(config.databaseUrl);
    await runMigrations(pool);
    return { pool, description: redact(config.databaseUrl), close: () => pool.end() };
  }
  const server = await startEmbeddedPostgres({
    dataDir: join(config.dataDir, 'pg'),
    port: config.embeddedPgPort,
    log: (message) => log(`[postgres] ${message}`),
  });
  const url = server.urlFor('callqa');
  const pool = createPool(url);
  try {
    await server.ensureDatabase('callqa');
    await runMigrations(pool);
  } catch (error) {
    await pool.end();
    await server.stop();
    throw error;
  }
  return {
    pool,
    description: `embedded PostgreSQL at ${redact(url)} (data in ${join(config.dataDir, 'pg')})`,
    async close() {
      await pool.end();
      await server.stop();
    },
  };
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
