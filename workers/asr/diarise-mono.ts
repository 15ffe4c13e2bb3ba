import type { SpeechSpans } from '../../models/transcript.ts';
import { RealPowerSpectrum } from './real-fft.ts';

/**
 * Who spoke when in a mono recording, without a speaker model: the VAD's
 * speech is cut into turns, each turn gets a cheap voice print (the mean and
 * spread of its mel-cepstrum), and the turns are split into two voices. Which
 * voice is the agent is decided later, from what each voice says
 * (workers/scoring/assign-roles.ts).
 *
 * Cepstra without c0 describe the vocal tract and the line (headset vs. handset,
 * codec), not loudness, so a speaker who gets louder stays one voice. The cost
 * is one 25 ms FFT per 20 ms of speech: well under 1 % of transcribing it.
 */

export interface VoiceTurn {
  start: number;
  end: number;
}

export interface TurnOptions {
  /** Longer speech runs are cut into equal pieces no longer than this, so a change of speaker inside one can be found. */
  maxTurnS: number;
}

export const defaultTurnOptions: TurnOptions = { maxTurnS: 3 };

/** Pure: VAD spans → turns (each span, long ones cut into equal pieces ≤ maxTurnS). */
export function speechTurns(spans: SpeechSpans, options: TurnOptions = defaultTurnOptions): VoiceTurn[] {
  const turns: VoiceTurn[] = [];
  for (const [start, end] of spans) {
    const pieces = Math.max(1, Math.ceil((end - start) / options.maxTurnS - 1e-9));
    const length = (end - start) / pieces;
    for (let p = 0; p < pieces; p++) turns.push({ start: start + p * length, end: start + (p + 1) * length });
  }
  return turns;
}

const FRAME = 400;
const HOP = 320;
const RATE = 16_000;
const MEL_BANDS = 24;
const CEPSTRA = 12;
/** Frames more than 30 dB under the turn's loudest are breath and line noise, not voice. */
const FLOOR_LOG10 = 3;

/** Length of each turn's feature vector: mean and standard deviation of cepstra c1..c12. */
export const VOICE_FEATURES = 2 * CEPSTRA;

let shared: VoicePrinter | undefined;

/** Per-turn voice features (VOICE_FEATURES numbers each) of 16 kHz audio; an empty array for a turn without voiced frames. */
export function voiceFeatures(samples: Float32Array, sampleRate: number, turns: VoiceTurn[]): Float64Array[] {
  if (sampleRate !== RATE) throw new Error(`voice features take ${RATE} Hz audio, got ${sampleRate} Hz`);
  shared ??= new VoicePrinter();
  return turns.map((turn) => shared!.turn(samples, turn));
}

class VoicePrinter {
  private readonly fft = new RealPowerSpectrum(FRAME);
  private readonly window = new Float64Array(FRAME);
  private readonly frame = new Float64Array(FRAME);
  private readonly power = new Float64Array(FRAME / 2 + 1);
  private readonly filters: Array<{ first: number; weights: Float64Array }>;
  private readonly dct: Float64Array;

  constructor() {
    for (let i = 0; i < FRAME; i++) this.window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / FRAME);
    // Triangular mel filters over the telephone band (100–3800 Hz): narrowband recordings have nothing above.
    const mel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
    const hz = (m: number) => 700 * (10 ** (m / 2595) - 1);
    const edges = Array.from(
      { length: MEL_BANDS + 2 },
      (_, i) => hz(mel(100) + ((mel(3800) - mel(100)) * i) / (MEL_BANDS + 1)) / (RATE / FRAME),
    );
    this.filters = Array.from({ length: MEL_BANDS }, (_, b) => {
      const [lo, mid, hi] = [edges[b], edges[b + 1], edges[b + 2]];
      const first = Math.ceil(lo);
      const weights = new Float64Array(Math.max(1, Math.floor(hi) - first + 1));
      for (let k = first; k <= Math.floor(hi); k++) {
        weights[k - first] = k <= mid ? (k - lo) / (mid - lo) : (hi - k) / (hi - mid);
      }
      return { first, weights };
    });
    this.dct = new Float64Array(CEPSTRA * MEL_BANDS);
    for (let c = 0; c < CEPSTRA; c++) {
      for (let b = 0; b < MEL_BANDS; b++) {
        this.dct[c * MEL_BANDS + b] = Math.cos((Math.PI * (c + 1) * (b + 0.5)) / MEL_BANDS);
      }
    }
  }

  turn(samples: Float32Array, turn: VoiceTurn): Float64Array {
    const from = Math.max(0, Math.floor(turn.start * RATE));
    const to = Math.min(samples.length, Math.floor(turn.end * RATE));
    const frames = Math.max(0, Math.floor((to - from - FRAME) / HOP) + 1);
    const logMel = new Float64Array(frames * MEL_BANDS);
    const energy = new Float64Array(frames);
    let loudest = -Infinity;
    for (let t = 0; t < frames; t++) {
      const at = from + t * HOP;
      let sum = 0;
      for (let i = 0; i < FRAME; i++) {
        const x = samples[at + i];
        sum += x * x;
        this.frame[i] = x * this.window[i];
      }
      // Digital silence is no voice at all: it never counts, however quiet the turn.
      energy[t] = sum === 0 ? -Infinity : Math.log10(sum);
      if (energy[t] > loudest) loudest = energy[t];
      if (sum === 0) continue;
      this.fft.power(this.frame, this.power);
      for (let b = 0; b < MEL_BANDS; b++) {
        const { first, weights } = this.filters[b];
        let band = 0;
        for (let k = 0; k < weights.length; k++) band += weights[k] * this.power[first + k];
        logMel[t * MEL_BANDS + b] = Math.log10(band + 1e-10);
      }
    }
    const sum = new Float64Array(CEPSTRA);
    const squares = new Float64Array(CEPSTRA);
    let used = 0;
    for (let t = 0; t < frames; t++) {
      if (energy[t] === -Infinity || energy[t] < loudest - FLOOR_LOG10) continue;
      used++;
      for (let c = 0; c < CEPSTRA; c++) {
        let value = 0;
        for (let b = 0; b < MEL_BANDS; b++) value += this.dct[c * MEL_BANDS + b] * logMel[t * MEL_BANDS + b];
        sum[c] += value;
        squares[c] += value * value;
      }
    }
    if (used === 0) return new Float64Array(0);
    const out = new Float64Array(VOICE_FEATURES);
    for (let c = 0; c < CEPSTRA; c++) {
      const mean = sum[c] / used;
      out[c] = mean;
      out[CEPSTRA + c] = Math.sqrt(Math.max(0, squares[c] / used - mean * mean));
    }
    return out;
  }
}

export interface VoiceClusters {
  /** 0 or 1 per turn; -1 for a turn without features. */
  labels: Int8Array;
  /**
   * How well the turns fall into two groups along their main axis of
   * variation: the share of its variance the best two-way cut explains,
   * rescaled so 0 is what one voice (a single Gaussian cloud) gives and 1 two
   * points. Measured on one axis, so a handful of turns in 24 dimensions
   * cannot make any split look clean. One synthetic voice: 0.1–0.2; two: 0.7–0.9.
   */
  separation: number;
}

/**
 * Pure and deterministic: two voices from per-turn features. Features are
 * standardised (weighted by turn length); the first principal component is
 * cut where it best separates two groups (Otsu's criterion), which seeds a
 * two-means refinement. A single odd turn cannot grab a cluster of its own, as
 * it can with farthest-point seeding.
 */
export function clusterVoices(features: Float64Array[], weights: number[]): VoiceClusters {
  const n = features.length;
  const labels = new Int8Array(n).fill(-1);
  const rows = features.map((f, i) => i).filter((i) => features[i].length > 0);
  if (rows.length < 2) {
    rows.forEach((i) => (labels[i] = 0));
    return { labels, separation: 0 };
  }
  const dims = features[rows[0]].length;
  const total = rows.reduce((s, i) => s + weights[i], 0);
  const mean = new Float64Array(dims);
  const scale = new Float64Array(dims);
  for (const i of rows) for (let d = 0; d < dims; d++) mean[d] += (weights[i] * features[i][d]) / total;
  for (const i of rows) {
    for (let d = 0; d < dims; d++) scale[d] += (weights[i] * (features[i][d] - mean[d]) ** 2) / total;
  }
  const z = rows.map((i) => {
    const row = new Float64Array(dims);
    for (let d = 0; d < dims; d++) row[d] = (features[i][d] - mean[d]) / Math.sqrt(scale[d] + 1e-12);
    return row;
  });
  const w = rows.map((i) => weights[i]);

  // First principal component by power iteration on the weighted covariance.
  let axis = Float64Array.from({ length: dims }, (_, d) => 1 / (d + 1));
  for (let iteration = 0; iteration < 50; iteration++) {
    const next = new Float64Array(dims);
    z.forEach((row, r) => {
      let dot = 0;
      for (let d = 0; d < dims; d++) dot += row[d] * axis[d];
      for (let d = 0; d < dims; d++) next[d] += w[r] * dot * row[d];
    });
    const norm = Math.hypot(...next) || 1;
    axis = next.map((x) => x / norm);
  }
  const projection = z.map((row) => row.reduce((s, x, d) => s + x * axis[d], 0));
  const order = projection.map((_, r) => r).sort((a, b) => projection[a] - projection[b]);
  let bestCut = 1;
  let bestScore = -Infinity;
  let leftW = 0;
  let leftSum = 0;
  const allSum = order.reduce((s, r) => s + w[r] * projection[r], 0);
  for (let k = 1; k < order.length; k++) {
    leftW += w[order[k - 1]];
    leftSum += w[order[k - 1]] * projection[order[k - 1]];
    const rightW = total - leftW;
    const between = leftW * rightW * (leftSum / leftW - (allSum - leftSum) / rightW) ** 2;
    if (between > bestScore) {
      bestScore = between;
      bestCut = k;
    }
  }
  // Share of the main axis's variance that the best cut explains: 2/π for one Gaussian cloud, 1 for two points.
  const spread = order.reduce((acc, r) => acc + w[r] * (projection[r] - allSum / total) ** 2, 0);
  const explained = spread > 0 ? bestScore / total / spread : 0;
  const separation = Math.max(0, (explained - 2 / Math.PI) / (1 - 2 / Math.PI));
  const assigned = new Int8Array(z.length);
  order.forEach((r, k) => (assigned[r] = k < bestCut ? 0 : 1));

  const centres = [new Float64Array(dims), new Float64Array(dims)];
  const distance = (row: Float64Array, centre: Float64Array) => {
    let s = 0;
    for (let d = 0; d < dims; d++) s += (row[d] - centre[d]) ** 2;
    return Math.sqrt(s);
  };
  for (let iteration = 0; iteration < 30; iteration++) {
    for (const c of [0, 1]) {
      centres[c].fill(0);
      let cw = 0;
      z.forEach((row, r) => {
        if (assigned[r] !== c) return;
        cw += w[r];
        for (let d = 0; d < dims; d++) centres[c][d] += w[r] * row[d];
      });
      if (cw > 0) for (let d = 0; d < dims; d++) centres[c][d] /= cw;
    }
    let moved = false;
    z.forEach((row, r) => {
      const label = distance(row, centres[0]) <= distance(row, centres[1]) ? 0 : 1;
      if (label !== assigned[r]) moved = true;
      assigned[r] = label;
    });
    if (!moved) break;
  }
  rows.forEach((i, r) => (labels[i] = assigned[r]));
  return { labels, separation };
}

/**
 * Pure: the voice of each timed text, by the turns it overlaps most (the
 * nearest turn if it overlaps none). -1 when no turn has a voice.
 */
export function voiceOfSpans(
  spans: Array<{ start: number; end: number }>,
  turns: VoiceTurn[],
  labels: Int8Array,
): number[] {
  return spans.map(({ start, end }) => {
    const overlap = [0, 0];
    let nearest = -1;
    let nearestGap = Infinity;
    turns.forEach((turn, i) => {
      if (labels[i] < 0) return;
      const shared = Math.min(end, turn.end) - Math.max(start, turn.start);
      if (shared > 0) overlap[labels[i]] += shared;
      const gap = Math.max(0, turn.start - end, start - turn.end);
      if (gap < nearestGap) {
        nearestGap = gap;
        nearest = labels[i];
      }
    });
    if (overlap[0] === 0 && overlap[1] === 0) return nearest;
    return overlap[0] >= overlap[1] ? 0 : 1;
  });
}

/** Where voice features are computed: a media thread in the workers, in-process in tests. */
export interface VoicePrints {
  voiceFeatures(samples: Float32Array, sampleRate: number, turns: VoiceTurn[]): Promise<Float64Array[]>;
}

export const inProcessVoicePrints: VoicePrints = {
  voiceFeatures: (samples, sampleRate, turns) => Promise.resolve(voiceFeatures(samples, sampleRate, turns)),
};

export interface MonoVoices {
  turns: VoiceTurn[];
  labels: Int8Array;
  separation: number;
}

/** One mono channel's speech → turns and two anonymous voices. */
export async function diariseMono(
  samples: Float32Array,
  sampleRate: number,
  spans: SpeechSpans,
  prints: VoicePrints = inProcessVoicePrints,
  options: TurnOptions = defaultTurnOptions,
): Promise<MonoVoices> {
  const turns = speechTurns(spans, options);
  if (turns.length === 0) return { turns, labels: new Int8Array(0), separation: 0 };
  const features = await prints.voiceFeatures(samples, sampleRate, turns);
  const { labels, separation } = clusterVoices(
    features,
    turns.map((t) => t.end - t.start),
  );
  return { turns, labels, separation };
}
