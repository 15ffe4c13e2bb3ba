import type pg from 'pg';
import type { SamplingParams } from './params.ts';
import { runSampling, type RunSummary } from './run-sampling.ts';

/**
 * Samples yesterday's calls once a day: a scheduled run for the month of
 * yesterday, through midnight today in the configured time zone. On the 1st
 * this closes the previous month. Skips when today's run already exists, so
 * it is safe to call on every start and every hour.
 */
export async function sampleCompletedDays(
  pool: pg.Pool,
  params: SamplingParams,
): Promise<RunSummary | undefined> {
  const { rows } = await pool.query(
    `select date_trunc('day', now() at time zone $1) at time zone $1 as through,
            to_char(date_trunc('day', now() at time zone $1) - interval '1 day', 'YYYY-MM') as month,
            exists (select 1 from sampling_runs where kind = 'scheduled'
                    and through >= date_trunc('day', now() at time zone $1) at time zone $1) as done`,
    [params.timeZone],
  );
  const { through, month, done } = rows[0];
  if (done) return undefined;
  return runSampling(pool, params, { month, through, kind: 'scheduled' });
}

/**
 * Runs sampleCompletedDays now and every hour until stopped; stopping waits
 * for a run in progress, so the pool can be ended after it.
 */
export function startDailySampling(
  pool: pg.Pool,
  params: SamplingParams,
  log: { info: (msg: string) => void; error: (obj: unknown, msg: string) => void },
): () => Promise<void> {
  let running: Promise<void> | undefined;
  const tick = () => {
    running ??= sampleCompletedDays(pool, params)
      .then((run) => {
        if (run) log.info(`daily sampling: run ${run.runId} for ${run.month} selected ${run.selected} calls`);
      })
      .catch((error: unknown) => log.error(error, 'daily sampling failed; retrying within the hour'))
      .finally(() => (running = undefined));
  };
  tick();
  const timer = setInterval(tick, 3600_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
