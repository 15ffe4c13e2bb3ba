import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import type {} from 'vitest';
import { startEmbeddedPostgres, type EmbeddedServer } from '../models/embedded-postgres.ts';
import { freePort } from './helpers/free-port.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

/**
 * One real PostgreSQL for the whole run: the server given by TEST_DATABASE_URL,
 * else an embedded one (no fsync) in a temporary directory. Each test file makes its own
 * database on it (test/helpers/database.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    project.provide('adminDatabaseUrl', given);
    return async () => {};
  }
  const dir = await mkdtemp(join(tmpdir(), 'callqa-test-pg-'));
  const server: EmbeddedServer = await startEmbeddedPostgres({
    dataDir: join(dir, 'pg'),
    port: await freePort(),
    durable: false,
    log: () => {},
  });
  project.provide('adminDatabaseUrl', server.adminUrl);
  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
