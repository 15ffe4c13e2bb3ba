import type { Queryable } from './db.ts';

/**
 * Scores as history (migration 006): every recorded outcome and month score
 * is an append-only event; the value in force comes from one precedence rule
 * in SQL (`effective_outcome(call, as_of)`, `effective_month_score(agent,
 * month, as_of)` and their all-keys forms): review > imported >
 * automatic/computed, the latest within a source.
 */
export type OutcomeSource = 'automatic' | 'imported' | 'review';
export type MonthScoreSource = 'computed' | 'imported' | 'review';

/** Why a value was recorded: a stable code plus parameters, rendered into words at the edge. */
export interface ScoreReason {
  code: string;
  params?: Record<string, string | number | boolean>;
}

export interface MonthScore {
  agentId: string;
  /** 'YYYY-MM' */
  month: string;
  score: number;
}

export interface QaOutcome {
  callId: string;
  score: number;
  passed: boolean;
}

/**
 * Records agents' final monthly QA scores from outside (上月服务得分), which
 * drive adaptive quotas. A value equal to the latest imported one adds nothing,
 * so re-importing a file is a no-op.
 */
export async function importMonthScores(db: Queryable, scores: MonthScore[]): Promise<void> {
  if (scores.length === 0) return;
  await db.query(
    `insert into agent_month_score_events (agent_id, month, source, score)
     select u.a, (u.m || '-01')::date, 'imported', u.s from unnest($1::text[], $2::text[], $3::numeric[]) as u(a, m, s)
     where u.s is distinct from (
       select e.score from agent_month_score_events e
       where e.agent_id = u.a and e.month = (u.m || '-01')::date and e.source = 'imported'
       order by e.recorded_at desc, e.event_id desc limit 1)`,
    [scores.map((s) => s.agentId), scores.map((s) => s.month), scores.map((s) => s.score)],
  );
}

/**
 * Records reviewed calls' outcomes from outside; a failed sampled call brings
 * its neighbours into the sample. A value equal to the latest imported one
 * adds nothing.
 */
export async function importQaOutcomes(db: Queryable, outcomes: QaOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  await db.query(
    `insert into call_outcome_events (call_id, source, score, passed)
     select u.c, 'imported', u.s, u.p from unnest($1::text[], $2::numeric[], $3::boolean[]) as u(c, s, p)
     where not exists (
       select 1 from (
         select e.score, e.passed from call_outcome_events e
         where e.call_id = u.c and e.source = 'imported'
         order by e.recorded_at desc, e.event_id desc limit 1) latest
       where latest.score = u.s and latest.passed = u.p)`,
    [outcomes.map((o) => o.callId), outcomes.map((o) => o.score), outcomes.map((o) => o.passed)],
  );
}

/** A person's verdict on a call: always recorded, even when it confirms the value in force. */
export async function recordReviewOutcome(
  db: Queryable,
  outcome: QaOutcome & { recordedBy: string; reason?: ScoreReason },
): Promise<{ eventId: number; recordedAt: Date }> {
  const { rows } = await db.query(
    `insert into call_outcome_events (call_id, source, score, passed, recorded_by, reason)
     values ($1, 'review', $2, $3, $4, $5) returning event_id, recorded_at`,
    [
      outcome.callId,
      outcome.score,
      outcome.passed,
      outcome.recordedBy,
      JSON.stringify(outcome.reason ?? null),
    ],
  );
  return { eventId: rows[0].event_id, recordedAt: rows[0].recorded_at };
}

/** A person's verdict on an agent's month score: outranks the computed and imported values. */
export async function recordReviewMonthScore(
  db: Queryable,
  score: MonthScore & { recordedBy: string; reason?: ScoreReason },
): Promise<{ eventId: number; recordedAt: Date }> {
  const { rows } = await db.query(
    `insert into agent_month_score_events (agent_id, month, source, score, recorded_by, reason)
     values ($1, ($2 || '-01')::date, 'review', $3, $4, $5) returning event_id, recorded_at`,
    [score.agentId, score.month, score.score, score.recordedBy, JSON.stringify(score.reason ?? null)],
  );
  return { eventId: rows[0].event_id, recordedAt: rows[0].recorded_at };
}

/**
 * The computed month score of the agent and month of `callId`: the mean of
 * the outcomes in force of that agent's calls in that month, so a human
 * override moves it. Appended only when it differs from the latest computed
 * value; an imported or reviewed month score still outranks it.
 */
export async function recomputeMonthScore(db: Queryable, callId: string, timeZone: string): Promise<void> {
  await db.query(
    `with target as (
       select agent_id, date_trunc('month', started_at at time zone $2)::date as month from calls where call_id = $1),
     mean as (
       select t.agent_id, t.month, round(avg(o.score), 2) as score
       from target t
       join calls c on c.agent_id = t.agent_id
         and c.started_at >= t.month::timestamp at time zone $2
         and c.started_at < (t.month + interval '1 month')::timestamp at time zone $2
       cross join lateral effective_outcome(c.call_id, 'infinity') o
       group by t.agent_id, t.month)
     insert into agent_month_score_events (agent_id, month, source, score)
     select m.agent_id, m.month, 'computed', m.score from mean m
     where m.score is distinct from (
       select e.score from agent_month_score_events e
       where e.agent_id = m.agent_id and e.month = m.month and e.source = 'computed'
       order by e.recorded_at desc, e.event_id desc limit 1)`,
    [callId, timeZone],
  );
}

export interface EffectiveValue {
  score: number;
  source: string;
  recordedAt: Date;
  recordedBy: string | null;
}

/** The outcome of a call in force at `asOf` (default: now), or undefined when none was recorded by then. */
export async function effectiveOutcome(
  db: Queryable,
  callId: string,
  asOf: Date | string = 'infinity',
): Promise<(EffectiveValue & { passed: boolean }) | undefined> {
  const { rows } = await db.query(
    `select score, passed, source, recorded_at, recorded_by from effective_outcome($1, $2)`,
    [callId, asOf],
  );
  const r = rows[0];
  return r
    ? {
        score: r.score,
        passed: r.passed,
        source: r.source,
        recordedAt: r.recorded_at,
        recordedBy: r.recorded_by,
      }
    : undefined;
}

/** An agent's month score in force at `asOf` (default: now). `month` is 'YYYY-MM'. */
export async function effectiveMonthScore(
  db: Queryable,
  agentId: string,
  month: string,
  asOf: Date | string = 'infinity',
): Promise<EffectiveValue | undefined> {
  const { rows } = await db.query(
    `select score, source, recorded_at, recorded_by from effective_month_score($1, ($2 || '-01')::date, $3)`,
    [agentId, month, asOf],
  );
  const r = rows[0];
  return r
    ? { score: r.score, source: r.source, recordedAt: r.recorded_at, recordedBy: r.recorded_by }
    : undefined;
}

/** Every outcome ever recorded for a call, oldest first: the audit trail a reviewer sees. */
export async function outcomeHistory(db: Queryable, callId: string) {
  const { rows } = await db.query(
    `select event_id, source, score, passed, recorded_at, recorded_by, reason from call_outcome_events
     where call_id = $1 order by recorded_at, event_id`,
    [callId],
  );
  return rows.map((r) => ({
    eventId: r.event_id as number,
    source: r.source as OutcomeSource,
    score: r.score as number,
    passed: r.passed as boolean,
    recordedAt: r.recorded_at as Date,
    recordedBy: r.recorded_by as string | null,
    reason: r.reason as ScoreReason | null,
  }));
}
