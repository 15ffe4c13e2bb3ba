import { startEmbeddedPostgres } from '../../models/embedded-postgres.ts';

/**
 * A process that joins (or starts) the embedded PostgreSQL of DATA_DIR on
 * PG_PORT, says "ready", and waits to be killed (test/models/embedded-postgres.test.ts).
 */
const server = await startEmbeddedPostgres({
  dataDir: process.env.DATA_DIR!,
  port: Number(process.env.PG_PORT),
  durable: false,
  log: () => {},
});
process.stdout.write(`ready ${server.started ? 'started' : 'joined'}\n`);
setInterval(() => {}, 60_000);
