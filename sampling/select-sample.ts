import type { Queryable } from '../models/db.ts';
import type { SamplingParams } from './params.ts';
import { agentQuota, type AgentHistory, type AgentQuota } from './quota.ts';
import { seedToBigint } from './seed.ts';
import { expectedMonthCalls, hashCutoff, higherCutoff, NO_CUTOFF, revealFraction } from './spread.ts';

/**
 * The world as a run saw it: the picks of earlier runs (the only rows in
 * sample_items when it decides) and calls, scores and QA outcomes recorded up
 * to `asOf`. A replay uses the run's own values and so sees what the run saw.
 */
export interface SelectionContext {
  month: string; // 'YYYY-MM-01'
  through: Date;
  /** A timestamptz as PostgreSQL prints it (full microsecond precision). */
  asOf: string;
  /** The run deciding: its picks are written under this id. */
  runId: number;
  seed: string;
  params: SamplingParams;
}

export interface AgentQuotaRow extends AgentHistory, AgentQuota {
  agentId: string;
  /** Calls the random draw may pick (normal length; any length in an exemption month); null when the run closes the month. */
  prevEligibleCalls: number | null;
  eligibleCalls: number | null;
  /** The month's eligible calls the cut-off was sized for; null when the run closes the month. */
  expectedCalls: number | null;
  /** Eligible calls so far hashing below this are picked (signed 64-bit, as a decimal string). */
  hashCutoff: string;
  /** The random picks the run tops up to: the quota when it closes the month, else 0. */
  randomTarget: number;
  randomBefore: number;
}

interface MonthBounds {
  prevStart: Date;
  monthStart: Date;
  monthEnd: Date;
  prevMonth: string;
  monthBefore: string;
}

/**
 * Writes what a run decides into sample_items under `ctx.runId`, in rule
 * order: short and long calls, then the random quota (or the exemption
 * month's calls), then neighbours of failed calls. Each step skips calls
 * already in sample_items, so no call is picked twice. All set work runs in
 * SQL; only per-agent quota maths (a row per agent, not per call) runs here,
 * through the pure rules in quota.ts. The caller owns the transaction: a run
 * commits it, a replay rolls it back.
 */
export async function selectSample(tx: Queryable, ctx: SelectionContext): Promise<AgentQuotaRow[]> {
  await tx.query(`set local work_mem = '64MB'`);
  const bounds = await monthBounds(tx, ctx);
  const quotas = await agentQuotas(tx, ctx, bounds);
  const exempt = quotas.filter((q) => q.mode === 'exemption').map((q) => q.agentId);

  // Short and long calls carry no detail: the duration that put them here is on the call.
  await tx.query(
    `insert into sample_items (call_id, run_id, agent_id, month, reason)
     select c.call_id, $6, c.agent_id, $7, case when c.duration_s < $3 then 'short_call' else 'long_call' end
     from calls c
     where c.started_at >= $1 and c.started_at < $2 and c.ingested_at <= $5
       and (c.duration_s < $3 or c.duration_s > $4)
       and c.agent_id <> all($8::text[])
       and not exists (select 1 from sample_items s where s.call_id = c.call_id)`,
    [
      bounds.monthStart,
      ctx.through,
      ctx.params.shortCallS,
      ctx.params.longCallS,
      ctx.asOf,
      ctx.runId,
      ctx.month,
      exempt,
    ],
  );
  await selectRandom(tx, ctx, bounds, quotas);
  await selectNeighbours(tx, ctx);
  return quotas;
}

/**
 * The random quota (or the exemption month's calls), spread over the month as
 * spread.ts explains: per agent, every not-yet-sampled eligible call so far
 * whose seeded hash is below the agent's cut-off, and, on the run that closes
 * the month, the next-lowest hashes of the whole month up to the quota. One
 * pass over the month's calls keeps only hashes under a per-agent scan limit
 * (the cut-off plus room for about four times the top-up) and ranks those;
 * an agent left short by the scan limit is topped up without it, so the
 * result is always exactly the calls under the cut-off plus the lowest hashes.
 */
async function selectRandom(
  tx: Queryable,
  ctx: SelectionContext,
  bounds: MonthBounds,
  quotas: AgentQuotaRow[],
) {
  const need = (q: AgentQuotaRow) => Math.max(0, q.randomTarget - q.randomBefore);
  const drawing = quotas.filter((q) => need(q) > 0 || q.hashCutoff !== NO_CUTOFF);
  const common = [
    bounds.monthStart,
    ctx.through,
    ctx.asOf,
    ctx.params.shortCallS,
    ctx.params.longCallS,
    ctx.runId,
    seedToBigint(ctx.seed),
    ctx.month,
  ];
  const candidates = `
       c.started_at >= $1 and c.started_at < $2 and c.ingested_at <= $3
       and (n.reason = 'exemption_month' or c.duration_s between $4 and $5)
       and not exists (select 1 from sample_items s where s.call_id = c.call_id)`;
  const agentArrays = (rows: AgentQuotaRow[], needed: (q: AgentQuotaRow) => number) => [
    rows.map((q) => q.agentId),
    rows.map(needed),
    rows.map((q) => (q.mode === 'exemption' ? 'exemption_month' : 'random_quota')),
    rows.map((q) => q.quota),
    rows.map((q) => q.hashCutoff),
    rows.map((q) => scanLimit(q.hashCutoff, needed(q), q.monthCalls)),
  ];
  // A real (analysed) table, not unnest(): with row estimates the planner hashes the few
  // thousand agents and streams the month's calls past them, instead of hashing the calls.
  await tx.query(
    `create temp table random_need (agent_id text primary key, need int, reason text, quota int,
                                    cutoff bigint, scan bigint) on commit drop`,
  );
  await tx.query(
    `insert into random_need select * from unnest($1::text[], $2::int[], $3::text[], $4::int[], $5::bigint[], $6::bigint[])`,
    agentArrays(drawing, need),
  );
  await tx.query('analyze random_need');
  await tx.query(
    `insert into sample_items (call_id, run_id, agent_id, month, reason, detail)
     select call_id, $6, agent_id, $8, reason,
            jsonb_build_object('quota', quota, 'via', case when hash < cutoff then 'cutoff' else 'top_up' end)
     from (
       select c.call_id, n.agent_id, n.reason, n.quota, n.need, n.cutoff, hashtextextended(c.call_id, $7::bigint) as hash,
              row_number() over (partition by n.agent_id order by hashtextextended(c.call_id, $7::bigint), c.call_id) as rn
       from random_need n
       join calls c on c.agent_id = n.agent_id
       where hashtextextended(c.call_id, $7::bigint) < n.scan and ${candidates}
     ) ranked
     where hash < cutoff or rn <= need`,
    common,
  );
  const toppingUp = drawing.filter((q) => need(q) > 0);
  if (toppingUp.length === 0) return;
  const got = await tx.query<{ agent_id: string; n: number }>(
    `select agent_id, count(*)::int as n from sample_items
     where run_id = $1 and reason in ('random_quota', 'exemption_month') group by agent_id`,
    [ctx.runId],
  );
  const picked = new Map(got.rows.map((r) => [r.agent_id, r.n]));
  const short = toppingUp.filter((q) => (picked.get(q.agentId) ?? 0) < need(q));
  if (short.length === 0) return;
  await tx.query(
    `insert into sample_items (call_id, run_id, agent_id, month, reason, detail)
     select pick.call_id, $6, n.agent_id, $8, n.reason, jsonb_build_object('quota', n.quota, 'via', 'top_up')
     from unnest($9::text[], $10::int[], $11::text[], $12::int[], $13::bigint[], $14::bigint[])
          as n(agent_id, need, reason, quota, cutoff, scan)
     cross join lateral (
       select c.call_id from calls c
       where c.agent_id = n.agent_id and ${candidates}
       order by hashtextextended(c.call_id, $7::bigint), c.call_id
       limit n.need
     ) pick`,
    [...common, ...agentArrays(short, (q) => need(q) - (picked.get(q.agentId) ?? 0))],
  );
}

/** The cut-off raised by room for about four times `need` more of `calls` uniformly hashed calls. */
function scanLimit(cutoff: string, need: number, calls: number): string {
  if (need === 0) return cutoff;
  const room = BigInt(hashCutoff((4 * need + 8) / Math.max(1, calls))) - BigInt(NO_CUTOFF);
  const raised = BigInt(cutoff) + room;
  const highest = 2n ** 63n - 1n;
  return (raised > highest ? highest : raised).toString();
}

/** 质检规范 二(二)4: when a sampled call fails QA, listen to the calls just before and after it. */
async function selectNeighbours(tx: Queryable, ctx: SelectionContext): Promise<void> {
  await tx.query(
    `insert into sample_items (call_id, run_id, agent_id, month, reason, detail)
     select distinct on (nb.call_id) nb.call_id, $2, f.agent_id, $1, 'neighbour',
            jsonb_build_object('neighbour_of', f.call_id, 'side', nb.side)
     from sample_items f
     -- the outcome in force when the run started (migration 006): a later correction is invisible
     cross join lateral effective_outcome(f.call_id, $3) q
     join calls fc on fc.call_id = f.call_id
     cross join lateral (
       (select c.call_id, 'previous' as side from calls c
        where c.agent_id = fc.agent_id and c.ingested_at <= $3
          and (c.started_at, c.call_id) < (fc.started_at, fc.call_id)
        order by c.started_at desc, c.call_id desc limit 1)
       union all
       (select c.call_id, 'next' from calls c
        where c.agent_id = fc.agent_id and c.ingested_at <= $3 and c.started_at < $4
          and (c.started_at, c.call_id) > (fc.started_at, fc.call_id)
        order by c.started_at, c.call_id limit 1)
     ) nb
     where f.run_id in (select run_id from sampling_runs where month = $1 and run_id < $2)
       and not q.passed
       and not exists (select 1 from sample_items s where s.call_id = nb.call_id)
     order by nb.call_id, f.call_id
     -- a neighbour across a month boundary may be picked by that month's run at the same moment
     on conflict (call_id) do nothing`,
    [ctx.month, ctx.runId, ctx.asOf, ctx.through],
  );
}

async function monthBounds(tx: Queryable, ctx: SelectionContext): Promise<MonthBounds> {
  const { rows } = await tx.query(
    `select ($1::date - interval '1 month')::timestamp at time zone $2 as prev_start,
            $1::date::timestamp at time zone $2 as month_start,
            ($1::date + interval '1 month')::timestamp at time zone $2 as month_end,
            ($1::date - interval '1 month')::date as prev_month,
            ($1::date - interval '2 months')::date as month_before`,
    [ctx.month, ctx.params.timeZone],
  );
  const r = rows[0];
  return {
    prevStart: r.prev_start,
    monthStart: r.month_start,
    monthEnd: r.month_end,
    prevMonth: r.prev_month,
    monthBefore: r.month_before,
  };
}

interface AgentVolumeRow {
  agent_id: string;
  prev_calls: number;
  prev_normal: number;
  month_calls: number;
  month_normal: number;
  prior_cutoff: string | null;
  last_score: number | null;
  score_before: number | null;
  last_exempt: boolean;
  before_exempt: boolean;
  random_before: number;
}

async function agentQuotas(tx: Queryable, ctx: SelectionContext, b: MonthBounds): Promise<AgentQuotaRow[]> {
  const closesMonth = ctx.through.getTime() >= b.monthEnd.getTime();
  const { rows } = await tx.query<AgentVolumeRow>(
    `with volume as (
       select agent_id,
              count(*) filter (where started_at < $2)::int as prev_calls,
              -- eligible volumes size a daily run's cut-off; the run that closes the month skips them ($11)
              count(*) filter (where $11 and started_at < $2 and duration_s between $9 and $10)::int as prev_normal,
              count(*) filter (where started_at >= $2)::int as month_calls,
              count(*) filter (where $11 and started_at >= $2 and duration_s between $9 and $10)::int as month_normal
       from calls
       where started_at >= $1 and started_at < $3 and ingested_at <= $4
       group by agent_id
     ),
     picked as (
       select agent_id, count(*)::int as n from sample_items
       where run_id in (select run_id from sampling_runs where month = $5 and run_id < $6)
         and reason in ('random_quota', 'exemption_month')
       group by agent_id
     ),
     -- the cut-off only rises within a month: the highest an earlier run of it used
     prior as (
       select a.agent_id, max(a.hash_cutoff)::text as cutoff
       from sampling_run_agents a join sampling_runs r using (run_id)
       where r.month = $5 and r.run_id < $6
       group by a.agent_id
     ),
     exempt as (
       select distinct r.month, a.agent_id from sampling_run_agents a join sampling_runs r using (run_id)
       where a.mode = 'exemption' and r.run_id < $6 and r.month in ($7, $8)
     )
     select v.agent_id, v.prev_calls, v.prev_normal, v.month_calls, v.month_normal, pr.cutoff as prior_cutoff,
            s1.score as last_score, s2.score as score_before,
            e1.agent_id is not null as last_exempt, e2.agent_id is not null as before_exempt,
            coalesce(p.n, 0) as random_before
     from volume v
     -- month scores in force when the run started (migration 006): a later correction is invisible
     left join lateral effective_month_score(v.agent_id, $7, $4) s1 on true
     left join lateral effective_month_score(v.agent_id, $8, $4) s2 on true
     left join exempt e1 on e1.agent_id = v.agent_id and e1.month = $7
     left join exempt e2 on e2.agent_id = v.agent_id and e2.month = $8
     left join picked p on p.agent_id = v.agent_id
     left join prior pr on pr.agent_id = v.agent_id
     order by v.agent_id`,
    [
      b.prevStart,
      b.monthStart,
      ctx.through,
      ctx.asOf,
      ctx.month,
      ctx.runId,
      b.prevMonth,
      b.monthBefore,
      ctx.params.shortCallS,
      ctx.params.longCallS,
      !closesMonth,
    ],
  );
  return rows.map((r) => quotaRow(r, ctx, b, closesMonth)).filter((q) => q.monthCalls > 0);
}

/** One agent's quota maths for a run: the quota rules, then (on a daily run) the month's hash cut-off. */
function quotaRow(
  r: AgentVolumeRow,
  ctx: SelectionContext,
  b: MonthBounds,
  closesMonth: boolean,
): AgentQuotaRow {
  const history: AgentHistory = {
    prevMonthCalls: r.prev_calls,
    monthCalls: r.month_calls,
    lastScore: r.last_score,
    scoreBefore: r.score_before,
    lastMonthExempt: r.last_exempt,
    monthBeforeExempt: r.before_exempt,
  };
  const quota = agentQuota(history, ctx.params);
  const priorCutoff = r.prior_cutoff ?? NO_CUTOFF;
  if (closesMonth) {
    // the run that closes the month reveals nothing new: it keeps the month's cut-off and tops up
    return {
      agentId: r.agent_id,
      ...history,
      ...quota,
      prevEligibleCalls: null,
      eligibleCalls: null,
      expectedCalls: null,
      hashCutoff: priorCutoff,
      randomTarget: quota.quota,
      randomBefore: r.random_before,
    };
  }
  // an exemption month draws from calls of any length; otherwise only normal-length calls
  const exempt = quota.mode === 'exemption';
  const prevEligibleCalls = exempt ? r.prev_calls : r.prev_normal;
  const eligibleCalls = exempt ? r.month_calls : r.month_normal;
  const expectedCalls = expectedMonthCalls({
    prevEligibleCalls,
    eligibleCalls,
    prevStart: b.prevStart,
    monthStart: b.monthStart,
    monthEnd: b.monthEnd,
    through: ctx.through,
  });
  return {
    agentId: r.agent_id,
    ...history,
    ...quota,
    prevEligibleCalls,
    eligibleCalls,
    expectedCalls,
    hashCutoff: higherCutoff(priorCutoff, hashCutoff(revealFraction(quota.quota, expectedCalls))),
    randomTarget: 0,
    randomBefore: r.random_before,
  };
}
