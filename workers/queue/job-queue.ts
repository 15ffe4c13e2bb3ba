import type { JobName, JobPayload, Processors } from '../jobs.ts';

/** What the pipeline needs from a queue, whether BullMQ on Redis or in-process. */
export interface JobQueue {
  /** Adds a job unless one for the same call and stage is already waiting or running. */
  add(name: JobName, payload: JobPayload): Promise<void>;
  /** Starts consuming with these processors; `onFinalFailure` runs once a job will not be retried. */
  start(processors: Processors, onFinalFailure: FailureHandler): Promise<void>;
  close(): Promise<void>;
}

export type FailureHandler = (name: JobName, payload: JobPayload, error: unknown) => Promise<void>;
