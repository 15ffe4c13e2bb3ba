import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../workers/audio/decode.ts';
import { resolveFfmpegPath } from '../../workers/audio/ffmpeg-path.ts';
import { speechSpansFromProbabilities } from '../../workers/audio/speech-spans-from-probabilities.ts';
import { loadVad } from '../../workers/audio/vad.ts';
import { fixture } from './media-paths.ts';

const known = JSON.parse(readFileSync(fixture('stereo-spans.json'), 'utf8')) as {
  left: Array<[number, number]>;
  right: Array<[number, number]>;
};
const rate = 16_000;
let left: Float32Array;
let right: Float32Array;

beforeAll(async () => {
  const audio = await decodeAudio(fixture('stereo-pcm.wav'), { ffmpegPath: await resolveFfmpegPath() });
  [left, right] = audio.channels;
});

/** Builds a channel from [seconds of silence | speech clip] parts and returns it with the true spans. */
function compose(parts: Array<number | Float32Array>): {
  samples: Float32Array;
  spans: Array<[number, number]>;
} {
  const lengths = parts.map((p) => (typeof p === 'number' ? Math.round(p * rate) : p.length));
  const samples = new Float32Array(lengths.reduce((a, b) => a + b, 0));
  const spans: Array<[number, number]> = [];
  let at = 0;
  parts.forEach((part, i) => {
    if (typeof part !== 'number') {
      samples.set(part, at);
      spans.push([at / rate, (at + part.length) / rate]);
    }
    at += lengths[i];
  });
  return { samples, spans };
}

function expectSpansNear(got: Array<[number, number]>, want: Array<[number, number]>, toleranceS: number) {
  expect(got).toHaveLength(want.length);
  got.forEach(([start, end], i) => {
    expect(Math.abs(start - want[i][0])).toBeLessThan(toleranceS);
    expect(Math.abs(end - want[i][1])).toBeLessThan(toleranceS);
  });
}

describe('Silero VAD on real speech', () => {
  it.each([8000, 16000] as const)(
    'finds each speaker only on their own channel (analysis at %i Hz)',
    async (analysisRate) => {
      const vad = await loadVad({ analysisRate });
      expectSpansNear(await vad.detectSpeech(left, rate), known.left, 0.25);
      // The customer stops 0.3 s before the end: too short a silence to close the span before the end.
      expectSpansNear(await vad.detectSpeech(right, rate), known.right, 0.35);
    },
  );

  it('finds speech/silence spans at known times in generated audio, across batch pieces', async () => {
    const [[a, b]] = known.left;
    const agent = left.subarray(Math.round(a * rate), Math.round(b * rate));
    const [[c, d]] = known.right;
    const customer = right.subarray(Math.round(c * rate), Math.round(d * rate));
    // 22 s so the recording is split into several VAD pieces; one utterance straddles the 5 s boundary.
    const { samples, spans } = compose([1, agent, 2, customer, 0.5, agent, 6, customer, 8]);
    const vad = await loadVad();
    expectSpansNear(await vad.detectSpeech(samples, rate), spans, 0.25);
  });

  it('returns no speech for digital silence and for a steady tone', async () => {
    const vad = await loadVad();
    expect(await vad.detectSpeech(new Float32Array(5 * rate), rate)).toEqual([]);
    const tone = Float32Array.from(
      { length: 5 * rate },
      (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / rate),
    );
    expect(await vad.detectSpeech(tone, rate)).toEqual([]);
  });

  it('loads the model once per process', async () => {
    expect(await loadVad()).toBe(await loadVad());
  });
});

describe('speechSpansFromProbabilities', () => {
  const options = { threshold: 0.5, minSpeechS: 0.25, minSilenceS: 0.3, padS: 0.1 };
  const frames = (pattern: string) => Array.from(pattern, (c) => (c === '#' ? 0.9 : c === '~' ? 0.4 : 0.05));

  it('turns frames into padded spans, bridging short pauses and hysteresis dips', () => {
    // 0.1 s frames: speech 1.0–2.0, a 0.2 s pause and a 0.4-probability dip inside, speech 3.0–3.5.
    const probs = frames('..........###..#~###..........#####.....');
    expect(speechSpansFromProbabilities(probs, 0.1, 4, options)).toEqual([
      [0.9, 2.1],
      [2.9, 3.6],
    ]);
  });

  it('drops bursts shorter than minSpeechS and splits padding between close spans', () => {
    expect(speechSpansFromProbabilities(frames('.....##.....'), 0.1, 1.2, options)).toEqual([]);
    const close = speechSpansFromProbabilities(frames('####....####'), 0.1, 1.2, { ...options, padS: 0.3 });
    expect(close).toEqual([
      [0, 0.6],
      [0.6, 1.2],
    ]);
  });

  it('closes a span still open at the end of the recording', () => {
    expect(speechSpansFromProbabilities(frames('......######'), 0.1, 1.2, options)).toEqual([[0.5, 1.2]]);
  });
});
