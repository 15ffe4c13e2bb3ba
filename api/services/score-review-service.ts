import { canSeeCall } from '../../models/access-repository.ts';
import { writeAudit } from '../../models/audit-repository.ts';
import { isMonth } from '../../models/input-checks.ts';
import { callScopeOf, may } from '../../models/permissions.ts';
import {
  recomputeMonthScore,
  recordReviewMonthScore,
  recordReviewOutcome,
  effectiveMonthScore,
  effectiveOutcome,
  type ScoreReason,
} from '../../models/score-repository.ts';
import { auditFields, type ServiceContext } from './service-context.ts';

/** A refused review, with a stable code (rendered into words at the edge) and an English message. */
export class ScoreReviewError extends Error {
  constructor(
    readonly code:
      | 'forbidden'
      | 'score_invalid'
      | 'reason_invalid'
      | 'month_invalid'
      | 'call_not_found'
      | 'agent_not_found',
    message: string,
  ) {
    super(message);
  }
}

/** A reason is a code, never prose: the words belong to the UI's locale. */
const REASON_CODE = /^[a-z][a-z0-9_]{0,63}$/;

function checkScore(score: number, reason: ScoreReason | undefined) {
  if (!Number.isFinite(score) || score < 0 || score > 100) {
    throw new ScoreReviewError('score_invalid', `score ${score} is not between 0 and 100`);
  }
  if (reason && !REASON_CODE.test(reason.code)) {
    throw new ScoreReviewError('reason_invalid', 'a review reason is a code like "misheard_by_asr"');
  }
}

/**
 * A reviewer's verdict on a call (its total from workers/scoring/total-score.ts
 * when the reviewer changed items' verdicts). It is appended as a `review`
 * event — the machine's result stays in the history — and outranks it from
 * now on; the agent's computed month score follows. Only an actor with
 * `scores.review` may, and only on a call in their scope (else it is "not
 * found", like a missing call); the audit row is written in the same
 * transaction.
 */
export async function overrideCallOutcome(
  { actor, audit, tx }: ServiceContext,
  input: { callId: string; score: number; passed: boolean; reason?: ScoreReason },
  options: { timeZone: string },
): Promise<{ eventId: number; recordedAt: Date }> {
  if (!may(actor, 'scores.review'))
    throw new ScoreReviewError('forbidden', 'this role may not review scores');
  checkScore(input.score, input.reason);
  if (!(await canSeeCall(tx, callScopeOf(actor), input.callId))) {
    throw new ScoreReviewError('call_not_found', `call ${input.callId} does not exist`);
  }
  const before = await effectiveOutcome(tx, input.callId);
  const recorded = await recordReviewOutcome(tx, { ...input, recordedBy: actor.username }).catch(
    (error: { code?: string }) => {
      if (error.code === '23503')
        throw new ScoreReviewError('call_not_found', `call ${input.callId} does not exist`);
      throw error;
    },
  );
  await recomputeMonthScore(tx, input.callId, options.timeZone);
  await writeAudit(tx, {
    ...auditFields(audit),
    action: 'call_outcome_reviewed',
    target: `call:${input.callId}`,
    before: before ?? null,
    after: { score: input.score, passed: input.passed, reason: input.reason ?? null },
  });
  return recorded;
}

/** A reviewer's verdict on an agent's month score ('YYYY-MM'): outranks computed and imported values. */
export async function overrideMonthScore(
  { actor, audit, tx }: ServiceContext,
  input: { agentId: string; month: string; score: number; reason?: ScoreReason },
): Promise<{ eventId: number; recordedAt: Date }> {
  if (!may(actor, 'scores.review'))
    throw new ScoreReviewError('forbidden', 'this role may not review scores');
  checkScore(input.score, input.reason);
  if (!isMonth(input.month))
    throw new ScoreReviewError('month_invalid', `month "${input.month}" is not YYYY-MM`);
  const before = await effectiveMonthScore(tx, input.agentId, input.month);
  const recorded = await recordReviewMonthScore(tx, { ...input, recordedBy: actor.username }).catch(
    (error: { code?: string }) => {
      if (error.code === '23503')
        throw new ScoreReviewError('agent_not_found', `agent ${input.agentId} does not exist`);
      throw error;
    },
  );
  await writeAudit(tx, {
    ...auditFields(audit),
    action: 'month_score_reviewed',
    target: `agent:${input.agentId}:${input.month}`,
    before: before ?? null,
    after: { score: input.score, reason: input.reason ?? null },
  });
  return recorded;
}
