import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Call } from '../../models/call-repository.ts';
import { getCall, upsertCalls } from '../../models/call-repository.ts';
import { dispatchOnce } from '../../workers/dispatcher.ts';
import { startPipeline, type Pipeline, type PipelineDeps } from '../../workers/pipeline.ts';
import { InProcessQueue } from '../../workers/queue/in-process-queue.ts';
import { buildCall, buildTranscript } from '../helpers/builders.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { freePort } from '../helpers/free-port.ts';

let db: TestDatabase;
let pipeline: Pipeline | undefined;
beforeEach(async () => {
  db = await createTestDatabase();
});
afterEach(async () => {
  await pipeline?.stop();
  pipeline = undefined;
  await db.drop();
});

const fast = { attempts: 3, backoffMs: 5, maxBackoffMs: 20, outageAttempts: 6 };
const fastPolicies = {
  transcribe: { ...fast, concurrency: 2 },
  score: { ...fast, concurrency: 2 },
};

const transcriptOf = (call: Call) => buildTranscript(call.callId, { durationS: call.durationS });

/** The real pipeline on `queue`, dispatching once at start (tests wait with queue.idle()). */
function startTestPipeline(
  queue: InProcessQueue,
  stages: Pick<PipelineDeps, 'transcribeRecording' | 'scoreCall'>,
) {
  return startPipeline({
    pool: db.pool,
    queue,
    log: { error: () => {} },
    dispatchIntervalMs: 60_000,
    ...stages,
  });
}

async function sampleCalls(ids: string[]) {
  await upsertCalls(
    db.pool,
    ids.map((callId) => buildCall({ callId, recording: `/rec/${callId}.wav`, recordingStatus: 'ok' })),
  );
  await db.pool.query(`insert into sampling_runs (run_id, kind, month, through, time_zone, seed, params)
                       values (1, 'on_demand', '2026-10-01', now(), 'Asia/Shanghai', 's', '{}')`);
  await db.pool.query(
    `insert into sample_items (call_id, run_id, agent_id, month, reason)
     select call_id, 1, agent_id, '2026-10-01', 'manual' from calls`,
  );
}

async function states() {
  const { rows } = await db.pool.query(
    'select call_id, state, failure_code, failure_reason, attempts from call_processing order by call_id',
  );
  return Object.fromEntries(rows.map((r) => [r.call_id, r]));
}

describe('in-process pipeline', () => {
  it('takes sampled calls through transcribe and score; a corrupt recording fails only its call', async () => {
    await sampleCalls(['c1', 'c2', 'bad', 'flaky']);
    const transcribed: string[] = [];
    const scored: string[] = [];
    let flakyFailures = 0;
    const queue = new InProcessQueue(fastPolicies);
    pipeline = await startTestPipeline(queue, {
      transcribeRecording: async (call) => {
        transcribed.push(call.callId);
        if (call.callId === 'bad')
          throw Object.assign(new Error('not an audio file'), { permanent: true, code: 'not_audio' });
        if (call.callId === 'flaky' && flakyFailures++ < 2) throw new Error('ECONNRESET');
        return { transcript: transcriptOf(call), model: 'fake' };
      },
      scoreCall: async (call) => {
        scored.push(call.callId);
      },
    });
    await queue.idle();
    const s = await states();
    expect(s.c1.state).toBe('scored');
    expect(s.c2.state).toBe('scored');
    expect(s.flaky.state).toBe('scored');
    expect(transcribed.filter((id) => id === 'flaky')).toHaveLength(3); // two transient failures, then success
    expect(s.bad).toMatchObject({
      state: 'failed',
      failure_code: 'not_audio',
      failure_reason: 'not an audio file',
      attempts: 1,
    });
    expect(transcribed.filter((id) => id === 'bad')).toHaveLength(1); // permanent: no retry
    expect(scored.sort()).toEqual(['c1', 'c2', 'flaky']);
    const transcripts = await db.pool.query('select call_id, segments from transcripts order by call_id');
    expect(transcripts.rows.map((r) => r.call_id)).toEqual(['c1', 'c2', 'flaky']);
  });

  it('retries a transient failure, then fails the call for good with the last reason', async () => {
    await sampleCalls(['down']);
    const queue = new InProcessQueue(fastPolicies);
    pipeline = await startTestPipeline(queue, {
      transcribeRecording: async () => {
        throw Object.assign(new Error('recording server did not answer within 30 s'), { code: 'timeout' });
      },
      scoreCall: async () => {},
    });
    await queue.idle();
    expect((await states()).down).toMatchObject({ state: 'failed', failure_code: 'timeout', attempts: 3 });
  });

  it('admits sampled calls without a recording, or with one flagged at ingest, as failed, saying why', async () => {
    await upsertCalls(db.pool, [
      buildCall({ callId: 'norec' }),
      {
        ...buildCall({ callId: 'refused', recording: 'http://pbx.internal/r.wav' }),
        recordingStatus: 'unreadable',
        recordingProblem: 'host pbx.internal is not on the allow-list',
        recordingProblemCode: 'url_not_allowed',
      },
    ]);
    expect((await getCall(db.pool, 'refused'))?.recordingProblemCode).toBe('url_not_allowed');
    await db.pool.query(`insert into sampling_runs (run_id, kind, month, through, time_zone, seed, params)
                         values (1, 'on_demand', '2026-10-01', now(), 'Asia/Shanghai', 's', '{}')`);
    await db.pool.query(
      `insert into sample_items values ('norec', 1, 'A001', '2026-10-01', 'manual', null, now()),
                                       ('refused', 1, 'A001', '2026-10-01', 'manual', null, now())`,
    );
    await dispatchOnce(db.pool, { add: async () => {} });
    expect((await states()).norec).toMatchObject({ state: 'failed', failure_code: 'no_recording' });
    // The flag's own code, stored at ingest, is the failure's code.
    expect((await states()).refused).toMatchObject({ state: 'failed', failure_code: 'url_not_allowed' });
  });

  it('resumes after a restart: calls caught mid-stage finish, finished ones are not redone', async () => {
    await sampleCalls(['r1', 'r2', 'r3']);
    // the previous process died with r1 mid-transcription, r2 transcribed but not scored, r3 done
    await dispatchOnce(db.pool, { add: async () => {} });
    await db.pool.query(
      `update call_processing set state = 'transcribing', attempts = 1 where call_id = 'r1'`,
    );
    for (const id of ['r2', 'r3']) {
      await db.pool.query(
        `insert into transcripts (call_id, source, language, speaker_mode, speaker_decision, duration_s, segments)
         values ($1, 'asr', 'zh', 'stereo', '{}', 120, '[]')`,
        [id],
      );
    }
    await db.pool.query(`update call_processing set state = 'transcribed' where call_id = 'r2'`);
    await db.pool.query(`update call_processing set state = 'scored' where call_id = 'r3'`);

    const transcribed: string[] = [];
    const scored: string[] = [];
    const queue = new InProcessQueue(fastPolicies);
    pipeline = await startTestPipeline(queue, {
      transcribeRecording: async (call) => {
        transcribed.push(call.callId);
        return { transcript: transcriptOf(call) };
      },
      scoreCall: async (call) => {
        scored.push(call.callId);
      },
    });
    await queue.idle();
    expect(transcribed).toEqual(['r1']);
    expect(scored.sort()).toEqual(['r1', 'r2']);
    const s = await states();
    expect([s.r1.state, s.r2.state, s.r3.state]).toEqual(['scored', 'scored', 'scored']);
  });

  it('after a restart, the call caught mid-transcription goes before the pending backlog', async () => {
    const backlog = Array.from({ length: 8 }, (_, i) => `p${i}`);
    await sampleCalls([...backlog, 'mid']);
    await dispatchOnce(db.pool, { add: async () => {} });
    // the previous process died inside 'mid', the most recently touched call
    await db.pool.query(
      `update call_processing set state = 'transcribing', attempts = 1, updated_at = now() + interval '1 minute'
       where call_id = 'mid'`,
    );
    const transcribed: string[] = [];
    const queue = new InProcessQueue({ ...fastPolicies, transcribe: { ...fast, concurrency: 1 } });
    pipeline = await startTestPipeline(queue, {
      transcribeRecording: async (call) => {
        transcribed.push(call.callId);
        return { transcript: transcriptOf(call) };
      },
      scoreCall: async () => {},
    });
    await queue.idle();
    expect(transcribed[0]).toBe('mid');
    expect(transcribed.slice(1).sort()).toEqual(backlog);
  });

  it('serves resumed jobs before waiting ones, in the order they were added', async () => {
    const queue = new InProcessQueue({ ...fastPolicies, transcribe: { ...fast, concurrency: 1 } });
    for (const callId of ['w1', 'w2']) await queue.add('transcribe', { callId });
    for (const callId of ['r1', 'r2']) await queue.add('transcribe', { callId }, { resumed: true });
    await queue.add('transcribe', { callId: 'w3' });
    const order: string[] = [];
    await queue.start(
      {
        transcribe: async ({ callId }) => {
          order.push(callId);
        },
        score: async () => {},
      },
      async () => {},
    );
    await queue.idle();
    await queue.close();
    expect(order).toEqual(['r1', 'r2', 'w1', 'w2', 'w3']);
  });

  it('rides out PostgreSQL being unreachable past the ordinary attempts, then finishes the call', async () => {
    await sampleCalls(['outage']);
    const closedPort = await freePort();
    let tries = 0;
    const queue = new InProcessQueue(fastPolicies);
    pipeline = await startTestPipeline(queue, {
      transcribeRecording: async (call) => {
        // the first four tries meet a database that refuses connections (a real ECONNREFUSED)
        if (++tries <= 4) {
          const client = new pg.Client({ host: '127.0.0.1', port: closedPort, user: 'x', database: 'x' });
          await client.connect();
        }
        return { transcript: transcriptOf(call) };
      },
      scoreCall: async () => {},
    });
    await queue.idle();
    expect(tries).toBe(5); // more than fast.attempts (3), within fast.outageAttempts (6)
    expect((await states()).outage.state).toBe('scored');
  });
});
