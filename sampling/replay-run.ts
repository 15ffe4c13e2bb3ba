import type pg from 'pg';
import type { SamplingParams } from './params.ts';
import { selectSample } from './select-sample.ts';

export interface ReplayDifference {
  callId: string;
  stored?: string;
  replayed?: string;
}

export interface ReplayReport {
  runId: number;
  matches: boolean;
  stored: number;
  replayed: number;
  quotaMismatches: string[];
  differences: ReplayDifference[];
}

export class ReplayError extends Error {}

/**
 * Re-decides a past run from what it saw (earlier runs' picks, and calls,
 * scores and QA outcomes recorded before it started) with its stored seed and
 * parameters, through the very code a run uses, then compares with what it
 * stored. Inside one transaction that is always rolled back, the picks of
 * this and later runs are set aside, the run is decided again, and the two
 * are compared — nothing changes. A difference means the inputs were changed
 * after the run (e.g. a call re-ingested with another duration) or the rules
 * changed; the report names each call that differs.
 */
export async function replayRun(pool: pg.Pool, runId: number): Promise<ReplayReport> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query(
      `select run_id, kind, to_char(month, 'YYYY-MM-DD') as month, through, seed, params, created_at::text as as_of
       from sampling_runs where run_id = $1`,
      [runId],
    );
    const run = rows[0];
    if (!run) throw new ReplayError(`sampling run ${runId} does not exist`);
    if (run.kind === 'manual_pick')
      throw new ReplayError(`run ${runId} holds manual picks: there is no rule to replay`);
    // Other sessions never see the picks set aside here: the delete is rolled back, never committed.
    await client.query(
      `create temp table stored_picks on commit drop as
       select call_id, reason from sample_items where run_id = $1`,
      [runId],
    );
    await client.query(`delete from sample_items where run_id >= $1`, [runId]);
    const quotas = await selectSample(client, {
      month: run.month,
      through: run.through,
      asOf: run.as_of,
      runId,
      seed: run.seed,
      params: run.params as SamplingParams,
    });
    const diff = await client.query<{ call_id: string; stored: string | null; replayed: string | null }>(
      `select coalesce(s.call_id, x.call_id) as call_id, s.reason as stored, x.reason as replayed
       from stored_picks s
       full join (select call_id, reason from sample_items where run_id = $1) x on x.call_id = s.call_id
       where s.reason is distinct from x.reason
       order by 1 limit 1000`,
      [runId],
    );
    const counts = await client.query<{ stored: number; replayed: number }>(
      `select (select count(*)::int from stored_picks) as stored,
              (select count(*)::int from sample_items where run_id = $1) as replayed`,
      [runId],
    );
    const storedQuotas = await client.query<{
      agent_id: string;
      quota: number;
      random_target: number;
      expected_calls: number | null;
      hash_cutoff: string | null;
      last_score: number | null;
    }>(
      `select agent_id, quota, random_target, expected_calls, hash_cutoff::text, last_score
       from sampling_run_agents where run_id = $1`,
      [runId],
    );
    const byAgent = new Map(quotas.map((q) => [q.agentId, q]));
    const quotaMismatches = storedQuotas.rows
      .filter((s) => {
        const replayed = byAgent.get(s.agent_id);
        return (
          replayed?.quota !== s.quota ||
          replayed.randomTarget !== s.random_target ||
          replayed.expectedCalls !== s.expected_calls ||
          replayed.hashCutoff !== s.hash_cutoff ||
          // the score the quota came from: a correction after the run must not reach its replay
          replayed.lastScore !== s.last_score
        );
      })
      .map((s) => s.agent_id);
    if (storedQuotas.rows.length !== quotas.length) quotaMismatches.push('(number of agents differs)');
    return {
      runId,
      matches: diff.rows.length === 0 && quotaMismatches.length === 0,
      ...counts.rows[0],
      quotaMismatches,
      differences: diff.rows.map((d) => ({
        callId: d.call_id,
        stored: d.stored ?? undefined,
        replayed: d.replayed ?? undefined,
      })),
    };
  } finally {
    await client.query('rollback').catch(() => {});
    client.release();
  }
}
