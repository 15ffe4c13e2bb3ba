import { canSeeCall } from '../../models/access-repository.ts';
import { writeAudit } from '../../models/audit-repository.ts';
import { latestCallScore } from '../../models/call-score-repository.ts';
import type { Queryable } from '../../models/db.ts';
import { callScopeOf, may } from '../../models/permissions.ts';
import { insertReview, lockReviews, scorecardSource } from '../../models/review-repository.ts';
import { effectiveOutcome, recomputeMonthScore, recordReviewOutcome } from '../../models/score-repository.ts';
import type { CallScore } from '../../workers/scoring/call-score.ts';
import { parseScorecard } from '../../workers/scoring/parse-scorecard.ts';
import type { Scorecard } from '../../workers/scoring/scorecard-schema.ts';
import { ApiError } from '../api-error.ts';
import type { ReviewSaved, ReviewSubmission } from '../contracts/review.ts';
import { applyReview, ReviewInvalid } from './apply-review.ts';
import { auditFields, type ServiceContext } from './service-context.ts';

export const callNotFound = (callId: string) =>
  new ApiError(404, 'call_not_found', `call ${callId} does not exist`);

/** A call in the actor's scope, or 404 call_not_found exactly like a call that does not exist. */
export async function requireCallInScope(ctx: Pick<ServiceContext, 'actor' | 'tx'>, callId: string) {
  if (!(await canSeeCall(ctx.tx, callScopeOf(ctx.actor), callId))) throw callNotFound(callId);
}

/**
 * Scorecards are immutable per (id, version, sha256) — registerScorecard
 * refuses a changed one — so a parsed card is kept for the process's life.
 */
const cards = new Map<string, Scorecard>();

export async function scorecardOf(
  db: Queryable,
  id: string,
  version: number,
  /** The card's sha256 when the caller read it already: a parsed card is then used without reading its source. */
  knownSha256?: string,
): Promise<Scorecard | undefined> {
  const known = knownSha256 === undefined ? undefined : cards.get(`${id}@${version}:${knownSha256}`);
  if (known) return known;
  const stored = await scorecardSource(db, id, version);
  if (!stored) return undefined;
  const key = `${id}@${version}:${stored.sha256}`;
  let card = cards.get(key);
  if (!card) {
    card = parseScorecard(stored.source, `${id}@${version}`);
    cards.set(key, card);
  }
  return card;
}

/**
 * A reviewer's verdict on a call, in one transaction: the call's reviews are
 * locked, the base version checked (a newer one is a 409), the decisions
 * checked against the latest score and applied (apply-review.ts), the
 * version appended, a `review` outcome recorded (the sampler's neighbour and
 * adaptive rules read it, and it outranks the machine), the month score
 * recomputed and the audit row written. Any failure rolls all of it back.
 */
export async function submitReview(
  ctx: ServiceContext,
  callId: string,
  submission: ReviewSubmission,
  options: { timeZone: string },
): Promise<ReviewSaved> {
  const { actor, tx } = ctx;
  if (!may(actor, 'scores.review'))
    throw new ApiError(403, 'forbidden', `the ${actor.role} role may not review`);
  await requireCallInScope(ctx, callId);
  const latest = await lockReviews(tx, callId);
  if (latest === undefined) throw callNotFound(callId);
  if (submission.baseVersion !== latest) {
    throw new ApiError(
      409,
      'review_conflict',
      `call ${callId} has review version ${latest}; this review was made on version ${submission.baseVersion}`,
      { currentVersion: latest },
    );
  }
  const stored = await latestCallScore(tx, callId);
  if (!stored) throw new ApiError(400, 'review_invalid', `call ${callId} has no score to review`);
  const score = stored.result as CallScore;
  const card = await scorecardOf(tx, stored.scorecardId, stored.version);
  if (!card)
    throw new Error(`scorecard ${stored.scorecardId}@${stored.version} of call ${callId} is missing`);
  let total;
  try {
    total = applyReview(card, score.items, submission).total;
  } catch (error) {
    if (error instanceof ReviewInvalid) throw new ApiError(400, 'review_invalid', error.message);
    throw error;
  }
  if (submission.finalScore !== total.score && submission.comment.trim() === '') {
    throw new ApiError(
      400,
      'review_invalid',
      `the final score ${submission.finalScore} differs from the items' total ${total.score}: say why in the comment`,
    );
  }
  const before = await effectiveOutcome(tx, callId);
  const version = latest + 1;
  const event = await recordReviewOutcome(tx, {
    callId,
    score: submission.finalScore,
    passed: submission.passed,
    recordedBy: actor.username,
    reason: { code: 'qa_review', params: { version } },
  });
  await insertReview(tx, {
    callId,
    version,
    reviewerUserId: actor.userId,
    reviewer: actor.username,
    scorecardId: stored.scorecardId,
    scorecardVersion: stored.version,
    items: submission.items,
    addedDeductions: submission.addedDeductions,
    comment: submission.comment,
    computedScore: total.score,
    finalScore: submission.finalScore,
    passed: submission.passed,
    exemplary: submission.exemplary,
    exemplaryNote: submission.exemplaryNote,
    outcomeEventId: event.eventId,
  });
  await recomputeMonthScore(tx, callId, options.timeZone);
  await writeAudit(tx, {
    ...auditFields(ctx.audit),
    action: 'call_reviewed',
    target: `call:${callId}`,
    before: before
      ? { score: before.score, passed: before.passed, source: before.source, version: latest }
      : { version: latest },
    after: {
      version,
      computedScore: total.score,
      finalScore: submission.finalScore,
      passed: submission.passed,
      exemplary: submission.exemplary,
    },
  });
  return {
    version,
    computedScore: total.score,
    finalScore: submission.finalScore,
    passed: submission.passed,
  };
}
