import type pg from 'pg';
import { markFailed } from '../models/pipeline-repository.ts';
import { dispatchOnce, startDispatcher, type DispatcherLog } from './dispatcher.ts';
import type { JobName } from './jobs.ts';
import { failureCode } from './permanent-error.ts';
import { scoreProcessor, type ScoreDeps } from './processors/score-processor.ts';
import { transcribeProcessor, type TranscribeDeps } from './processors/transcribe-processor.ts';
import type { JobQueue } from './queue/job-queue.ts';

const STAGE: Record<JobName, string> = { transcribe: 'transcribe', score: 'score' };

export interface PipelineDeps {
  pool: pg.Pool;
  queue: JobQueue;
  transcribeRecording: TranscribeDeps['transcribeRecording'];
  scoreCall: ScoreDeps['scoreCall'];
  log: DispatcherLog;
  dispatchIntervalMs?: number;
}

export interface Pipeline {
  stop(): Promise<void>;
}

/**
 * Wires the processors to a queue (in-process or BullMQ), records final
 * failures on the call, and starts the dispatcher that feeds the queue from
 * Postgres.
 */
export async function startPipeline(deps: PipelineDeps): Promise<Pipeline> {
  const { pool, queue } = deps;
  // Queue what is open before consuming, so calls a restart interrupted are all in their
  // lane ahead of the backlog when the first job is taken.
  await dispatchOnce(pool, queue);
  await queue.start(
    {
      transcribe: transcribeProcessor({ pool, queue, transcribeRecording: deps.transcribeRecording }),
      score: scoreProcessor({ pool, scoreCall: deps.scoreCall }),
    },
    async (name, { callId }, error) => {
      await markFailed(
        pool,
        callId,
        STAGE[name],
        failureCode(error),
        (error as Error)?.message ?? String(error),
      );
    },
  );
  const stopDispatcher = startDispatcher(pool, queue, deps.log, deps.dispatchIntervalMs);
  return {
    async stop() {
      stopDispatcher();
      await queue.close();
    },
  };
}
