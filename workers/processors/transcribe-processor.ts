import type pg from 'pg';
import { getCall, type Call } from '../../models/call-repository.ts';
import { beginStage, getProcessing, saveTranscript } from '../../models/pipeline-repository.ts';
import type { Transcript } from '../../models/transcript.ts';
import type { Processor } from '../jobs.ts';
import { PermanentError } from '../permanent-error.ts';
import type { JobQueue } from '../queue/job-queue.ts';

export interface TranscribedCall {
  transcript: Transcript;
  model?: string;
  timings?: Record<string, number>;
}

export interface TranscribeDeps {
  pool: pg.Pool;
  queue: Pick<JobQueue, 'add'>;
  /** fetch → decode → VAD → ASR; throws errors with `permanent: true` for bad audio. */
  transcribeRecording: (call: Call) => Promise<TranscribedCall>;
}

/** transcribe: recording → speaker-attributed transcript, then queue scoring. Redelivery is a no-op. */
export function transcribeProcessor(deps: TranscribeDeps): Processor {
  return async ({ callId }) => {
    if (!(await beginStage(deps.pool, callId, ['pending', 'transcribing'], 'transcribing'))) {
      const state = (await getProcessing(deps.pool, callId))?.state;
      if (state === 'transcribed') await deps.queue.add('score', { callId });
      return;
    }
    const call = await getCall(deps.pool, callId);
    if (!call) throw new PermanentError('call_missing', `call ${callId} no longer exists`);
    const { transcript, model, timings } = await deps.transcribeRecording(call);
    await saveTranscript(deps.pool, transcript, { model, timings });
    await deps.queue.add('score', { callId });
  };
}
