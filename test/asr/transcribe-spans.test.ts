import { describe, expect, it } from 'vitest';
import { transcribeSpans } from '../../workers/asr/transcribe-spans.ts';
import type { AsrSegment, Transcriber } from '../../workers/asr/transcriber.ts';

/** Answers each window after a tick, with the window's own number, and records how many were in flight. */
function countingTranscriber(): Transcriber & { peak: number; calls: number } {
  let inFlight = 0;
  const t = {
    peak: 0,
    calls: 0,
    async transcribe(audio: Float32Array): Promise<AsrSegment[]> {
      const n = ++t.calls;
      inFlight++;
      t.peak = Math.max(t.peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5 * ((n * 7) % 3)));
      inFlight--;
      return [{ start: 0, end: audio.length / 16_000, text: `window ${n}` }];
    },
    async close() {},
  };
  return t;
}

describe('transcribeSpans', () => {
  // Ten 20 s speech spans 30 s apart: one window each (two never fit in 28 s).
  const spans: Array<[number, number]> = Array.from({ length: 10 }, (_, i) => [i * 30, i * 30 + 20]);
  const channel = new Float32Array(16_000 * 300).fill(0.1);

  it('keeps a few windows in flight, never all, and returns them in call order', async () => {
    const transcriber = countingTranscriber();
    const texts = await transcribeSpans(channel, spans, transcriber, { language: 'en', sampleRate: 16_000 });
    expect(transcriber.calls).toBe(10);
    expect(transcriber.peak).toBe(4);
    expect(texts.map((t) => t.text)).toEqual(Array.from({ length: 10 }, (_, i) => `window ${i + 1}`));
    expect(texts.map((t) => t.start)).toEqual(spans.map(([start]) => start));
  });

  it('stops asking for windows once one fails', async () => {
    let calls = 0;
    const failing: Transcriber = {
      async transcribe() {
        calls++;
        await new Promise((resolve) => setTimeout(resolve, 1));
        throw new Error('model gone');
      },
      async close() {},
    };
    await expect(
      transcribeSpans(channel, spans, failing, { language: 'en', sampleRate: 16_000, parallelWindows: 2 }),
    ).rejects.toThrow(/model gone/);
    expect(calls).toBe(2);
  });
});
