import { JOB_POLICIES, jobId, type JobName, type JobPayload, type Processors } from '../jobs.ts';
import { retryDelayMs, willRetry } from '../retry-policy.ts';
import type { AddOptions, FailureHandler, JobQueue } from './job-queue.ts';

interface Waiting {
  payload: JobPayload;
  attempt: number;
}

/**
 * The queue of the embedded default (no REDIS_URL): the same processors and
 * retry policy as BullMQ, run in this process with bounded concurrency per
 * job. Nothing is persisted here — the pipeline state in Postgres is, and the
 * dispatcher re-queues unfinished calls after a restart, those caught
 * mid-stage in a lane of their own that is served first.
 */
export class InProcessQueue implements JobQueue {
  private readonly waiting: Record<JobName, Waiting[]> = { transcribe: [], score: [] };
  private readonly resumed: Record<JobName, Waiting[]> = { transcribe: [], score: [] };
  private readonly running: Record<JobName, number> = { transcribe: 0, score: 0 };
  private readonly known = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private processors?: Processors;
  private onFinalFailure?: FailureHandler;
  private closed = false;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(private readonly policies = JOB_POLICIES) {}

  async add(name: JobName, payload: JobPayload, options: AddOptions = {}): Promise<void> {
    const id = jobId(name, payload.callId);
    if (this.closed || this.known.has(id)) return;
    this.known.add(id);
    (options.resumed ? this.resumed : this.waiting)[name].push({ payload, attempt: 1 });
    this.pump(name);
  }

  async start(processors: Processors, onFinalFailure: FailureHandler): Promise<void> {
    this.processors = processors;
    this.onFinalFailure = onFinalFailure;
    this.pump('transcribe');
    this.pump('score');
  }

  /** Resolves when nothing is waiting, running or scheduled for retry (tests and CLI batch runs). */
  idle(): Promise<void> {
    if (this.known.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const lane of [this.waiting, this.resumed]) {
      lane.transcribe.length = 0;
      lane.score.length = 0;
    }
    while (this.running.transcribe + this.running.score > 0) await new Promise((r) => setTimeout(r, 20));
  }

  private pump(name: JobName): void {
    if (!this.processors || this.closed) return;
    for (;;) {
      if (this.running[name] >= this.policies[name].concurrency) return;
      const job = this.resumed[name].shift() ?? this.waiting[name].shift();
      if (!job) return;
      this.running[name] += 1;
      void this.run(name, job).finally(() => {
        this.running[name] -= 1;
        this.pump(name);
        this.checkIdle();
      });
    }
  }

  private async run(name: JobName, job: Waiting): Promise<void> {
    const id = jobId(name, job.payload.callId);
    try {
      await this.processors![name](job.payload);
      this.known.delete(id);
    } catch (error) {
      const policy = this.policies[name];
      if (!this.closed && willRetry(policy, job.attempt, error)) {
        const delay = retryDelayMs(policy, job.attempt);
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.waiting[name].push({ payload: job.payload, attempt: job.attempt + 1 });
          this.pump(name);
        }, delay);
        this.timers.add(timer);
        return;
      }
      this.known.delete(id);
      if (!this.closed) await this.onFinalFailure!(name, job.payload, error);
    }
  }

  private checkIdle(): void {
    if (this.known.size > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
