/**
 * Media pipeline overhead for a 5-minute stereo call, with the test model
 * (which always answers 离线测试模型, so ASR here is the pipeline's own cost):
 * each stage on one core, then the whole transcribe job as a worker runs it
 * (real PostgreSQL, media threads) — the overhead figure. With
 * CALLQA_MODEL_DIR pointing at a real Whisper it also prints the real-time factor.
 *   npm run bench:pipeline
 *   CALLQA_MODEL_DIR=/models CALLQA_MODEL_ID=Xenova/whisper-small npm run bench:pipeline
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getCall, upsertCalls } from '../../models/call-repository.ts';
import { loadConfig } from '../../models/config.ts';
import { decodeAudio } from '../../workers/audio/decode.ts';
import { fetchRecording } from '../../workers/audio/fetch-recording.ts';
import { resolveFfmpegPath } from '../../workers/audio/ffmpeg-path.ts';
import { loadVad } from '../../workers/audio/vad.ts';
import { loadTranscriber } from '../../workers/asr/load-transcriber.ts';
import { MediaThreads } from '../../workers/asr/media-threads.ts';
import { transcribeSpans } from '../../workers/asr/transcribe-spans.ts';
import { mediaPipelineFrom } from '../../workers/media-pipeline.ts';
import { transcribeProcessor } from '../../workers/processors/transcribe-processor.ts';
import { fixture, testModelDir, testModelId } from '../audio/media-paths.ts';
import { buildCall } from '../helpers/builders.ts';
import { openBenchDatabase } from './bench-database.ts';

const callS = 300;
const runs = 5;
const ffmpegPath = await resolveFfmpegPath();
const dir = await mkdtemp(join(tmpdir(), 'callqa-bench-'));
const rows: Array<[string, number]> = [];
const notes: string[] = [];
const log = (line: string) => process.stdout.write(`${line}\n`);

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  let result!: T;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    result = await fn();
    times.push(performance.now() - started);
  }
  rows.push([label, median(times)]);
  return result;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const database = await openBenchDatabase(dir);
const pool = database.pool;
try {
  // The fixture call (~3.3 s, agent then customer) looped to 5 minutes, as an 8 kHz stereo WAV and an MP3.
  const wav = join(dir, 'call.wav');
  const mp3 = join(dir, 'call.mp3');
  const run = promisify(execFile);
  const loop = ['-v', 'error', '-stream_loop', '-1', '-i', fixture('stereo-pcm.wav'), '-t', String(callS)];
  await run(ffmpegPath, [...loop, wav]);
  await run(ffmpegPath, ['-v', 'error', '-i', wav, '-c:a', 'libmp3lame', '-b:a', '32k', mp3]);

  // Each stage alone, on the main thread (one core).
  const fetched = await timed('fetch (local path)', () => fetchRecording('call.wav', { storageRoot: dir }));
  const audio = await timed('decode WAV 8 kHz stereo', () => decodeAudio(fetched.path, { ffmpegPath }));
  await timed('decode MP3 32 kb/s stereo', () => decodeAudio(mp3, { ffmpegPath }));
  const vad = await loadVad();
  const spans = await timed('VAD, both channels, one core', async () => {
    const out = [];
    for (const channel of audio.channels) out.push(await vad.detectSpeech(channel, audio.sampleRate));
    return out;
  });
  const regions = spans.reduce((n, s) => n + s.length, 0);
  const tiny = await loadTranscriber({ modelDir: testModelDir, modelId: testModelId, dtype: 'fp32' });
  await timed(`ASR, test model, both channels, one core (${regions} speech regions)`, async () => {
    for (const [i, channel] of audio.channels.entries()) {
      await transcribeSpans(channel, spans[i], tiny, { language: 'zh', sampleRate: audio.sampleRate });
    }
  });

  // The whole transcribe job as a worker runs it: state in PostgreSQL, fetch, decode, media threads, transcript saved.
  const calls = [1, 2, 3, 4].map((n) =>
    buildCall({ callId: `bench-call-${n}`, durationS: callS, recording: wav, recordingStatus: 'ok' }),
  );
  await upsertCalls(pool, calls);
  const config = loadConfig({ CALLQA_DATA_DIR: dir, CALLQA_RECORDING_ROOTS: dir, LOG_LEVEL: 'silent' });
  const transcriber = { modelDir: testModelDir, modelId: testModelId, dtype: 'fp32', intraOpThreads: 1 };
  const resetJobs = () =>
    pool.query(
      `insert into call_processing (call_id) select unnest($1::text[])
       on conflict (call_id) do update set state = 'pending', attempts = 0`,
      [calls.map((c) => c.callId)],
    );
  for (const threads of [1, Math.min(2, availableParallelism())]) {
    const started = performance.now();
    const media = await MediaThreads.start({ threads, transcriber });
    rows.push([`media threads start (${threads}, once per process)`, performance.now() - started]);
    const pipeline = mediaPipelineFrom(config, { ffmpegPath, media });
    const job = transcribeProcessor({
      pool,
      queue: { add: async () => {} }, // the score job it queues is not part of transcription
      transcribeRecording: (c) => pipeline.transcribeRecording(c),
    });
    await timed(`OVERHEAD: one transcribe job alone, ${threads} media thread(s)`, async () => {
      await resetJobs();
      await job({ callId: calls[0].callId });
    });
    // Steady state: a worker with concurrency 2 working through a batch; wall time per call.
    let perCall = Infinity;
    for (let i = 0; i < 3; i++) {
      await resetJobs();
      const batchStarted = performance.now();
      const lanes = [calls.slice(0, 2), calls.slice(2)].map(async (lane) => {
        for (const c of lane) await job({ callId: c.callId });
      });
      await Promise.all(lanes);
      perCall = Math.min(perCall, (performance.now() - batchStarted) / calls.length);
    }
    rows.push([
      `OVERHEAD: per call in a batch of ${calls.length}, concurrency 2, ${threads} media thread(s)`,
      perCall,
    ]);
    if (threads === 1) {
      // The same job with the media work already done: what its PostgreSQL reads and writes cost.
      const done = await pipeline.transcribeRecording((await getCall(pool, calls[0].callId))!);
      const dbOnly = transcribeProcessor({
        pool,
        queue: { add: async () => {} },
        transcribeRecording: async () => done,
      });
      await timed('DB: claim the call, read it, save transcript + speech map', async () => {
        await resetJobs();
        await dbOnly({ callId: calls[0].callId });
      });
    }
    await media.close();
  }
  const states = await pool.query('select distinct state from call_processing');
  if (states.rows.some((r) => r.state !== 'transcribed'))
    throw new Error('a bench job did not end transcribed');

  // An hour-long stereo recording: decode time and how much memory it takes (samples are 16 kHz float32).
  const hour = join(dir, 'hour.wav');
  await run(ffmpegPath, [...loop.slice(0, -1), '3600', hour]);
  const { stdout } = await run(process.execPath, [
    '--import',
    'tsx',
    join(import.meta.dirname, 'decode-memory.ts'),
    hour,
  ]);
  const hourly = JSON.parse(stdout) as {
    ms: number;
    samplesMb: number;
    baselineRssMb: number;
    peakRssMb: number;
  };
  rows.push(['decode 1 h WAV 8 kHz stereo (own process)', hourly.ms]);
  notes.push(
    `1 h stereo decode: ${hourly.samplesMb} MB of samples, peak RSS ${hourly.peakRssMb} MB ` +
      `(${hourly.peakRssMb - hourly.baselineRssMb} MB over the process at rest)`,
  );

  const modelDir = process.env.CALLQA_MODEL_DIR;
  if (modelDir) {
    const modelId = process.env.CALLQA_MODEL_ID ?? 'Xenova/whisper-small';
    let started = performance.now();
    const real = await loadTranscriber({ modelDir, modelId, dtype: process.env.CALLQA_MODEL_DTYPE ?? 'q8' });
    rows.push([`ASR model load (${modelId})`, performance.now() - started]);
    started = performance.now();
    for (const [i, channel] of audio.channels.entries()) {
      await transcribeSpans(channel, spans[i], real, { language: 'zh', sampleRate: audio.sampleRate });
    }
    const seconds = (performance.now() - started) / 1000;
    rows.push([`ASR ${modelId}: real-time factor ${(seconds / callS).toFixed(3)}`, seconds * 1000]);
  }

  const width = Math.max(...rows.map(([label]) => label.length));
  log(`\n5-minute stereo call, ${availableParallelism()} CPU(s), Node ${process.version}, median of ${runs}`);
  for (const [label, ms] of rows) log(`${label.padEnd(width)}  ${ms.toFixed(0).padStart(7)} ms`);
  for (const note of notes) log(note);
  if (!modelDir) log('real ASR: set CALLQA_MODEL_DIR (and CALLQA_MODEL_ID) to measure a real model');
} finally {
  await database.close();
  await rm(dir, { recursive: true, force: true });
}
process.exit(0);
