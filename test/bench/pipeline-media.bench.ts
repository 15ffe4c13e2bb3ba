/**
 * Media pipeline overhead for a 5-minute stereo call: fetch (local), decode,
 * VAD, ASR plumbing with the test model (worker thread, chunking, guards), and
 * the real-time factor of a real model when CALLQA_MODEL_DIR points at one.
 *   node --import tsx test/bench/pipeline-media.bench.ts
 *   CALLQA_MODEL_DIR=/models CALLQA_MODEL_ID=Xenova/whisper-small node --import tsx test/bench/pipeline-media.bench.ts
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeAudio } from '../../workers/audio/decode.ts';
import { fetchRecording } from '../../workers/audio/fetch-recording.ts';
import { resolveFfmpegPath } from '../../workers/audio/ffmpeg-path.ts';
import { loadVad } from '../../workers/audio/vad.ts';
import { ThreadTranscriber } from '../../workers/asr/thread-transcriber.ts';
import { transcribeSpans } from '../../workers/asr/transcribe-spans.ts';
import { fixture, testModelDir, testModelId } from '../audio/media-paths.ts';

const callS = 300;
const runs = 3;
const ffmpegPath = await resolveFfmpegPath();
const dir = await mkdtemp(join(tmpdir(), 'callqa-bench-'));
const rows: Array<[string, number]> = [];

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  let result!: T;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    result = await fn();
    times.push(performance.now() - started);
  }
  rows.push([label, Math.min(...times)]);
  return result;
}

try {
  // The fixture call (~3.3 s, agent then customer) looped to 5 minutes, as an 8 kHz stereo WAV and an MP3.
  const wav = join(dir, 'call.wav');
  const mp3 = join(dir, 'call.mp3');
  const run = promisify(execFile);
  await run(ffmpegPath, [
    '-v',
    'error',
    '-stream_loop',
    '-1',
    '-i',
    fixture('stereo-pcm.wav'),
    '-t',
    String(callS),
    wav,
  ]);
  await run(ffmpegPath, ['-v', 'error', '-i', wav, '-c:a', 'libmp3lame', '-b:a', '32k', mp3]);

  const fetched = await timed('fetch (local path)', () => fetchRecording('call.wav', { storageRoot: dir }));
  const audio = await timed('decode WAV 8 kHz stereo', () => decodeAudio(fetched.path, { ffmpegPath }));
  await timed('decode MP3 32 kb/s stereo', () => decodeAudio(mp3, { ffmpegPath }));
  const vad = await loadVad();
  const spans = await timed('VAD, both channels (8 kHz analysis)', () =>
    Promise.all(audio.channels.map((c) => vad.detectSpeech(c, audio.sampleRate))),
  );
  const vad16 = await loadVad({ analysisRate: 16000 });
  await timed('VAD, both channels (16 kHz analysis)', () =>
    Promise.all(audio.channels.map((c) => vad16.detectSpeech(c, audio.sampleRate))),
  );

  const asrCalls = spans.reduce((n, s) => n + s.length, 0);
  const transcribeAll = (t: ThreadTranscriber) => async () => {
    for (const [i, channel] of audio.channels.entries()) {
      await transcribeSpans(channel, spans[i], t, { language: 'zh', sampleRate: audio.sampleRate });
    }
  };
  let started = performance.now();
  const tiny = await ThreadTranscriber.start({ modelDir: testModelDir, modelId: testModelId, dtype: 'fp32' });
  rows.push(['ASR model load (test model, once per process)', performance.now() - started]);
  await timed(`ASR plumbing, test model (${asrCalls} speech regions)`, transcribeAll(tiny));
  await tiny.close();

  const modelDir = process.env.CALLQA_MODEL_DIR;
  if (modelDir) {
    const modelId = process.env.CALLQA_MODEL_ID ?? 'Xenova/whisper-small';
    started = performance.now();
    const real = await ThreadTranscriber.start({
      modelDir,
      modelId,
      dtype: process.env.CALLQA_MODEL_DTYPE ?? 'q8',
    });
    rows.push([`ASR model load (${modelId})`, performance.now() - started]);
    started = performance.now();
    await transcribeAll(real)();
    const seconds = (performance.now() - started) / 1000;
    rows.push([`ASR ${modelId}: real-time factor ${(seconds / callS).toFixed(3)}`, seconds * 1000]);
    await real.close();
  }

  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(`\n5-minute stereo call, ${cpus().length} CPU(s), Node ${process.version}, best of ${runs}`);
  for (const [label, ms] of rows) console.log(`${label.padEnd(width)}  ${ms.toFixed(0).padStart(7)} ms`);
  const overhead = rows
    .filter(([label]) => /^(fetch|decode WAV|VAD, both channels \(8|ASR plumbing)/.test(label))
    .reduce((sum, [, ms]) => sum + ms, 0);
  console.log(
    `${'overhead (fetch + decode WAV + VAD 8 kHz + ASR plumbing)'.padEnd(width)}  ${overhead.toFixed(0).padStart(7)} ms`,
  );
  if (!modelDir) console.log('real ASR: set CALLQA_MODEL_DIR (and CALLQA_MODEL_ID) to measure a real model');
} finally {
  await rm(dir, { recursive: true, force: true });
}
