import { ConfigError, loadConfig } from '../models/config.ts';
import { openDatabase, type Database } from '../models/database.ts';
import { shutdownOnSignals } from './ordered-shutdown.ts';
import { BullMqQueue } from './queue/bullmq-queue.ts';
import { startWorkers } from './start-workers.ts';

/** How long running jobs get to finish on shutdown; BullMQ hands unfinished ones to another worker. */
const JOBS_GRACE_MS = 25_000;

/**
 * `npm run worker`: one BullMQ worker process. Run as many as you like on as
 * many machines, sharing PostgreSQL, Redis and the recordings. SIGTERM or
 * SIGINT: stop taking jobs, let running ones finish (bounded), close the
 * queues, end the pool, then leave the embedded PostgreSQL if one was used.
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
  // What has started so far; the shutdown stops whatever is there.
  const up: { database?: Database; workers?: Awaited<ReturnType<typeof startWorkers>> } = {};
  shutdownOnSignals(
    [
      {
        name: 'stop taking jobs, let running ones finish, close the queues',
        run: () => up.workers?.stop(),
        waitAtMostMs: JOBS_GRACE_MS,
      },
      {
        name: 'end the database pool, then the embedded PostgreSQL if no one else uses it',
        run: () => up.database?.close(),
      },
    ],
    { log: log.info, forceAfterMs: JOBS_GRACE_MS + 40_000 },
  );

  const database = (up.database = await openDatabase(config, (line) => log.info(line)));
  const queue = new BullMqQueue({ redisUrl: config.redisUrl, onError: (error) => log.error(error, 'redis') });
  up.workers = await startWorkers(config, database.pool, queue, log);
  log.info(`worker ${process.pid} ready (database: ${database.description})`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : String((error as Error).stack ?? error)}\n`,
  );
  process.exit(1);
});
