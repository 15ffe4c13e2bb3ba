import type { Queryable } from '../../models/db.ts';
import { isMonth } from '../../models/input-checks.ts';
import {
  recomputeMonthScore,
  recordReviewMonthScore,
  recordReviewOutcome,
  type ScoreReason,
} from '../../models/score-repository.ts';

/** Who acts, and the transaction the change and its audit trail are written in. */
export interface ServiceContext {
  actor: { id: string };
  tx: Queryable;
}

/** A refused review, with a stable code (rendered into words at the edge) and an English message. */
export class ScoreReviewError extends Error {
  constructor(
    readonly code:
      'score_invalid' | 'reason_invalid' | 'month_invalid' | 'call_not_found' | 'agent_not_found',
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
 * now on; the agent's computed month score follows. The event, with who and
 * why, is the audit row. Scope checks arrive with accounts; until then every
 * actor may review.
 */
export async function overrideCallOutcome(
  { actor, tx }: ServiceContext,
  input: { callId: string; score: number; passed: boolean; reason?: ScoreReason },
  options: { timeZone: string },
): Promise<{ eventId: number; recordedAt: Date }> {
  checkScore(input.score, input.reason);
  const recorded = await recordReviewOutcome(tx, { ...input, recordedBy: actor.id }).catch(
    (error: { code?: string }) => {
      if (error.code === '23503')
        throw new ScoreReviewError('call_not_found', `call ${input.callId} does not exist`);
      throw error;
    },
  );
  await recomputeMonthScore(tx, input.callId, options.timeZone);
  return recorded;
}

/** A reviewer's verdict on an agent's month score ('YYYY-MM'): outranks computed and imported values. */
export async function overrideMonthScore(
  { actor, tx }: ServiceContext,
  input: { agentId: string; month: string; score: number; reason?: ScoreReason },
): Promise<{ eventId: number; recordedAt: Date }> {
  checkScore(input.score, input.reason);
  if (!isMonth(input.month))
    throw new ScoreReviewError('month_invalid', `month "${input.month}" is not YYYY-MM`);
  return recordReviewMonthScore(tx, { ...input, recordedBy: actor.id }).catch((error: { code?: string }) => {
    if (error.code === '23503')
      throw new ScoreReviewError('agent_not_found', `agent ${input.agentId} does not exist`);
    throw error;
  });
}
