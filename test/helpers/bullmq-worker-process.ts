/**
 * A worker process for the BullMQ tests: the real queue, dispatcher and
 * processors against the test's Postgres and Redis, with a scripted
 * transcriber (the test is about delivery, not speech) that takes
 * JOB_MS per call and logs "start"/"done" lines so the test can kill it mid-job.
 */
import { appendFileSync } from 'node:fs';
import { createPool } from '../../models/db.ts';
import { startPipeline } from '../../workers/pipeline.ts';
import { BullMqQueue } from '../../workers/queue/bullmq-queue.ts';
import { buildTranscript } from './builders.ts';

const { DATABASE_URL, REDIS_URL, QUEUE_PREFIX, JOB_MS, EVENT_LOG } = process.env;
const pool = createPool(DATABASE_URL!, 4);
const queue = new BullMqQueue({
  redisUrl: REDIS_URL!,
  prefix: QUEUE_PREFIX,
  lockDurationMs: 2_000,
  stalledIntervalMs: 1_000,
});
const log = (line: string) => appendFileSync(EVENT_LOG!, `${line} ${process.pid}\n`);

const pipeline = await startPipeline({
  pool,
  queue,
  dispatchIntervalMs: 500,
  log: { error: (error) => log(`error ${String(error)}`) },
  transcribeRecording: async (call) => {
    log(`start ${call.callId}`);
    await new Promise((r) => setTimeout(r, Number(JOB_MS ?? 200)));
    log(`done ${call.callId}`);
    return { transcript: buildTranscript(call.callId, { durationS: call.durationS }) };
  },
  scoreCall: async (call) => {
    await pool.query(`insert into test_scores (call_id, pid) values ($1, $2)`, [call.callId, process.pid]);
  },
});
log('ready');
process.once('SIGTERM', () => {
  void pipeline
    .stop()
    .then(() => pool.end())
    .then(() => process.exit(0));
});
