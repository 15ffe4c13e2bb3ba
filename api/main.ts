import { loadConfig, ConfigError } from '../models/config.ts';
import { openDatabase } from '../models/database.ts';
import { startDailySampling } from '../sampling/daily-sampling.ts';
import { samplingParamsFrom } from '../sampling/params.ts';
import { InProcessQueue } from '../workers/queue/in-process-queue.ts';
import { startWorkers } from '../workers/start-workers.ts';
import { buildApp } from './app.ts';
import { sweepTempUploads } from './recordings/sweep-temp-uploads.ts';

/**
 * `npm start`: the whole service in one process — PostgreSQL (embedded unless
 * DATABASE_URL is set), the HTTP API, the daily sampler and, without
 * REDIS_URL, the transcribe/score jobs in-process (with Redis, run
 * `npm run worker` processes instead).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config, (line) => process.stderr.write(`${line}\n`));
  const app = await buildApp({ pool: database.pool, config });
  app.log.info(`database: ${database.description}`);
  const swept = await sweepTempUploads(config.storageDir, new Date(Date.now() - process.uptime() * 1000));
  if (swept.length > 0) app.log.info(`removed ${swept.length} cut-off upload(s) from an earlier run`);
  const stopSampling = config.sampling.daily
    ? startDailySampling(database.pool, samplingParamsFrom(config), app.log)
    : () => {};
  const workers = config.redisUrl
    ? undefined
    : await startWorkers(config, database.pool, new InProcessQueue(), app.log);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info(`${signal}: shutting down`);
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    stopSampling();
    await app.close();
    await workers?.stop();
    await database.close();
    clearTimeout(force);
  };
  process.once('SIGINT', (s) => void shutdown(s));
  process.once('SIGTERM', (s) => void shutdown(s));

  await app.listen({ host: config.host, port: config.port });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : String((error as Error).stack ?? error)}\n`,
  );
  process.exit(1);
});
