import { AutoProcessor, WhisperTimeStampLogitsProcessor, Tensor, env } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { RealPowerSpectrum } from '../../workers/asr/real-fft.ts';
import { timestampRules } from '../../workers/asr/fast-timestamp-rules.ts';
import {
  WhisperLogMel,
  useFastLogMel,
  type WhisperFeatureConfig,
} from '../../workers/asr/whisper-log-mel.ts';
import { mulberry32 } from '../../models/mulberry32.ts';
import { testModelDir, testModelId } from '../audio/media-paths.ts';

/** The two speed-ups inside ASR must change nothing: each is checked against what it replaces. */

function naivePower(frame: Float64Array): Float64Array {
  const n = frame.length;
  const out = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) {
    let re = 0;
    let im = 0;
    for (let t = 0; t < n; t++) {
      re += frame[t] * Math.cos((2 * Math.PI * k * t) / n);
      im -= frame[t] * Math.sin((2 * Math.PI * k * t) / n);
    }
    out[k] = re * re + im * im;
  }
  return out;
}

describe('RealPowerSpectrum', () => {
  it.each([400, 512, 2, 6, 30, 50, 14, 98])('matches a direct DFT for N = %i', (n) => {
    const random = mulberry32(n);
    const frame = Float64Array.from({ length: n }, () => random() - 0.5);
    const fft = new RealPowerSpectrum(n);
    const power = new Float64Array(fft.bins);
    fft.power(frame, power);
    const want = naivePower(frame);
    for (let k = 0; k < want.length; k++)
      expect(Math.abs(power[k] - want[k])).toBeLessThan(1e-9 * (1 + want[k]));
  });

  it('refuses odd sizes', () => {
    expect(() => new RealPowerSpectrum(401)).toThrow(/even/);
  });
});

describe('WhisperLogMel against transformers.js WhisperFeatureExtractor', () => {
  type Extractor = ((audio: Float32Array) => Promise<{ input_features: Tensor }>) & {
    config: WhisperFeatureConfig & { feature_extractor_type: string; n_samples: number };
  };
  let extractor: Extractor;
  beforeAll(async () => {
    env.allowRemoteModels = false;
    env.localModelPath = `${testModelDir}/`;
    const processor = await AutoProcessor.from_pretrained(testModelId);
    extractor = (processor as unknown as { feature_extractor: Extractor }).feature_extractor;
  });

  const random = mulberry32(7);
  const voiced = (seconds: number) =>
    Float32Array.from({ length: Math.round(seconds * 16_000) }, (_, i) => {
      const t = i / 16_000;
      const envelope = Math.sin(Math.PI * (t % 1.3)) ** 2;
      return (
        envelope * (0.3 * Math.sin(2 * Math.PI * (180 + 40 * Math.sin(t)) * t)) + 0.01 * (random() - 0.5)
      );
    });

  it.each([
    ['a full 30 s window', 30],
    ['a packed 27.5 s window', 27.5],
    ['a 3 s window (mostly zero padding)', 3],
    ['packed speech with silent joins', -27.5],
    ['a 10 ms scrap', 0.01],
  ])('gives the same features for %s', async (_, seconds) => {
    const audio = voiced(Math.abs(seconds as number));
    // Negative: zero the 0.4 s joins a packed ASR window has between speech pieces.
    if ((seconds as number) < 0)
      for (let at = 16_000; at < audio.length; at += 3 * 16_000) audio.fill(0, at, at + 6_400);
    const want = (await extractor(audio)).input_features;
    const padded = new Float32Array(extractor.config.n_samples);
    padded.set(audio);
    const mine = new WhisperLogMel(extractor.config).compute(padded);
    expect(mine.length).toBe(want.data.length);
    let worst = 0;
    const data = want.data as Float32Array;
    for (let i = 0; i < data.length; i++) worst = Math.max(worst, Math.abs(mine[i] - data[i]));
    // One float32 step of a value near 1: summation order differs, nothing else.
    expect(worst).toBeLessThanOrEqual(2.5e-7);
  });

  it('is what the pipeline uses once swapped in, with the same tensor shape', async () => {
    const audio = voiced(5);
    const before = (await extractor(audio)).input_features;
    expect(useFastLogMel(extractor as never)).toBe(true);
    const after = (await extractor(audio)).input_features;
    expect(after.dims).toEqual(before.dims);
    const a = after.data as Float32Array;
    const b = before.data as Float32Array;
    expect(a.every((x, i) => Math.abs(x - b[i]) <= 2.5e-7)).toBe(true);
  });

  it('leaves non-standard extractors alone', () => {
    const config = { ...extractor.config, n_fft: 512 };
    expect(
      useFastLogMel({ config, _extract_fbank_features: async () => new Tensor('float32', [], [0]) }),
    ).toBe(false);
  });
});

describe('timestamp rules against WhisperTimeStampLogitsProcessor', () => {
  const config = { eos_token_id: 50257, no_timestamps_token_id: 50363, max_initial_timestamp_index: 50 };
  const init = [50258, 50260, 50359];
  const vocab = 51865;
  const original = WhisperTimeStampLogitsProcessor.prototype._call;

  it('is not already patched in this process', () => {
    expect(original).not.toBe(timestampRules);
  });

  it('masks exactly the same logits in every rule state', () => {
    const random = mulberry32(42);
    const processor = new WhisperTimeStampLogitsProcessor(config as never, init);
    const stamp = (k: number) => BigInt(50364 + k);
    const histories: bigint[][] = [
      [...init.map(BigInt)],
      [...init.map(BigInt), stamp(0)],
      [...init.map(BigInt), stamp(0), 1000n],
      [...init.map(BigInt), stamp(0), 1000n, stamp(40)],
      [...init.map(BigInt), stamp(0), 1000n, stamp(40), stamp(40)],
      [...init.map(BigInt), 220n, 330n],
    ];
    let decisions = 0;
    for (let trial = 0; trial < 30; trial++) {
      for (const history of histories) {
        // Timestamp logits shifted up or down so both outcomes of the mass comparison occur.
        const shift = (random() - 0.5) * 16;
        const data = Float32Array.from({ length: vocab }, (_, j) => random() * 10 + (j >= 50364 ? shift : 0));
        const a = new Tensor('float32', data.slice(), [1, vocab]);
        const b = new Tensor('float32', data.slice(), [1, vocab]);
        original.call(processor, [history], a);
        timestampRules.call(processor, [history], b);
        const want = a.data as Float32Array;
        const got = b.data as Float32Array;
        expect(got.findIndex((x, j) => x !== want[j])).toBe(-1);
        if ((a.data as Float32Array)[0] === -Infinity) decisions++;
      }
    }
    expect(decisions).toBeGreaterThan(30); // the "timestamp wins" branch really was exercised
  });
});
