import type pg from 'pg';
import { admitSampledCalls, openWork } from '../models/pipeline-repository.ts';
import type { JobQueue } from './queue/job-queue.ts';

export interface DispatcherLog {
  error: (obj: unknown, msg: string) => void;
}

/**
 * The bridge from Postgres (the system of record) to the queue: admits newly
 * sampled calls into the pipeline and queues every unfinished call for its
 * next stage. Queues drop duplicates (one job per call and stage), so it is
 * safe to run on every process and every few seconds; after a crash or
 * restart it is what resumes calls left half-done, ahead of the pending
 * backlog.
 */
export async function dispatchOnce(
  pool: pg.Pool,
  queue: Pick<JobQueue, 'add'>,
  batch = 1000,
): Promise<number> {
  await admitSampledCalls(pool);
  const work = await openWork(pool, batch);
  for (const { callId, state } of work) {
    const name = state === 'pending' || state === 'transcribing' ? 'transcribe' : 'score';
    // Anything past pending was begun before a crash or restart: finish it before new work.
    await queue.add(name, { callId }, { resumed: state !== 'pending' });
  }
  return work.length;
}

/** Dispatches every `intervalMs` (the caller runs the first dispatchOnce itself). */
export function startDispatcher(
  pool: pg.Pool,
  queue: Pick<JobQueue, 'add'>,
  log: DispatcherLog,
  intervalMs = 5_000,
): () => void {
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    dispatchOnce(pool, queue)
      .catch((error: unknown) => log.error(error, 'dispatch failed; trying again shortly'))
      .finally(() => (running = false));
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
