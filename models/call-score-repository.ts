import type { Queryable } from './db.ts';

export interface ScorecardRecord {
  scorecardId: string;
  version: number;
  name: string;
  language: string;
  appliesTo: unknown;
  source: string;
  sha256: string;
}

export class ScorecardVersionConflict extends Error {}

/**
 * Stores a scorecard version the first time it is used. The same id and
 * version with different content is refused: results must always be
 * explainable by the exact scorecard that produced them, so a change needs a
 * version bump.
 */
export async function registerScorecard(db: Queryable, card: ScorecardRecord): Promise<void> {
  await db.query(
    `insert into scorecards (scorecard_id, version, name, language, applies_to, source, sha256)
     values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing`,
    [
      card.scorecardId,
      card.version,
      card.name,
      card.language,
      JSON.stringify(card.appliesTo ?? null),
      card.source,
      card.sha256,
    ],
  );
  const { rows } = await db.query(`select sha256 from scorecards where scorecard_id = $1 and version = $2`, [
    card.scorecardId,
    card.version,
  ]);
  if (rows[0].sha256 !== card.sha256) {
    throw new ScorecardVersionConflict(
      `scorecard ${card.scorecardId} version ${card.version} differs from the one already used; bump its version`,
    );
  }
}

export interface StoredScore {
  callId: string;
  scorecardId: string;
  scorecardVersion: number;
  score: number;
  passed: boolean;
  autoFailed: boolean;
  needsReview: boolean;
  result: unknown;
}

/**
 * Saves a call's score (idempotent per call and scorecard version) and records
 * it as the call's automatic QA outcome, which drives the sampler's neighbour
 * rule unless an import or a review outranks it (migration 006). A repeat of
 * the latest automatic value (a retried job, an unchanged re-score) adds no event.
 */
export async function saveCallScore(db: Queryable, s: StoredScore): Promise<void> {
  await db.query(
    `with saved as (
       insert into call_scores (call_id, scorecard_id, scorecard_version, score, passed, auto_failed, needs_review, result)
       values ($1, $2, $3, $4, $5, $6, $7, $8)
       on conflict (call_id, scorecard_id, scorecard_version) do update set
         score = excluded.score, passed = excluded.passed, auto_failed = excluded.auto_failed,
         needs_review = excluded.needs_review, result = excluded.result, created_at = now()
       returning call_id)
     insert into call_outcome_events (call_id, source, score, passed)
     select call_id, 'automatic', $4, $5 from saved
     where not exists (
       select 1 from (
         select e.score, e.passed from call_outcome_events e
         where e.call_id = $1 and e.source = 'automatic'
         order by e.recorded_at desc, e.event_id desc limit 1) latest
       where latest.score = $4 and latest.passed = $5)`,
    [
      s.callId,
      s.scorecardId,
      s.scorecardVersion,
      s.score,
      s.passed,
      s.autoFailed,
      s.needsReview,
      JSON.stringify(s.result),
    ],
  );
}

/** Calls that were scored before and still have a transcript: what a re-score run covers. */
export async function scoredCallIds(db: Queryable): Promise<string[]> {
  const { rows } = await db.query(
    `select t.call_id from transcripts t
     where exists (select 1 from call_scores cs where cs.call_id = t.call_id) order by t.call_id`,
  );
  return rows.map((r) => r.call_id);
}

/** The newest stored result of a call (any scorecard), with its version. */
export async function latestCallScore(
  db: Queryable,
  callId: string,
): Promise<{ scorecardId: string; version: number; result: unknown } | undefined> {
  const { rows } = await db.query(
    `select scorecard_id, scorecard_version, result from call_scores where call_id = $1
     order by created_at desc, scorecard_version desc limit 1`,
    [callId],
  );
  const r = rows[0];
  return r ? { scorecardId: r.scorecard_id, version: r.scorecard_version, result: r.result } : undefined;
}

/** Every stored score of a call, newest first, with its full result (items and evidence). */
export async function callScoreHistory(db: Queryable, callId: string) {
  const { rows } = await db.query(
    `select scorecard_id, scorecard_version, score, passed, auto_failed, needs_review, result, created_at
     from call_scores where call_id = $1 order by created_at desc, scorecard_version desc`,
    [callId],
  );
  return rows.map((r) => ({
    scorecardId: r.scorecard_id as string,
    scorecardVersion: r.scorecard_version as number,
    score: r.score as number,
    passed: r.passed as boolean,
    autoFailed: r.auto_failed as boolean,
    needsReview: r.needs_review as boolean,
    createdAt: r.created_at as Date,
    result: r.result as unknown,
  }));
}
