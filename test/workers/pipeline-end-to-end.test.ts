import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertCalls } from '../../models/call-repository.ts';
import { getTranscript } from '../../models/pipeline-repository.ts';
import { InProcessQueue } from '../../workers/queue/in-process-queue.ts';
import { startWorkers } from '../../workers/start-workers.ts';
import { fixture, fixturesDir, testModelDir, testModelId } from '../audio/media-paths.ts';
import { buildCall } from '../helpers/builders.ts';
import { testConfig } from '../helpers/config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

/**
 * The real thing, in-process: real ffmpeg decoding of committed fixtures,
 * Silero VAD, the transformers.js Whisper pipeline in a worker thread on the
 * tiny test model (it always answers 离线测试模型: this proves wiring, not
 * accuracy), and the default scorecard.
 */
describe('pipeline end to end on real audio', () => {
  it('transcribes and scores good recordings; each bad one fails its own call with a reason', async () => {
    const recordings: Record<string, string> = {
      wav: 'stereo-pcm.wav',
      mp3: 'stereo.mp3',
      mulaw: 'stereo-mulaw.wav',
      amr: 'mono.amr',
      corrupt: 'corrupt.wav',
      empty: 'empty.wav',
      text: 'text.wav',
      image: 'image.mp3',
    };
    await upsertCalls(
      db.pool,
      Object.entries(recordings).map(([callId, file]) =>
        buildCall({
          callId,
          recording: fixture(file),
          recordingStatus: 'ok',
          agentChannel: file.startsWith('stereo') ? 'left' : 'mono',
        }),
      ),
    );
    await db.pool.query(`insert into sampling_runs (run_id, kind, month, through, time_zone, seed, params)
                         values (1, 'on_demand', '2026-10-01', now(), 'Asia/Shanghai', 's', '{}')`);
    await db.pool.query(`insert into sample_items (call_id, run_id, agent_id, month, reason)
                         select call_id, 1, agent_id, '2026-10-01', 'manual' from calls`);

    const config = testConfig(db.url, await mkdtemp(join(tmpdir(), 'callqa-e2e-')), {
      CALLQA_MODEL_DIR: testModelDir,
      CALLQA_MODEL_ID: testModelId,
      CALLQA_MODEL_DTYPE: 'fp32',
      CALLQA_RECORDING_ROOTS: fixturesDir,
    });
    const queue = new InProcessQueue({
      transcribe: { attempts: 2, backoffMs: 10, maxBackoffMs: 10, outageAttempts: 2, concurrency: 2 },
      score: { attempts: 2, backoffMs: 10, maxBackoffMs: 10, outageAttempts: 2, concurrency: 2 },
    });
    const workers = await startWorkers(config, db.pool, queue, { info: () => {}, error: () => {} });
    await queue.idle();
    await workers.stop();

    const { rows } = await db.pool.query(
      `select call_id, state, failure_code, failure_reason from call_processing order by call_id`,
    );
    const state = Object.fromEntries(rows.map((r) => [r.call_id, r]));
    for (const good of ['wav', 'mp3', 'mulaw', 'amr']) expect(state[good].state, good).toBe('scored');
    for (const bad of ['corrupt', 'empty', 'text', 'image']) {
      expect(state[bad].state, bad).toBe('failed');
      expect(state[bad].failure_reason, bad).toBeTruthy();
    }
    expect(state.empty.failure_code).toBe('empty');

    const wav = await getTranscript(db.pool, 'wav');
    expect(wav).toMatchObject({ speakerMode: 'stereo', source: 'asr' });
    expect(new Set(wav!.segments.map((s) => s.speaker))).toEqual(new Set(['agent', 'customer']));
    expect(wav!.segments.every((s) => s.text === '离线测试模型')).toBe(true);
    expect(wav!.speech?.agent?.length).toBeGreaterThan(0);
    const amr = await getTranscript(db.pool, 'amr');
    expect(amr).toMatchObject({ speakerMode: 'mono' });

    const scores = await db.pool.query(`select call_id, scorecard_id from call_scores order by call_id`);
    expect(scores.rows.map((r) => r.call_id)).toEqual(['amr', 'mp3', 'mulaw', 'wav']);
  });
});
