import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { isPermanent } from '../permanent-error.ts';
import { JOB_POLICIES, jobId, type JobName, type JobPayload, type Processors } from '../jobs.ts';
import type { FailureHandler, JobQueue } from './job-queue.ts';

export interface BullMqOptions {
  redisUrl: string;
  /** Key prefix: lets tests (and several deployments) share one Redis. */
  prefix?: string;
  /** Seconds a job's lock lasts without renewal before it counts as stalled (a crashed worker). */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Connection-level errors (Redis down, …); BullMQ reconnects by itself. */
  onError?: (error: Error) => void;
}

const NAMES: JobName[] = ['transcribe', 'score'];

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

  async add(name: JobName, payload: JobPayload): Promise<void> {
    const policy = this.policies[name];
    await this.queues[name].add(name, payload, {
      jobId: jobId(name, payload.callId).replace(':', '-'),
      attempts: policy.attempts,
      backoff: { type: 'exponential', delay: policy.backoffMs },
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
            const lastAttempt = job.attemptsMade + 1 >= policy.attempts;
            if (isPermanent(error) || lastAttempt) await onFinalFailure(name, job.data, error);
            if (isPermanent(error)) throw new UnrecoverableError((error as Error).message);
            throw error;
          }
        },
        {
          connection: this.connection,
          prefix: this.options.prefix ?? 'callqa',
          concurrency: policy.concurrency,
          lockDuration: this.options.lockDurationMs ?? 60_000,
          stalledInterval: this.options.stalledIntervalMs ?? 30_000,
          maxStalledCount: 2,
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
