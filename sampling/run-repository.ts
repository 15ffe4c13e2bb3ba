import type pg from 'pg';
import type { Queryable } from '../models/db.ts';
import { sqlLimit, withTransaction } from '../models/db.ts';
import type { SampleReason } from './params.ts';

export interface RunListing {
  runId: number;
  kind: string;
  month: string;
  through: Date;
  seed: string;
  createdAt: Date;
  selected: number;
}

export interface RunAgent {
  agentId: string;
  mode: string;
  prevMonthCalls: number;
  monthCalls: number;
  lastScore: number | null;
  multiplier: number;
  quota: number;
  randomTarget: number;
  randomBefore: number;
  /** The month's eligible calls a daily run sized its hash cut-off for (null on runs that close a month). */
  expectedCalls: number | null;
  /** The hash cut-off (signed 64-bit, decimal): eligible calls hashing below it were picked. */
  hashCutoff: string | null;
  picked: Partial<Record<SampleReason, number>>;
}

export interface RunItem {
  callId: string;
  agentId: string;
  startedAt: Date;
  durationS: number;
  reason: SampleReason;
  detail: Record<string, unknown> | null;
}

export interface RunDetail extends RunListing {
  params: unknown;
  /** Absent when asked without (the API sends it on a run's first page only). */
  agents?: RunAgent[];
  items: RunItem[];
  itemsTruncated: boolean;
}

/** Runs newest first; `before`: only runs older than this one (the keyset cursor of the API's pages). */
export async function listRuns(db: Queryable, limit: number, before?: number): Promise<RunListing[]> {
  const { rows } = await db.query(
    `select run_id, kind, month, through, seed, created_at, coalesce((summary->>'selected')::int, 0) as selected
     from sampling_runs where ($2::bigint is null or run_id < $2) order by run_id desc limit $1`,
    [limit, before ?? null],
  );
  return rows.map(toListing);
}

/** A run with the quota maths of every agent it touched and its picks (one agent's, or the first itemLimit). */
export async function getRun(
  db: Queryable,
  runId: number,
  /** `inScope`: only these agents' quota rows and picks (a supervisor's teams); undefined means all. */
  options: { agent?: string; itemLimit: number; inScope?: readonly string[] },
): Promise<RunDetail | undefined> {
  const header = await getRunHeader(db, runId, options);
  if (!header) return undefined;
  const items = await db.query(
    `select s.call_id, s.agent_id, c.started_at, c.duration_s, s.reason, s.detail
     from sample_items s join calls c using (call_id)
     where s.run_id = $1 and ($2::text is null or s.agent_id = $2) and ($4::text[] is null or s.agent_id = any($4))
     order by s.agent_id, c.started_at limit $3`,
    [runId, options.agent ?? null, options.itemLimit + 1, options.inScope ?? null],
  );
  return {
    ...header,
    items: items.rows.slice(0, options.itemLimit).map(toItem),
    itemsTruncated: items.rows.length > options.itemLimit,
  };
}

export type RunHeader = Omit<RunDetail, 'items' | 'itemsTruncated'>;

/**
 * A run with the quota maths of every agent it touched (one agent's; only
 * `inScope` agents), without its picks; `withAgents: false` leaves the quota
 * maths out (a run of the whole centre has a thousand agents).
 */
export async function getRunHeader(
  db: Queryable,
  runId: number,
  options: { agent?: string; inScope?: readonly string[]; withAgents?: boolean },
): Promise<RunHeader | undefined> {
  const run = await db.query({
    name: 'run-header',
    text: `select run_id, kind, month, through, seed, created_at, params,
            coalesce((summary->>'selected')::int, 0) as selected
     from sampling_runs where run_id = $1`,
    values: [runId],
  });
  if (!run.rows[0]) return undefined;
  const header = { ...toListing(run.rows[0]), params: run.rows[0].params };
  if (options.withAgents === false) return header;
  // Picks per agent and reason come from sampling_run_pick_counts (migration 011), kept as picks are written.
  const cut = agentCut(options);
  const agents = await db.query({
    name: `run-header-agents:${cut.shape}`,
    text: `select a.agent_id, a.mode, a.prev_month_calls, a.month_calls, a.last_score, a.multiplier, a.quota,
            a.random_target, a.random_before, a.expected_calls, a.hash_cutoff::text,
            coalesce(p.picked, '{}') as picked
     from sampling_run_agents a
     left join lateral (select jsonb_object_agg(k.reason, k.picks) as picked from sampling_run_pick_counts k
                        where k.run_id = a.run_id and k.agent_id = a.agent_id) p on true
     where ${['a.run_id = $1', ...cut.where('a')].join(' and ')}
     union all
     -- agents picked without a quota row (manual picks, neighbours of agents idle this month)
     select k.agent_id, 'none', 0, 0, null, 1, 0, 0, 0, null, null, jsonb_object_agg(k.reason, k.picks)
     from sampling_run_pick_counts k
     where ${['k.run_id = $1', ...cut.where('k')].join(' and ')}
       and not exists (select 1 from sampling_run_agents a where a.run_id = $1 and a.agent_id = k.agent_id)
     group by k.agent_id
     order by 1`,
    values: [runId, ...cut.values],
  });
  return {
    ...header,
    agents: agents.rows.map((a) => ({
      agentId: a.agent_id,
      mode: a.mode,
      prevMonthCalls: a.prev_month_calls,
      monthCalls: a.month_calls,
      lastScore: a.last_score,
      multiplier: a.multiplier,
      quota: a.quota,
      randomTarget: a.random_target,
      randomBefore: a.random_before,
      expectedCalls: a.expected_calls,
      hashCutoff: a.hash_cutoff,
      picked: a.picked,
    })),
  };
}

/** One page of a run's picks, in (agent, call id) order, and how many picks it holds per reason. */
export interface RunItemPage {
  items: RunItem[];
  /** The last call id of this page: pass it as `after` for the next one; null on the last page. */
  nextCursor: string | null;
  /** Picks per reason over the whole run (scope and agent filter applied, the reason filter not). */
  totals: Partial<Record<SampleReason, number>>;
}

export class CursorError extends Error {}

/**
 * A page of a run's picks. Keyset paging on (agent_id, call_id): a page costs
 * the same wherever it starts (an offset re-reads every earlier row), and a
 * pick added meanwhile (a manual one) neither shifts nor repeats rows. The
 * cursor is the last call id of the previous page (call ids are unique across
 * runs); one not among the run's picks is refused.
 */
export async function listRunItems(
  db: Queryable,
  runId: number,
  options: {
    agent?: string;
    reason?: SampleReason;
    after?: string;
    limit: number;
    inScope?: readonly string[];
  },
): Promise<RunItemPage> {
  let from: { agent_id: string; call_id: string } | undefined;
  if (options.after !== undefined) {
    const cursor = await db.query({
      name: 'run-page-cursor',
      text: `select agent_id, call_id from sample_items where call_id = $1 and run_id = $2`,
      values: [options.after, runId],
    });
    from = cursor.rows[0];
    if (!from) throw new CursorError(`"${options.after}" is not a pick of run ${runId}`);
  }
  // Only the predicates in use, each shape prepared under its own name (as the review queue's
  // page): parsed and planned once per connection, and a generic plan without `$n is null or …`
  // keeps the (run_id, agent_id, call_id) order of sample_items_run_page.
  const cut = agentCut(options);
  const values: unknown[] = [runId, ...cut.values];
  const shape = [cut.shape];
  const where = [`s.run_id = $1`, ...cut.where('s')];
  if (options.reason !== undefined) {
    shape.push('reason');
    where.push(`s.reason = $${values.push(options.reason)}::text`);
  }
  if (from) {
    shape.push('after');
    where.push(
      `(s.agent_id, s.call_id) > ($${values.push(from.agent_id)}::text, $${values.push(from.call_id)}::text)`,
    );
  }
  const items = await db.query({
    name: `run-page:${shape.join(',')}:${options.limit}`,
    text: `select s.call_id, s.agent_id, c.started_at, c.duration_s, s.reason, s.detail
     from sample_items s join calls c using (call_id)
     where ${where.join(' and ')}
     order by s.agent_id, s.call_id limit ${sqlLimit(options.limit + 1)}`,
    values,
  });
  // Totals from the counts kept as picks are written (migration 011): per run and reason when
  // nothing is cut, else summed over the agents in the cut.
  const totals =
    cut.shape === 'all'
      ? await db.query({
          name: 'run-page-totals',
          text: `select reason, picks as n from sampling_run_reason_counts where run_id = $1 order by reason`,
          values: [runId],
        })
      : await db.query({
          name: `run-page-totals:${cut.shape}`,
          text: `select reason, sum(picks)::int as n from sampling_run_pick_counts k
           where k.run_id = $1 and ${cut.where('k').join(' and ')} group by reason order by reason`,
          values: [runId, ...cut.values],
        });
  const page = items.rows.slice(0, options.limit).map(toItem);
  return {
    items: page,
    nextCursor: items.rows.length > options.limit ? page[page.length - 1].callId : null,
    totals: Object.fromEntries(totals.rows.map((r) => [r.reason, r.n])),
  };
}

/** The agent filter and the scope as predicates on `$2`, `$3` (what is in use, named by `shape`). */
function agentCut(options: { agent?: string; inScope?: readonly string[] }) {
  const values: unknown[] = [];
  const parts: Array<(alias: string) => string> = [];
  if (options.agent !== undefined) {
    const n = values.push(options.agent) + 1;
    parts.push((alias) => `${alias}.agent_id = $${n}::text`);
  }
  if (options.inScope !== undefined) {
    const n = values.push(options.inScope) + 1;
    parts.push((alias) => `${alias}.agent_id = any($${n}::text[])`);
  }
  const shape = [options.agent !== undefined ? 'agent' : '', options.inScope !== undefined ? 'scope' : '']
    .filter(Boolean)
    .join('+');
  return {
    shape: shape || 'all',
    values,
    where: (alias: string) => parts.map((part) => part(alias)),
  };
}

export class ManualPickError extends Error {
  constructor(
    message: string,
    readonly code: 'call_not_found' | 'already_sampled',
  ) {
    super(message);
  }
}

/** QA staff add a call by hand (reason manual); recorded as a run of its own for the audit trail. */
export async function addManualPick(
  pool: pg.Pool,
  callId: string,
  note: string | undefined,
  timeZone: string,
): Promise<{ runId: number }> {
  return withTransaction(pool, (tx) => insertManualPick(tx, callId, note, timeZone));
}

/** addManualPick inside the caller's transaction. */
export async function insertManualPick(
  tx: Queryable,
  callId: string,
  note: string | undefined,
  timeZone: string,
): Promise<{ runId: number }> {
  const call = await tx.query(
    `select agent_id, date_trunc('month', started_at at time zone $2)::date as month from calls where call_id = $1`,
    [callId, timeZone],
  );
  if (!call.rows[0]) throw new ManualPickError(`call ${callId} does not exist`, 'call_not_found');
  const existing = await tx.query(`select run_id, reason from sample_items where call_id = $1`, [callId]);
  if (existing.rows[0]) {
    const { run_id, reason } = existing.rows[0];
    throw new ManualPickError(
      `call ${callId} is already sampled (run ${run_id}, ${reason})`,
      'already_sampled',
    );
  }
  const { agent_id: agentId, month } = call.rows[0];
  const run = await tx.query<{ run_id: number }>(
    `insert into sampling_runs (kind, month, through, time_zone, seed, params, finished_at, summary)
     values ('manual_pick', $1, now(), $2, '', '{}', now(), '{"selected": 1, "byReason": {"manual": 1}}')
     returning run_id`,
    [month, timeZone],
  );
  const runId = run.rows[0].run_id;
  await tx.query(
    `insert into sample_items (call_id, run_id, agent_id, month, reason, detail) values ($1, $2, $3, $4, 'manual', $5)`,
    [callId, runId, agentId, month, JSON.stringify(note ? { note } : {})],
  );
  return { runId };
}

function toListing(row: Record<string, unknown>): RunListing {
  return {
    runId: row.run_id as number,
    kind: row.kind as string,
    month: row.month as string,
    through: row.through as Date,
    seed: row.seed as string,
    createdAt: row.created_at as Date,
    selected: row.selected as number,
  };
}

function toItem(row: Record<string, unknown>): RunItem {
  return {
    callId: row.call_id as string,
    agentId: row.agent_id as string,
    startedAt: row.started_at as Date,
    durationS: row.duration_s as number,
    reason: row.reason as SampleReason,
    detail: row.detail as RunItem['detail'],
  };
}
