import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SpeechSpans } from '../../models/transcript.ts';
import { decodeAudio } from '../../workers/audio/decode.ts';
import { resolveFfmpegPath } from '../../workers/audio/ffmpeg-path.ts';
import { loadVad } from '../../workers/audio/vad.ts';
import {
  clusterVoices,
  diariseMono,
  speechTurns,
  voiceFeatures,
  voiceOfSpans,
  type MonoVoices,
} from '../../workers/asr/diarise-mono.ts';
import { fixture } from '../audio/media-paths.ts';

/** Who really spoke when in the two-voice fixture (make-fixtures.sh writes both). */
const truth = (
  JSON.parse(readFileSync(fixture('mono-two-voices.json'), 'utf8')) as {
    turns: Array<['agent' | 'customer', number, number]>;
  }
).turns;
const rate = 16_000;
let samples: Float32Array;
let spans: SpeechSpans;

beforeAll(async () => {
  const audio = await decodeAudio(fixture('mono-two-voices.ogg'), { ffmpegPath: await resolveFfmpegPath() });
  samples = audio.channels[0];
  spans = await (await loadVad()).detectSpeech(samples, rate);
});

/** Share of the true speech time whose turn landed in its speaker's voice (under the better of the two namings). */
function attributedShare(voices: MonoVoices, who: typeof truth): number {
  const agree = [0, 0];
  let total = 0;
  voices.turns.forEach((turn, i) => {
    for (const [speaker, start, end] of who) {
      const overlap = Math.min(end, turn.end) - Math.max(start, turn.start);
      if (overlap <= 0) continue;
      total += overlap;
      agree[(voices.labels[i] === 0) === (speaker === 'agent') ? 0 : 1] += overlap;
    }
  });
  return Math.max(...agree) / total;
}

describe('two voices in a mono recording (real Silero VAD, no ASR)', () => {
  it('attributes at least 90 % of the speech time to the right voice, and says the voices separate', async () => {
    const voices = await diariseMono(samples, rate, spans);
    expect(voices.turns.length).toBeGreaterThanOrEqual(truth.length);
    expect(attributedShare(voices, truth)).toBeGreaterThanOrEqual(0.9);
    expect(voices.separation).toBeGreaterThan(0.6);
  });

  it('one voice alone does not pass for two: its separation is under 0.3, where roles fall back to text', async () => {
    // The agent's turns only, with the pauses between them: the same recording conditions, one speaker.
    const agentOnly = new Float32Array(samples.length);
    const agentSpans: SpeechSpans = [];
    for (const [speaker, start, end] of truth) {
      if (speaker !== 'agent') continue;
      agentOnly.set(
        samples.subarray(Math.floor(start * rate), Math.ceil(end * rate)),
        Math.floor(start * rate),
      );
      agentSpans.push(...spans.filter(([s, e]) => s < end && e > start));
    }
    const one = await diariseMono(agentOnly, rate, agentSpans);
    expect(one.separation).toBeLessThan(0.3);
  });

  it('gives every text segment the voice of the turns it overlaps most', async () => {
    const voices = await diariseMono(samples, rate, spans);
    // The true turns as if they were ASR segments: agent turns share one voice, customer turns the other.
    const of = voiceOfSpans(
      truth.map(([, start, end]) => ({ start, end })),
      voices.turns,
      voices.labels,
    );
    const agentVoice = of[0];
    expect(of).toEqual(truth.map(([speaker]) => (speaker === 'agent' ? agentVoice : 1 - agentVoice)));
  });
});

describe('turns and clustering (pure)', () => {
  it('cuts long speech runs into equal turns of at most 3 s and keeps short ones whole', () => {
    const turns = speechTurns([
      [0, 2],
      [3, 10],
    ]);
    const ms = (x: number) => Math.round(x * 1000) / 1000;
    expect(turns.map((t) => [ms(t.start), ms(t.end)])).toEqual([
      [0, 2],
      [3, 5.333],
      [5.333, 7.667],
      [7.667, 10],
    ]);
  });

  it('is deterministic, and one odd turn does not take a voice of its own', () => {
    const blob = (centre: number, k: number) =>
      Float64Array.from({ length: 6 }, (_, d) => centre + 0.1 * Math.sin(7 * k + 3 * d));
    const features = [
      ...Array.from({ length: 10 }, (_, k) => blob(0, k)),
      ...Array.from({ length: 10 }, (_, k) => blob(1, k + 10)),
      Float64Array.from({ length: 6 }, (_, d) => (d === 0 ? 3 : 0.5)),
      new Float64Array(0),
    ];
    const weights = features.map(() => 1);
    const first = clusterVoices(features, weights);
    expect(clusterVoices(features, weights)).toEqual(first);
    const labels = [...first.labels];
    expect(new Set(labels.slice(0, 10)).size).toBe(1);
    expect(new Set(labels.slice(10, 20)).size).toBe(1);
    expect(labels[0]).not.toBe(labels[10]);
    expect(labels[21]).toBe(-1);
  });

  it('voice features are the same length for every voiced turn and empty for silence', () => {
    const silence = new Float32Array(rate);
    const [quiet, voiced] = voiceFeatures(
      new Float32Array([...silence, ...samples.subarray(0, rate)]),
      rate,
      [
        { start: 0, end: 1 },
        { start: 1, end: 2 },
      ],
    );
    expect(quiet).toHaveLength(0);
    expect(voiced).toHaveLength(24);
    expect(() => voiceFeatures(samples, 8000, [])).toThrow(/16000 Hz/);
  });
});
