import { mulberry32 } from '../../models/mulberry32.ts';
import { corruptText } from './asr-error-simulator.ts';
import { normaliseText } from './normalise-text.ts';

/**
 * The pairs of adjacent Han characters a model's training text holds, and
 * how many of a transcript's pairs it does not know on clean text and at
 * 20 % CER: a gauge of how noisy a transcript reads. ASR errors make pairs
 * nobody writes (您好 heard as 拧好, 为您服务 as 喂您服务), so a transcript
 * with many unknown pairs reads as noisy, whatever its words. A learned rule
 * uses the gauge to lower its threshold on noisy transcripts
 * (`noisyThreshold`), where every turn's probability sinks as its grams
 * break.
 */
export interface KnownPairs {
  /** log2 of the bits of the set. */
  bits: number;
  /** A bitset: bit h is set when some known pair hashes to h. */
  set: Uint8Array;
  /** Median share of unknown pairs in a clean dialogue the table never read (cross-validated). */
  clean: number;
  /** The same, with the dialogue through the ASR-error simulator at `noiseCer`. */
  noisy: number;
  noiseCer: number;
}

/** Fewer pairs than this say too little: the transcript counts as clean. */
const MIN_PAIRS = 20;
/**
 * The segments read until this many pairs say enough (the share's spread is
 * then under 3 points, the gap between clean and noisy over 20): a long call
 * is not read to its end on every score.
 */
const ENOUGH_PAIRS = 400;

const isHan = (code: number): boolean => code >= 0x4e00 && code <= 0x9fff;

function pairHash(a: number, b: number, bits: number): number {
  return Math.imul(Math.imul(a, 65_599) + b, 2_654_435_761) >>> (32 - bits);
}

/** Calls `visit` with the set bit of every pair of adjacent Han characters in `text`. */
function eachPair(text: string, bits: number, visit: (bit: number) => void): void {
  for (let i = 1; i < text.length; i += 1) {
    const a = text.charCodeAt(i - 1);
    const b = text.charCodeAt(i);
    if (isHan(a) && isHan(b)) visit(pairHash(a, b, bits));
  }
}

function addPairs(set: Uint8Array, bits: number, text: string): void {
  eachPair(text, bits, (h) => {
    set[h >>> 3] |= 1 << (h & 7);
  });
}

/**
 * The share of Han pairs the set does not hold, and how many pairs there
 * were, over `texts` in order until `ENOUGH_PAIRS`.
 */
function unknownShare(
  set: Uint8Array,
  bits: number,
  texts: readonly string[],
): [share: number, pairs: number] {
  let pairs = 0;
  let unknown = 0;
  const count = (h: number) => {
    pairs += 1;
    if ((set[h >>> 3] & (1 << (h & 7))) === 0) unknown += 1;
  };
  for (const text of texts) {
    if (pairs >= ENOUGH_PAIRS) break;
    eachPair(text, bits, count);
  }
  return [pairs === 0 ? 0 : unknown / pairs, pairs];
}

/**
 * How noisy a transcript reads, 0..1, from the normalised texts of the turns
 * a learned rule reads (Traditional characters read as Simplified, as the
 * model reads them; the agent's words, which scoring normalises anyway): 0 at
 * or below the share of unknown pairs of a clean dialogue, 1 at or above that
 * of one at `noiseCer`, linear between.
 */
export function noiseLevel(known: KnownPairs, normalised: readonly string[]): number {
  const [share, pairs] = unknownShare(known.set, known.bits, normalised);
  if (pairs < MIN_PAIRS || known.noisy <= known.clean) return 0;
  return Math.min(1, Math.max(0, (share - known.clean) / (known.noisy - known.clean)));
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor((sorted.length - 1) / 2)];
};

/** One turn of a dialogue the pairs are learned from: its text as written, and whether the gauge reads it. */
export interface PairTurn {
  text: string;
  /** An agent's turn: what a learned rule reads, and so what the gauge reads at scoring. */
  gauged: boolean;
}

/**
 * The pairs of every turn of the dialogues (all speakers) and of `extra`
 * (turn banks), normalised, with the gauge's two levels measured by k-fold
 * cross-validation by dialogue: each fold's gauged turns are read against a
 * table of the other folds and `extra`, as written and through the
 * ASR-error simulator (seeded), so the levels are what a dialogue the table
 * never read gives.
 */
export function learnKnownPairs(
  dialogues: readonly (readonly PairTurn[])[],
  extra: readonly string[],
  { bits, noiseCer, seed, folds = 5 }: { bits: number; noiseCer: number; seed: number; folds?: number },
): KnownPairs {
  const read = dialogues.map((turns) => turns.map((turn) => normaliseText(turn.text)));
  const tableOf = (keep: (n: number) => boolean) => {
    const set = new Uint8Array(1 << (bits - 3));
    read.forEach((texts, n) => {
      if (keep(n)) for (const text of texts) addPairs(set, bits, text);
    });
    for (const text of extra) addPairs(set, bits, normaliseText(text));
    return set;
  };
  const random = mulberry32(seed);
  const clean: number[] = [];
  const noisy: number[] = [];
  for (let fold = 0; fold < folds; fold += 1) {
    const set = tableOf((n) => n % folds !== fold);
    dialogues.forEach((turns, n) => {
      if (n % folds !== fold) return;
      const gauged = turns.flatMap((turn, i) => (turn.gauged ? [i] : []));
      const [share, pairs] = unknownShare(
        set,
        bits,
        gauged.map((i) => read[n][i]),
      );
      if (pairs < MIN_PAIRS) return;
      clean.push(share);
      const heard = gauged.map((i) => normaliseText(corruptText(turns[i].text, noiseCer, random)));
      noisy.push(unknownShare(set, bits, heard)[0]);
    });
  }
  return { bits, set: tableOf(() => true), clean: median(clean), noisy: median(noisy), noiseCer };
}

/** As a model's JSON keeps it: the set as base64. */
export interface StoredKnownPairs {
  bits: number;
  clean: number;
  noisy: number;
  noiseCer: number;
  set: string;
}

export function storeKnownPairs(known: KnownPairs): StoredKnownPairs {
  const { bits, clean, noisy, noiseCer } = known;
  return { bits, clean, noisy, noiseCer, set: Buffer.from(known.set).toString('base64') };
}

export function loadKnownPairs(stored: StoredKnownPairs, modelId: string): KnownPairs {
  const set = new Uint8Array(Buffer.from(stored.set, 'base64'));
  if (set.length !== 1 << (stored.bits - 3)) {
    throw new Error(
      `model ${modelId}: ${set.length} bytes of known pairs, expected ${1 << (stored.bits - 3)}`,
    );
  }
  return { ...stored, set };
}
