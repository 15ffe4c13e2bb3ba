import type pg from 'pg';
import { withTransaction } from '../models/db.ts';
import type { SamplingParams, SampleReason } from './params.ts';
import { defaultSeed } from './seed.ts';
import { selectSample, type AgentQuotaRow } from './select-sample.ts';

export interface RunRequest {
  /** 'YYYY-MM' */
  month: string;
  /** Only calls started before this instant; default: now, or the end of the month if it is over. */
  through?: Date;
  seed?: string;
  kind?: 'scheduled' | 'on_demand';
  /**
   * Runs in the run's transaction once its picks are stored, before anyone
   * can see them: what must hold for the picks when the pipeline admits them
   * (the demo imports their transcripts here).
   */
  beforeCommit?: (tx: pg.PoolClient, runId: number) => Promise<void>;
}

export interface RunSummary {
  runId: number;
  month: string;
  through: Date;
  seed: string;
  agents: number;
  selected: number;
  byReason: Partial<Record<SampleReason, number>>;
  elapsedMs: number;
}

export class SamplingRequestError extends Error {}

/**
 * One sampling run for a month: decides in SQL, stores every pick with its
 * reason and the quota maths per agent, all in one transaction under a
 * per-month advisory lock (two runs of one month never interleave).
 * Run it once at month end, or daily as calls arrive: it only adds picks,
 * and a month of daily runs ends with the picks one month-end run would make
 * (spread.ts).
 */
export async function runSampling(
  pool: pg.Pool,
  params: SamplingParams,
  request: RunRequest,
  now: Date = new Date(),
): Promise<RunSummary> {
  const month = monthStartOf(request.month);
  const seed = request.seed ?? defaultSeed(request.month);
  const started = performance.now();
  return withTransaction(pool, async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(hashtext('callqa:sampling:' || $1))`, [month]);
    const { rows } = await tx.query(
      `select $1::date::timestamp at time zone $2 as month_start,
              ($1::date + interval '1 month')::timestamp at time zone $2 as month_end`,
      [month, params.timeZone],
    );
    const monthStart: Date = rows[0].month_start;
    const monthEnd: Date = rows[0].month_end;
    const through = request.through ?? (now < monthEnd ? now : monthEnd);
    if (through <= monthStart || through > monthEnd) {
      throw new SamplingRequestError(
        `through ${through.toISOString()} is outside ${request.month} (${monthStart.toISOString()} – ${monthEnd.toISOString()})`,
      );
    }
    // as_of as text: a JS Date would cut microseconds, and a call recorded in the same millisecond
    // just before the run would then look newer than it and be left out (and the replay with it).
    const run = await tx.query<{ run_id: number; as_of: string }>(
      `insert into sampling_runs (kind, month, through, time_zone, seed, params)
       values ($1, $2, $3, $4, $5, $6) returning run_id, created_at::text as as_of`,
      [request.kind ?? 'on_demand', month, through, params.timeZone, seed, JSON.stringify(params)],
    );
    const { run_id: runId, as_of: asOf } = run.rows[0];
    const quotas = await selectSample(tx, { month, through, asOf, runId, seed, params });
    await insertQuotaRows(tx, runId, quotas);
    const counts = await tx.query<{ reason: SampleReason; n: number }>(
      `select reason, count(*)::int as n from sample_items where run_id = $1 group by reason order by reason`,
      [runId],
    );
    const byReason = Object.fromEntries(counts.rows.map((r) => [r.reason, r.n]));
    const selected = counts.rows.reduce((sum, r) => sum + r.n, 0);
    const summary = { agents: quotas.length, selected, byReason };
    await tx.query(
      `update sampling_runs set finished_at = clock_timestamp(), summary = $2 where run_id = $1`,
      [runId, JSON.stringify(summary)],
    );
    await request.beforeCommit?.(tx, runId);
    return { runId, month: request.month, through, seed, ...summary, elapsedMs: performance.now() - started };
  });
}

async function insertQuotaRows(tx: pg.PoolClient, runId: number, quotas: AgentQuotaRow[]): Promise<void> {
  await tx.query(
    `insert into sampling_run_agents (run_id, agent_id, prev_month_calls, month_calls, last_score, mode,
                                      multiplier, quota, random_target, random_before,
                                      prev_eligible_calls, eligible_calls, expected_calls, hash_cutoff)
     select $1, * from unnest($2::text[], $3::int[], $4::int[], $5::numeric[], $6::text[], $7::numeric[],
                              $8::int[], $9::int[], $10::int[], $11::int[], $12::int[], $13::int[], $14::bigint[])`,
    [
      runId,
      quotas.map((q) => q.agentId),
      quotas.map((q) => q.prevMonthCalls),
      quotas.map((q) => q.monthCalls),
      quotas.map((q) => q.lastScore),
      quotas.map((q) => q.mode),
      quotas.map((q) => q.multiplier),
      quotas.map((q) => q.quota),
      quotas.map((q) => q.randomTarget),
      quotas.map((q) => q.randomBefore),
      quotas.map((q) => q.prevEligibleCalls),
      quotas.map((q) => q.eligibleCalls),
      quotas.map((q) => q.expectedCalls),
      quotas.map((q) => q.hashCutoff),
    ],
  );
}

/** 'YYYY-MM' → 'YYYY-MM-01', rejecting anything else. */
export function monthStartOf(month: string): string {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!match) throw new SamplingRequestError(`month "${month}" is not YYYY-MM (e.g. 2026-10)`);
  return `${month}-01`;
}
