import type pg from 'pg';
import { getCall, type Call } from '../../models/call-repository.ts';
import { beginStage, getTranscript, markScored } from '../../models/pipeline-repository.ts';
import type { Transcript } from '../../models/transcript.ts';
import type { Processor } from '../jobs.ts';
import { PermanentError } from '../permanent-error.ts';

export interface ScoreDeps {
  pool: pg.Pool;
  /** Scores a transcript and stores the result (idempotent per call and scorecard version). */
  scoreCall: (call: Call, transcript: Transcript) => Promise<unknown>;
}

/** score: transcript → QA score with evidence. Redelivery is a no-op. */
export function scoreProcessor(deps: ScoreDeps): Processor {
  return async ({ callId }) => {
    if (!(await beginStage(deps.pool, callId, ['transcribed', 'scoring'], 'scoring'))) return;
    const [call, transcript] = await Promise.all([
      getCall(deps.pool, callId),
      getTranscript(deps.pool, callId),
    ]);
    if (!call) throw new PermanentError('call_missing', `call ${callId} no longer exists`);
    if (!transcript) throw new PermanentError('no_transcript', `call ${callId} has no transcript to score`);
    await deps.scoreCall(call, transcript);
    await markScored(deps.pool, callId);
  };
}
