import { ConfigError, loadConfig } from '../models/config.ts';
import { openDatabase } from '../models/database.ts';
import { BullMqQueue } from './queue/bullmq-queue.ts';
import { startWorkers } from './start-workers.ts';

/**
 * `npm run worker`: one BullMQ worker process. Run as many as you like on as
 * many machines, sharing PostgreSQL, Redis and the recordings.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.redisUrl) {
    throw new ConfigError([
      'REDIS_URL: required by `npm run worker` (without Redis, `npm start` runs the jobs in-process)',
    ]);
  }
  const log = {
    info: (msg: string) => process.stdout.write(`${new Date().toISOString()} ${msg}\n`),
    error: (obj: unknown, msg: string) =>
      process.stderr.write(`${new Date().toISOString()} ${msg}: ${String(obj)}\n`),
  };
  const database = await openDatabase(config, (line) => log.info(line));
  const queue = new BullMqQueue({ redisUrl: config.redisUrl, onError: (error) => log.error(error, 'redis') });
  const workers = await startWorkers(config, database.pool, queue, log);
  log.info(`worker ${process.pid} ready (database: ${database.description})`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info(`${signal}: finishing current jobs, then exiting`);
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    await workers.stop();
    await database.close();
    clearTimeout(force);
  };
  process.once('SIGINT', (s) => void shutdown(s));
  process.once('SIGTERM', (s) => void shutdown(s));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : String((error as Error).stack ?? error)}\n`,
  );
  process.exit(1);
});
