import type { Queryable } from './db.ts';

/**
 * QA plans (migration 010): a month's reviewers with their quotas, and the
 * assignment of the month's scored picks to them (review_queue.assigned_to).
 * Months are 'YYYY-MM' here and first-of-month dates in SQL.
 */
export interface PlanReviewer {
  userId: number;
  username: string;
  quota: number;
}

export interface PlanRow {
  month: string;
  createdBy: string;
  createdAt: Date;
  reviewers: Array<PlanReviewer & { assigned: number; reviewed: number }>;
}

/** Active users by name with their role, for checking a plan's reviewers. */
export async function reviewerCandidates(
  db: Queryable,
  usernames: string[],
): Promise<Array<{ userId: number; username: string; role: string; disabled: boolean }>> {
  const { rows } = await db.query(
    `select user_id, username, role, disabled_at is not null as disabled from users where username = any($1::text[])`,
    [usernames],
  );
  return rows.map((r) => ({ userId: r.user_id, username: r.username, role: r.role, disabled: r.disabled }));
}

/** The plan's reviewers as they were, for the audit row's `before`. */
export async function planReviewers(db: Queryable, month: string): Promise<PlanReviewer[]> {
  const { rows } = await db.query(
    `select r.user_id, u.username, r.quota from qa_plan_reviewers r join users u using (user_id)
     where r.month = ($1 || '-01')::date order by r.position`,
    [month],
  );
  return rows.map((r) => ({ userId: r.user_id, username: r.username, quota: r.quota }));
}

/** Creates the month's plan or, when it exists, replaces its reviewers (assignments stay). */
export async function savePlan(
  db: Queryable,
  month: string,
  by: string,
  reviewers: Array<{ userId: number; quota: number }>,
): Promise<void> {
  await db.query(
    `insert into qa_plans (month, created_by, updated_by) values (($1 || '-01')::date, $2, $2)
     on conflict (month) do update set updated_by = excluded.updated_by, updated_at = now()`,
    [month, by],
  );
  await db.query(`delete from qa_plan_reviewers where month = ($1 || '-01')::date`, [month]);
  await db.query(
    `insert into qa_plan_reviewers (month, user_id, position, quota)
     select ($1 || '-01')::date, u.user_id, u.position, u.quota
     from unnest($2::bigint[], $3::int[]) with ordinality as u(user_id, quota, position)`,
    [month, reviewers.map((r) => r.userId), reviewers.map((r) => r.quota)],
  );
}

/**
 * Sampled calls of the month that were scored before they were picked (a
 * manual pick of a scored call) have no queue row yet: the triggers only see
 * scores saved for calls already in the sample. Adds them.
 */
export async function fillQueue(db: Queryable, month: string): Promise<number> {
  const { rowCount } = await db.query(
    `insert into review_queue (call_id, month, agent_id, reason, started_at, needs_review, auto_score,
                               auto_passed, score, passed)
     select s.call_id, s.month, s.agent_id, s.reason, c.started_at, cs.needs_review, cs.score, cs.passed,
            coalesce(o.score, cs.score), coalesce(o.passed, cs.passed)
     from sample_items s
     join calls c on c.call_id = s.call_id
     cross join lateral (
       select needs_review, score, passed from call_scores x where x.call_id = s.call_id
       order by x.created_at desc, x.scorecard_version desc limit 1) cs
     left join lateral effective_outcome(s.call_id, 'infinity') o on true
     where s.run_id in (select run_id from sampling_runs where month = ($1 || '-01')::date)
       and not exists (select 1 from review_queue q where q.call_id = s.call_id)
     on conflict (call_id) do nothing`,
    [month],
  );
  return rowCount ?? 0;
}

/**
 * Hands the month's unassigned queue rows to the plan's reviewers, each up to
 * their quota less what they already hold. Calls go needs-review first, then
 * round-robin over agents (each agent's calls by start time), and reviewers
 * take turns in plan order, so the result is deterministic and no agent's
 * calls all land on one reviewer. Returns how many calls were assigned.
 */
export async function assignMonth(db: Queryable, month: string, by: string): Promise<number> {
  const { rowCount } = await db.query(
    `with reviewers as (
       select r.user_id, r.position,
              greatest(r.quota - (select count(*) from review_queue q
                                  where q.assigned_to = r.user_id and q.month = r.month), 0) as remaining
       from qa_plan_reviewers r where r.month = ($1 || '-01')::date),
     slots as (
       select user_id, row_number() over (order by s.turn, r.position) as n
       from reviewers r cross join lateral generate_series(1, r.remaining) as s(turn)),
     open as (
       select call_id, row_number() over (order by review_first, turn, agent_id, call_id) as n
       from (select call_id, agent_id, review_first,
                    row_number() over (partition by review_first, agent_id order by started_at, call_id) as turn
             from review_queue where month = ($1 || '-01')::date and assigned_to is null) x)
     update review_queue q set assigned_to = slots.user_id, assigned_at = now(), assigned_by = $2
     from open join slots using (n)
     where q.call_id = open.call_id`,
    [month, by],
  );
  return rowCount ?? 0;
}

/** The plan with each reviewer's quota, assigned and reviewed counts; undefined when there is none. */
export async function getPlan(db: Queryable, month: string): Promise<PlanRow | undefined> {
  const { rows: plans } = await db.query(
    `select created_by, created_at from qa_plans where month = ($1 || '-01')::date`,
    [month],
  );
  if (!plans[0]) return undefined;
  const { rows } = await db.query(
    `select r.user_id, u.username, r.quota,
            count(q.call_id)::int as assigned, count(q.call_id) filter (where q.review_version > 0)::int as reviewed
     from qa_plan_reviewers r
     join users u using (user_id)
     left join review_queue q on q.assigned_to = r.user_id and q.month = r.month
     where r.month = ($1 || '-01')::date
     group by r.user_id, u.username, r.quota, r.position
     order by r.position`,
    [month],
  );
  return {
    month,
    createdBy: plans[0].created_by,
    createdAt: plans[0].created_at,
    reviewers: rows.map((r) => ({
      userId: r.user_id,
      username: r.username,
      quota: r.quota,
      assigned: r.assigned,
      reviewed: r.reviewed,
    })),
  };
}

/** The month's sample: picked, scored (in the queue), assigned, reviewed. */
export async function monthTotals(
  db: Queryable,
  month: string,
): Promise<{ sampled: number; scored: number; assigned: number; reviewed: number }> {
  const { rows } = await db.query(
    `select
       (select count(*) from sample_items s
        where s.run_id in (select run_id from sampling_runs where month = ($1 || '-01')::date))::int as sampled,
       count(*)::int as scored,
       count(*) filter (where assigned_to is not null)::int as assigned,
       count(*) filter (where review_version > 0)::int as reviewed
     from review_queue where month = ($1 || '-01')::date`,
    [month],
  );
  return rows[0];
}
