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

/**
 * How a job is retried (workers/retry-policy.ts applies it, in both queues).
 * The delay before retry n is backoffMs·2^(n−1), capped at maxBackoffMs.
 */
export interface RetryPolicy {
  /** Tries in all for an ordinary transient error (a recording server timing out, say). */
  attempts: number;
  backoffMs: number;
  maxBackoffMs: number;
  /**
   * Tries in all while PostgreSQL or Redis cannot be reached: every job fails
   * at once then, so the schedule must outlast the outage, not the job.
   */
  outageAttempts: number;
}

export interface JobPolicy extends RetryPolicy {
  concurrency: number;
}

// Ordinary errors: 3 tries within ~15 s (transcribe) or ~6 s (score), as before.
// Outages: both schedules add up to ≥ 120 s of waiting (transcribe 5+10+15×7 = 120 s,
// score 2+4+8+15×8 = 134 s), twice a 60 s database or Redis restart; the 15 s cap keeps
// a job from sleeping long after the store is back (30 s cost up to 30 s more in the
// chaos run), and a failing try against a store that is down costs next to nothing.
export const JOB_POLICIES: Record<JobName, JobPolicy> = {
  // ASR is CPU-bound: one at a time per process; scale with processes.
  transcribe: { attempts: 3, backoffMs: 5_000, maxBackoffMs: 15_000, outageAttempts: 10, concurrency: 1 },
  score: { attempts: 3, backoffMs: 2_000, maxBackoffMs: 15_000, outageAttempts: 12, concurrency: 4 },
};

/** The id a job gets in any queue: one live job per call and stage. */
export const jobId = (name: JobName, callId: string) => `${name}:${callId}`;
