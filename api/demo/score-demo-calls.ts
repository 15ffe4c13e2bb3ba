import type pg from 'pg';
import type { Config } from '../../models/config.ts';
import { markFailed } from '../../models/pipeline-repository.ts';
import { failureCode } from '../../workers/permanent-error.ts';
import { scoreProcessor } from '../../workers/processors/score-processor.ts';
import { BUILT_IN_SCORECARDS, createScorer, loadScorecards } from '../../workers/scoring-service.ts';

export interface DemoProgress {
  total: number;
  scored: number;
  failed: number;
  /** Of the scored: sent to review, and failing QA. */
  needsReview: number;
  notPassed: number;
}

/** Where the month's sampled demo calls are in the pipeline. */
export async function demoProgress(db: pg.Pool, month: string): Promise<DemoProgress> {
  const { rows } = await db.query(
    `select count(*)::int as total,
            count(*) filter (where p.state = 'scored')::int as scored,
            count(*) filter (where p.state = 'failed')::int as failed,
            count(*) filter (where p.state = 'scored' and cs.needs_review)::int as needs_review,
            count(*) filter (where p.state = 'scored' and not cs.passed)::int as not_passed
     from sample_items s
     left join call_processing p on p.call_id = s.call_id
     left join lateral (select needs_review, passed from call_scores x where x.call_id = s.call_id
                        order by x.created_at desc limit 1) cs on true
     where s.month = ($1 || '-01')::date`,
    [month],
  );
  const r = rows[0];
  return {
    total: r.total,
    scored: r.scored,
    failed: r.failed,
    needsReview: r.needs_review,
    notPassed: r.not_passed,
  };
}

/**
 * With no server running, the demo scores its calls itself: the pipeline's
 * own score stage (scoreProcessor, createScorer) on each of the month's
 * transcribed calls, a final failure recorded as the pipeline records it.
 * Safe beside a worker: a call another process has begun is left to it.
 */
export async function scoreDemoCalls(
  pool: pg.Pool,
  config: Config,
  month: string,
  onProgress: (done: number, total: number) => void,
): Promise<void> {
  const dirs = [BUILT_IN_SCORECARDS, ...(config.scoring.scorecardDir ? [config.scoring.scorecardDir] : [])];
  const scoreCall = await createScorer({
    pool,
    cards: await loadScorecards(dirs),
    timeZone: config.timeZone,
    companyNames: config.scoring.companyNames,
  });
  const score = scoreProcessor({ pool, scoreCall });
  const { rows } = await pool.query<{ call_id: string }>(
    `select s.call_id from sample_items s join call_processing p using (call_id)
     where s.month = ($1 || '-01')::date and p.state = 'transcribed' order by s.call_id`,
    [month],
  );
  let done = 0;
  for (const { call_id: callId } of rows) {
    await score({ callId }).catch((error: unknown) =>
      markFailed(pool, callId, 'score', failureCode(error), (error as Error)?.message ?? String(error)),
    );
    onProgress(++done, rows.length);
  }
}

/** Whether a callqa server answers on HOST:PORT (then its pipeline scores the calls). */
export async function serverIsUp(config: Pick<Config, 'host' | 'port'>): Promise<boolean> {
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const response = await fetch(`http://${host}:${config.port}/health`, {
    signal: AbortSignal.timeout(1500),
  }).catch(() => undefined);
  return response?.ok === true;
}
