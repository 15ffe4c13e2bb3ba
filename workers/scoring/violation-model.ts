import { mulberry32 } from '../../models/mulberry32.ts';
import { type KnownPairs, loadKnownPairs, type StoredKnownPairs, storeKnownPairs } from './known-pairs.ts';
import { OTHER_KEY, soundKey } from './sound-text.ts';

/**
 * A learned second opinion on 服务忌语: logistic regression over the hashed
 * character 1- to 3-grams of an agent turn (normalised text, with its start
 * and end marked). The phrase families say *why* a turn is a violation; this
 * model only says a turn reads like the violations people labelled, so a
 * card uses it to send such turns to a human (`learned` rule: status
 * review, never a deduction).
 *
 * Trained on the dev halves of the labelled corpora (`callqa scorecard
 * train`), deterministically from a seed; the test halves never see it. A
 * model is immutable once a card names it (`violation-ngrams@1`): retraining
 * makes a new id, as a changed card makes a new version.
 */

/**
 * What a gram is made of: the turn's characters, or each Han character's
 * toneless syllable (its sound key: 再 and 在 are one unit, as ASR hears
 * them), or both.
 */
export const GRAM_UNITS = ['characters', 'syllables', 'both'] as const;
export type GramUnits = (typeof GRAM_UNITS)[number];

export interface ViolationModel {
  id: string;
  /** log2 of the number of hash buckets. */
  bits: number;
  /** Absent in models trained before syllables: characters. */
  units?: GramUnits;
  bias: number;
  weights: Float32Array;
  /** The character pairs of its training text, a gauge of noisy transcripts (known-pairs.ts); absent before violation-ngrams@5. */
  pairs?: KnownPairs;
}

export interface TrainingTurn {
  /** Normalised text of one agent turn. */
  text: string;
  violation: boolean;
  /** The turn as written, before normalising: what noisy copies are drawn from. */
  written?: string;
}

export interface TrainingOptions {
  bits: number;
  epochs: number;
  rate: number;
  l2: number;
  /** Weight of a violation in the loss. */
  positiveWeight: number;
  seed: number;
  /**
   * Copies of every turn as ASR might hear it, at `noiseCer` (the error
   * simulator's 60/20/20 mix), learned beside the turns themselves
   * (`learnViolationModel`). Absent in models trained before them: none.
   */
  noisyCopies?: number;
  noiseCer?: number;
  /** The units grams are made of; absent in models trained before syllables: characters. */
  units?: GramUnits;
  /**
   * log2 of the bits of the known-pairs set kept with the model (the gauge
   * of noisy transcripts a card's `noisyThreshold` reads); absent in models
   * trained before it: none.
   */
  knownPairs?: number;
}

/**
 * Violations are ~9 % of the dialogues' agent turns and a quarter of the
 * turn banks', so they are weighted as they come (weight 3 with the
 * dialogues alone, for violation-ngrams@1); two noisy copies at 20 % CER
 * raised recall on clean and noisy text alike. Grams of syllables keep what
 * a turn reads like when ASR writes a homophone, but cost recall on clean
 * text from writers the model never read, and on noisy text too: characters
 * (docs/benchmarks.md).
 */
export const DEFAULT_TRAINING: TrainingOptions = {
  bits: 16,
  epochs: 8,
  rate: 0.2,
  l2: 1e-5,
  positiveWeight: 1,
  seed: 7,
  noisyCopies: 2,
  noiseCer: 0.2,
  units: 'characters',
  knownPairs: 20,
};

/** Marks framing a turn, so a gram can say it opens or closes one. */
const START = 0x0002;
const END = 0x0003;

/** Dedup stamps per bucket, the framed code units and the buckets found: reused, never allocated per turn. */
let stamps = new Uint8Array(1 << 16);
let stamp = 0;
let framed = new Uint16Array(256);
let found = new Int32Array(768);

/**
 * Adds the distinct buckets of the 1- to 3-grams of `framed[0..length)` to
 * `found`, after `count` of them; `salt` keeps syllable grams apart from
 * character grams (0 for characters, as models before syllables hashed them).
 */
function addGrams(length: number, mask: number, count: number, salt: number): number {
  for (let i = 0; i < length; i += 1) {
    let h = Math.imul(2166136261 ^ framed[i], 16777619);
    for (let n = 1; n <= 3 && i + n <= length; n += 1) {
      if (n > 1) h = Math.imul(h ^ framed[i + n - 1], 16777619);
      const bucket = (Math.imul(h ^ n ^ salt, 16777619) >>> 0) & mask;
      if (stamps[bucket] !== stamp) {
        stamps[bucket] = stamp;
        found[count++] = bucket;
      }
    }
  }
  return count;
}

const SYLLABLE_SALT = 0x100;

/**
 * Fills `found` with the distinct buckets of the turn's 1- to 3-grams (the
 * text framed by START and END marks) and returns how many. A gram's bucket
 * is FNV-1a over its units, then its length; each gram extends the one
 * before it. Syllable grams spell each Han character by its sound key and
 * keep every other character as it is.
 */
function fillBuckets(normalised: string, bits: number, units: GramUnits): number {
  const size = 1 << bits;
  if (stamps.length < size) stamps = new Uint8Array(size);
  if (stamp === 255) {
    stamps.fill(0);
    stamp = 0;
  }
  stamp += 1;
  const length = normalised.length + 2;
  if (framed.length < length) framed = new Uint16Array(length * 2);
  if (found.length < length * 6) found = new Int32Array(length * 12);
  framed[0] = START;
  framed[length - 1] = END;
  let count = 0;
  if (units !== 'syllables') {
    for (let i = 0; i < normalised.length; i += 1) framed[i + 1] = normalised.charCodeAt(i);
    count = addGrams(length, size - 1, count, 0);
  }
  if (units !== 'characters') {
    for (let i = 0; i < normalised.length; i += 1) {
      const code = normalised.charCodeAt(i);
      const key = soundKey(code);
      framed[i + 1] = key === OTHER_KEY ? code : key;
    }
    count = addGrams(length, size - 1, count, SYLLABLE_SALT);
  }
  return count;
}

/** The distinct buckets of a turn's grams. */
export function turnFeatures(normalised: string, bits: number, units: GramUnits = 'characters'): Int32Array {
  return found.slice(0, fillBuckets(normalised, bits, units));
}

function logit(model: Pick<ViolationModel, 'bias' | 'weights'>, features: Int32Array): number {
  let z = model.bias;
  for (let i = 0; i < features.length; i += 1) z += model.weights[features[i]];
  return z;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** How much a normalised agent turn reads like a labelled violation, 0..1. */
export function violationProbability(model: ViolationModel, normalised: string): number {
  const count = fillBuckets(normalised, model.bits, model.units ?? 'characters');
  const { weights } = model;
  let z = model.bias;
  for (let i = 0; i < count; i += 1) z += weights[found[i]];
  return sigmoid(z);
}

/** Stochastic gradient descent in a seeded order: the same turns give the same weights. */
export function trainViolationModel(
  id: string,
  turns: TrainingTurn[],
  options: TrainingOptions = DEFAULT_TRAINING,
): ViolationModel {
  const units = options.units ?? 'characters';
  const features = turns.map((t) => turnFeatures(t.text, options.bits, units));
  const model = {
    id,
    bits: options.bits,
    ...(units === 'characters' ? {} : { units }),
    bias: -3,
    weights: new Float32Array(1 << options.bits),
  };
  const random = mulberry32(options.seed);
  const order = turns.map((_, i) => i);
  for (let epoch = 0; epoch < options.epochs; epoch += 1) {
    for (let i = order.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const k of order) {
      const y = turns[k].violation ? 1 : 0;
      const gradient = (y ? options.positiveWeight : 1) * (sigmoid(logit(model, features[k])) - y);
      model.bias -= options.rate * gradient;
      for (const f of features[k]) {
        model.weights[f] -= options.rate * (gradient + options.l2 * model.weights[f]);
      }
    }
  }
  return model;
}

/** The JSON a model is kept in: weights as little-endian float32, base64. */
export interface StoredViolationModel {
  id: string;
  kind: 'violation-ngrams';
  bits: number;
  bias: number;
  trainedOn: {
    turns: number;
    violations: number;
    corpora: string[];
    split: string;
    /** Turn banks learned from as well, and how many of the turns came from them. */
    banks?: string[];
    bankTurns?: number;
  };
  options: TrainingOptions;
  weights: string;
  pairs?: StoredKnownPairs;
}

export function storeModel(
  model: ViolationModel,
  trainedOn: StoredViolationModel['trainedOn'],
  options: TrainingOptions,
): StoredViolationModel {
  const bytes = new Uint8Array(model.weights.buffer, model.weights.byteOffset, model.weights.byteLength);
  return {
    id: model.id,
    kind: 'violation-ngrams',
    bits: model.bits,
    bias: model.bias,
    trainedOn,
    options,
    weights: Buffer.from(bytes).toString('base64'),
    ...(model.pairs ? { pairs: storeKnownPairs(model.pairs) } : {}),
  };
}

export function loadStoredModel(stored: StoredViolationModel): ViolationModel {
  const bytes = Buffer.from(stored.weights, 'base64');
  if (bytes.length !== 4 << stored.bits) {
    throw new Error(`model ${stored.id}: ${bytes.length} weight bytes, expected ${4 << stored.bits}`);
  }
  const weights = new Float32Array(1 << stored.bits);
  new Uint8Array(weights.buffer).set(bytes);
  const units = stored.options.units ?? 'characters';
  return {
    id: stored.id,
    bits: stored.bits,
    ...(units === 'characters' ? {} : { units }),
    bias: stored.bias,
    weights,
    ...(stored.pairs ? { pairs: loadKnownPairs(stored.pairs, stored.id) } : {}),
  };
}
