import { loadConfig, ConfigError } from '../models/config.ts';
import { openDatabase, type Database } from '../models/database.ts';
import { startDailySampling } from '../sampling/daily-sampling.ts';
import { samplingParamsFrom } from '../sampling/params.ts';
import { shutdownOnSignals } from '../workers/ordered-shutdown.ts';
import { InProcessQueue } from '../workers/queue/in-process-queue.ts';
import { startWorkers } from '../workers/start-workers.ts';
import { buildApp } from './app.ts';
import { sweepTempUploads } from './recordings/sweep-temp-uploads.ts';
import { describeWebBuild, ensureWebApp } from './web/build.ts';

type App = Awaited<ReturnType<typeof buildApp>>;

/** How long running jobs get to finish on shutdown before the pool and the database go. */
const JOBS_GRACE_MS = 20_000;

/**
 * `npm start`: the whole service in one process — PostgreSQL (embedded unless
 * DATABASE_URL is set), the HTTP API, the daily sampler and, without
 * REDIS_URL, the transcribe/score jobs in-process (with Redis, run
 * `npm run worker` processes instead).
 *
 * SIGTERM or SIGINT shuts down in order: stop accepting requests (those in
 * flight finish), stop the sampler, let running jobs finish (bounded), end the
 * pool, then stop the embedded PostgreSQL unless another process still uses it.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const say = (line: string) => process.stderr.write(`${line}\n`);
  // What has started so far; the shutdown stops whatever is there.
  const up: {
    database?: Database;
    app?: App;
    stopSampling?: () => Promise<void>;
    workers?: Awaited<ReturnType<typeof startWorkers>>;
  } = {};
  // Registered before anything starts, so a signal during start-up still stops what has started.
  shutdownOnSignals(
    [
      {
        name: 'stop accepting HTTP requests, finish those in flight',
        run: () => up.app && closeHttp(up.app),
      },
      { name: 'stop the daily sampler', run: () => up.stopSampling?.() },
      {
        name: 'stop the jobs, letting running ones finish',
        run: () => up.workers?.stop(),
        waitAtMostMs: JOBS_GRACE_MS,
      },
      {
        name: 'end the database pool, then the embedded PostgreSQL if no one else uses it',
        run: () => up.database?.close(),
      },
    ],
    { log: (line) => (up.app ? up.app.log.info(line) : say(line)), forceAfterMs: JOBS_GRACE_MS + 40_000 },
  );

  const database = (up.database = await openDatabase(config, say));
  const app = (up.app = await buildApp({ pool: database.pool, config }));
  app.log.info(`database: ${database.description}`);
  const swept = await sweepTempUploads(config.storageDir, new Date(Date.now() - process.uptime() * 1000));
  if (swept.length > 0) app.log.info(`removed ${swept.length} cut-off upload(s) from an earlier run`);
  up.stopSampling = config.sampling.daily
    ? startDailySampling(database.pool, samplingParamsFrom(config), app.log)
    : async () => {};
  up.workers = config.redisUrl
    ? undefined
    : await startWorkers(config, database.pool, new InProcessQueue(), app.log);
  // `npm install` builds the web app already; this catches a checkout that changed it since (or a
  // first start without install scripts). A failed build leaves the API up: /app/ then says so.
  await ensureWebApp().then(
    (result) => app.log.info(describeWebBuild(result)),
    (error: unknown) =>
      app.log.error({ err: error }, 'web app: build failed; /app/ serves the previous build, if any'),
  );
  await app.listen({ host: config.host, port: config.port });
}

/**
 * app.close() waits for every connection to end, and a keep-alive connection
 * whose request finishes after the close began would otherwise idle until its
 * timeout: close such connections as soon as they fall idle.
 */
async function closeHttp(app: App): Promise<void> {
  const closing = app.close();
  const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
  try {
    await closing;
  } finally {
    clearInterval(sweep);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : String((error as Error).stack ?? error)}\n`,
  );
  process.exit(1);
});
