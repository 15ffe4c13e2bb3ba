import type { Queryable } from './db.ts';

export interface MonthScore {
  agentId: string;
  /** 'YYYY-MM' */
  month: string;
  score: number;
}

/** Records agents' final monthly QA scores (上月服务得分), which drive adaptive quotas. */
export async function upsertMonthScores(
  db: Queryable,
  scores: MonthScore[],
  source = 'import',
): Promise<void> {
  if (scores.length === 0) return;
  await db.query(
    `insert into agent_month_scores (agent_id, month, score, source)
     select a, (m || '-01')::date, s, $4 from unnest($1::text[], $2::text[], $3::numeric[]) as u(a, m, s)
     on conflict (agent_id, month) do update set score = excluded.score, source = excluded.source,
       recorded_at = now()
     where agent_month_scores.score is distinct from excluded.score`,
    [scores.map((s) => s.agentId), scores.map((s) => s.month), scores.map((s) => s.score), source],
  );
}

export interface QaOutcome {
  callId: string;
  score: number;
  passed: boolean;
}

/** Records reviewed calls' outcomes; a failed sampled call brings its neighbours into the sample. */
export async function upsertQaOutcomes(
  db: Queryable,
  outcomes: QaOutcome[],
  source = 'import',
): Promise<void> {
  if (outcomes.length === 0) return;
  await db.query(
    `insert into qa_outcomes (call_id, score, passed, source)
     select * , $4 from unnest($1::text[], $2::numeric[], $3::boolean[])
     on conflict (call_id) do update set score = excluded.score, passed = excluded.passed,
       source = excluded.source, recorded_at = now()`,
    [outcomes.map((o) => o.callId), outcomes.map((o) => o.score), outcomes.map((o) => o.passed), source],
  );
}
