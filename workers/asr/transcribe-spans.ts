import type { SpeechSpans } from '../../models/transcript.ts';
import { cleanAsrText } from './clean-asr-text.ts';
import {
  defaultChunkPlan,
  planAsrChunks,
  toCallTime,
  type AsrChunk,
  type ChunkPlanOptions,
} from './plan-asr-chunks.ts';
import type { AsrSegment, Transcriber } from './transcriber.ts';

export interface TimedText {
  start: number;
  end: number;
  text: string;
  confidence?: number;
}

export interface TranscribeSpansOptions {
  language: string;
  sampleRate: number;
  plan?: ChunkPlanOptions;
  maxRepeats?: number;
  /** Windows in flight at once (each holds ≤ 28 s of audio): enough to keep every media thread busy. */
  parallelWindows?: number;
}

/**
 * Sends only VAD speech to ASR (spliced into as few windows as possible),
 * maps Whisper's chunk-relative times back to call time and applies the
 * hallucination guards. Output that falls inside the silent joins is dropped.
 */
export async function transcribeSpans(
  channel: Float32Array,
  spans: SpeechSpans,
  transcriber: Transcriber,
  options: TranscribeSpansOptions,
): Promise<TimedText[]> {
  // A few windows in flight so media threads work through them in parallel, but
  // not all at once: a two-hour call has hundreds, each 1.8 MB of audio.
  const chunks = planAsrChunks(spans, options.plan ?? defaultChunkPlan);
  const replies: AsrSegment[][] = new Array(chunks.length);
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (next < chunks.length && !failed) {
      const i = next++;
      try {
        replies[i] = await transcriber.transcribe(chunkAudio(channel, chunks[i], options.sampleRate));
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const lanes = Math.min(options.parallelWindows ?? 4, chunks.length);
  await Promise.all(Array.from({ length: lanes }, lane));
  const windows = chunks.map((chunk, i) => ({ chunk, segments: replies[i] }));
  const out: TimedText[] = [];
  for (const { chunk, segments } of windows) {
    for (const segment of segments) {
      const localStart = Math.max(0, segment.start);
      // An open end means "until the audio ran out".
      const localEnd = Math.min(chunk.durationS, segment.end ?? chunk.durationS);
      if (!coversSpeech(chunk, localStart, localEnd)) continue;
      const start = round2(toCallTime(chunk, localStart, 'start'));
      const end = round2(toCallTime(chunk, localEnd, 'end'));
      const text = cleanAsrText(segment.text, { language: options.language, maxRepeats: options.maxRepeats });
      if (!text || end <= start) continue;
      out.push({
        start,
        end,
        text,
        ...(segment.confidence === undefined ? {} : { confidence: segment.confidence }),
      });
    }
  }
  return out;
}

function chunkAudio(channel: Float32Array, chunk: AsrChunk, rate: number): Float32Array {
  const audio = new Float32Array(Math.ceil(chunk.durationS * rate));
  for (const piece of chunk.pieces) {
    const from = Math.floor(piece.callStart * rate);
    const to = Math.min(channel.length, Math.ceil(piece.callEnd * rate));
    audio.set(
      channel.subarray(from, to).subarray(0, audio.length - Math.floor(piece.offset * rate)),
      Math.floor(piece.offset * rate),
    );
  }
  return audio;
}

/** Whisper timestamps are coarse (20 ms steps, often whole words): ask for a fair share of speech, not all. */
function coversSpeech(chunk: AsrChunk, start: number, end: number): boolean {
  const speech = chunk.pieces.reduce((sum, p) => {
    const pieceEnd = p.offset + (p.callEnd - p.callStart);
    return sum + Math.max(0, Math.min(pieceEnd, end) - Math.max(p.offset, start));
  }, 0);
  return end > start && speech >= Math.min(0.2, (end - start) * 0.25);
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
