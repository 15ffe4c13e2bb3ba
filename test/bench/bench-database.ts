import { join } from 'node:path';
import type pg from 'pg';
import { createPool } from '../../models/db.ts';
import { startEmbeddedPostgres } from '../../models/embedded-postgres.ts';
import { runMigrations } from '../../models/migrate.ts';
import { freePort } from '../helpers/free-port.ts';

export interface BenchDatabase {
  pool: pg.Pool;
  /** The connection string, for a child process (bench:api's API server). */
  url: string;
  /** The embedded cluster's directory (its postmaster.pid names the server process); none with DATABASE_URL. */
  dataDir?: string;
  close(): Promise<void>;
}

/** DATABASE_URL if set, else a throwaway embedded PostgreSQL (no fsync) under `dir`; migrated. */
export async function openBenchDatabase(dir: string): Promise<BenchDatabase> {
  const server = process.env.DATABASE_URL
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: join(dir, 'pg'),
        port: await freePort(),
        durable: false,
        log: () => {},
      });
  if (server) await server.ensureDatabase('bench');
  const url = process.env.DATABASE_URL ?? server!.urlFor('bench');
  const pool = createPool(url, 4);
  await runMigrations(pool);
  return {
    pool,
    url,
    dataDir: server ? join(dir, 'pg') : undefined,
    async close() {
      await pool.end();
      await server?.stop();
    },
  };
}
