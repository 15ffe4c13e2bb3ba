import type { JobName, JobPayload, Processors } from '../jobs.ts';

export interface AddOptions {
  /**
   * The call was caught mid-pipeline by a crash or restart: it goes ahead of
   * the waiting backlog, so work already begun finishes first.
   */
  resumed?: boolean;
}

/** What the pipeline needs from a queue, whether BullMQ on Redis or in-process. */
export interface JobQueue {
  /** Adds a job unless one for the same call and stage is already waiting or running. */
  add(name: JobName, payload: JobPayload, options?: AddOptions): Promise<void>;
  /** Starts consuming with these processors; `onFinalFailure` runs once a job will not be retried. */
  start(processors: Processors, onFinalFailure: FailureHandler): Promise<void>;
  close(): Promise<void>;
}

export type FailureHandler = (name: JobName, payload: JobPayload, error: unknown) => Promise<void>;
