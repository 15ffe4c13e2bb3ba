/**
 * The job catalogue: every job, its payload and its retry policy. Payloads
 * carry ids only — never audio, transcripts or customer data.
 */
export type JobName = 'transcribe' | 'score';

export interface JobPayload {
  callId: string;
}

export type Processor = (payload: JobPayload) => Promise<void>;

/** A missing handler is a compile error. */
export type Processors = Record<JobName, Processor>;

export interface JobPolicy {
  attempts: number;
  backoffMs: number;
  concurrency: number;
}

export const JOB_POLICIES: Record<JobName, JobPolicy> = {
  // ASR is CPU-bound: one at a time per process; scale with processes.
  transcribe: { attempts: 3, backoffMs: 5_000, concurrency: 1 },
  score: { attempts: 3, backoffMs: 2_000, concurrency: 4 },
};

/** The id a job gets in any queue: one live job per call and stage. */
export const jobId = (name: JobName, callId: string) => `${name}:${callId}`;
