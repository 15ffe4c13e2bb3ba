import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { JOB_POLICIES, jobId, type JobName, type JobPayload, type Processors } from '../jobs.ts';
import { maxTries, retryDelayMs, willRetry } from '../retry-policy.ts';
import type { AddOptions, FailureHandler, JobQueue } from './job-queue.ts';

export interface BullMqOptions {
  redisUrl: string;
  /** Key prefix: lets tests (and several deployments) share one Redis. */
  prefix?: string;
  /** Milliseconds a job's lock lasts without renewal before it counts as stalled (a crashed worker). */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Connection-level errors (Redis down, …); BullMQ reconnects by itself. */
  onError?: (error: Error) => void;
}

const NAMES: JobName[] = ['transcribe', 'score'];

// A SIGKILLed worker's job is moved back to wait by another worker's stalled check once
// its lock has expired and it was already marked at the check before. The lock expires at
// most LOCK_DURATION after the kill and checks run every STALLED_INTERVAL, so the job moves
// within LOCK_DURATION + STALLED_INTERVAL = 15 s (62–96 s with 60 s / 30 s before). BullMQ
// puts a stalled job at the head of the wait list, so the next free worker takes it.
// Long ASR jobs stay safe: BullMQ renews every running job's lock every lockRenewTime
// (default LOCK_DURATION / 2 = 5 s) whatever the job's length, so a live worker loses a
// lock only if its event loop stalls for over 5 s; ASR runs in media threads, off that loop.
const LOCK_DURATION_MS = 10_000;
const STALLED_INTERVAL_MS = 5_000;
// A job is moved back this many times before BullMQ fails it (a recording that kills its
// worker each time); the call then stays begun in Postgres and the dispatcher resumes it.
const MAX_STALLED_COUNT = 2;
const BACKOFF_TYPE = 'callqa';

/**
 * BullMQ queues, one per job, shared by any number of worker processes on any
 * number of machines. A crashed worker's job is found stalled and retried by
 * another; processors are idempotent against Postgres, so that is safe.
 */
export class BullMqQueue implements JobQueue {
  private readonly connection: Redis;
  private readonly queues: Record<JobName, Queue>;
  private readonly workers: Worker[] = [];

  constructor(
    private readonly options: BullMqOptions,
    private readonly policies = JOB_POLICIES,
  ) {
    // BullMQ needs maxRetriesPerRequest null: a blocked worker must wait for Redis, not give up.
    this.connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    const prefix = options.prefix ?? 'callqa';
    this.queues = {
      transcribe: new Queue('transcribe', { connection: this.connection, prefix }),
      score: new Queue('score', { connection: this.connection, prefix }),
    };
  }

  async add(name: JobName, payload: JobPayload, options: AddOptions = {}): Promise<void> {
    await this.queues[name].add(name, payload, {
      jobId: jobId(name, payload.callId).replace(':', '-'),
      // BullMQ counts tries itself: it may make as many as the longest schedule allows, and
      // the processor wrapper below ends an ordinary error's run earlier.
      attempts: maxTries(this.policies[name]),
      backoff: { type: BACKOFF_TYPE },
      // Workers take from the head of the list; LIFO puts a resumed call there.
      lifo: options.resumed === true,
      removeOnComplete: true,
      removeOnFail: true,
    });
  }

  async start(processors: Processors, onFinalFailure: FailureHandler): Promise<void> {
    for (const name of NAMES) {
      const policy = this.policies[name];
      const worker = new Worker<JobPayload>(
        name,
        async (job: Job<JobPayload>) => {
          try {
            await processors[name](job.data);
          } catch (error) {
            if (willRetry(policy, job.attemptsMade + 1, error)) throw error;
            await onFinalFailure(name, job.data, error);
            throw new UnrecoverableError((error as Error)?.message ?? String(error));
          }
        },
        {
          connection: this.connection,
          prefix: this.options.prefix ?? 'callqa',
          concurrency: policy.concurrency,
          lockDuration: this.options.lockDurationMs ?? LOCK_DURATION_MS,
          stalledInterval: this.options.stalledIntervalMs ?? STALLED_INTERVAL_MS,
          maxStalledCount: MAX_STALLED_COUNT,
          // attemptsMade here is the number of tries made, the failed one included.
          settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(policy, attemptsMade) },
        },
      );
      // Job errors are recorded on the call by the wrapper above; these are connection errors.
      worker.on('error', (error) => this.options.onError?.(error));
      this.workers.push(worker);
    }
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await Promise.all(NAMES.map((n) => this.queues[n].close()));
    await this.connection.quit().catch(() => {});
  }
}
