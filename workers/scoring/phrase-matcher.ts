import { normaliseText } from './normalise-text.ts';
import {
  coarseIdOf,
  costMatrix,
  MATRIX,
  NEAR_COST,
  syllableCost,
  syllableIdOfCode,
} from './syllable-table.ts';

/**
 * Approximate phrase search that survives ASR errors: the best window of a
 * segment is found by edit distance where a substitution costs 0 for the same
 * character, and — with pinyin on — 0 for the same toneless syllable
 * (在见/再见), 0.25 for an accent merge (zh/z, n/l, in/ing) and 0.5 for a
 * syllable one letter away (您/你). similarity = 1 − cost / phrase length.
 * A bit-set prefilter per segment skips the edit distance when the phrase
 * cannot reach its threshold there.
 */

export interface CompiledPhrase {
  /** As the scorecard author wrote it (shown in evidence). */
  raw: string;
  /** Normalised text. */
  text: string;
  codes: Int32Array;
  syllables: Int32Array;
  coarse: Int32Array;
  pinyin: boolean;
  /** Lowest threshold any use of this phrase asks for; the prefilter is sound for it. */
  prefilterThreshold: number;
  /** Position in the scorecard's PhraseIndex, or -1 for ad-hoc phrases. */
  slot: number;
}

/**
 * Inverted index over a scorecard's phrases (q-gram counting filter): each
 * segment adds, per character, the weight of every phrase position that
 * character could satisfy; a phrase whose present weight is under `need`
 * cannot reach its threshold there, so ~90% of (phrase, segment) pairs are
 * rejected without touching the phrase.
 */
export interface PhraseIndex {
  size: number;
  /** By character code, and by coarse syllable id: flat lists of (slot, weight) pairs. */
  charPostings: Array<number[] | undefined>;
  coarsePostings: Array<number[] | undefined>;
  need: Float32Array;
}

const COARSE_KEY = 1 << 20;

function positionKey(phrase: CompiledPhrase, i: number): { key: number; weight: number } {
  if (phrase.pinyin && phrase.syllables[i] !== 0)
    return { key: COARSE_KEY + phrase.coarse[i], weight: NEAR_COST };
  return { key: phrase.codes[i], weight: 1 };
}

export function buildPhraseIndex(phrases: CompiledPhrase[]): PhraseIndex {
  const charPostings: Array<number[] | undefined> = [];
  const coarsePostings: Array<number[] | undefined> = [];
  const need = new Float32Array(phrases.length);
  phrases.forEach((phrase, slot) => {
    phrase.slot = slot;
    let total = 0;
    for (let i = 0; i < phrase.codes.length; i += 1) {
      const { key, weight } = positionKey(phrase, i);
      total += weight;
      const [table, at] = key >= COARSE_KEY ? [coarsePostings, key - COARSE_KEY] : [charPostings, key];
      const list = table[at] ?? [];
      list.push(slot, weight);
      table[at] = list;
    }
    need[slot] = total - (1 - phrase.prefilterThreshold) * phrase.codes.length - 1e-6;
  });
  return { size: phrases.length, charPostings, coarsePostings, need };
}

/**
 * Present weight per phrase slot for one segment. Repeated characters may
 * count twice: that only lets more phrases through to the exact check, never fewer.
 */
export function presentWeights(index: PhraseIndex, target: MatchableText): Float32Array {
  const weights = new Float32Array(index.size);
  const text = target.text;
  for (let i = 0; i < text.length; i += 1) {
    const byChar = index.charPostings[text.charCodeAt(i)];
    if (byChar) for (let p = 0; p < byChar.length; p += 2) weights[byChar[p]] += byChar[p + 1];
    const syllable = target.syllables[i];
    if (syllable === 0) continue;
    const byCoarse = index.coarsePostings[coarseIdOf(syllable)];
    if (byCoarse) for (let p = 0; p < byCoarse.length; p += 2) weights[byCoarse[p]] += byCoarse[p + 1];
  }
  return weights;
}

/** One normalised segment with everything the matcher needs, computed once per call. */
export interface MatchableText {
  text: string;
  syllables: Int32Array;
  /** Bit sets (1,024 bits each) of the coarse syllable keys and of hashed character codes. */
  coarseBits: Uint32Array;
  charBits: Uint32Array;
}

export interface PhraseMatch {
  /** Offsets in the normalised segment text. */
  from: number;
  to: number;
  similarity: number;
  exact: boolean;
}

const BITS = 1024;

function setBit(bits: Uint32Array, value: number): void {
  const slot = value & (BITS - 1);
  bits[slot >>> 5] |= 1 << (slot & 31);
}

function hasBit(bits: Uint32Array, value: number): boolean {
  const slot = value & (BITS - 1);
  return (bits[slot >>> 5] & (1 << (slot & 31))) !== 0;
}

export function compilePhrase(
  raw: string,
  options: { pinyin: boolean; minPinyinChars: number; threshold: number },
): CompiledPhrase {
  const text = normaliseText(raw);
  const codes = new Int32Array(text.length);
  const syllables = new Int32Array(text.length);
  const coarse = new Int32Array(text.length);
  let syllableCount = 0;
  for (let i = 0; i < text.length; i += 1) {
    codes[i] = text.charCodeAt(i);
    syllables[i] = syllableIdOfCode(codes[i]);
    coarse[i] = coarseIdOf(syllables[i]);
    if (syllables[i] !== 0) syllableCount += 1;
  }
  // One- and short phrases are matched on characters only: 喂 by pinyin would
  // also hit 为/位 in 为您服务.
  const pinyin = options.pinyin && syllableCount >= options.minPinyinChars;
  return { raw, text, codes, syllables, coarse, pinyin, prefilterThreshold: options.threshold, slot: -1 };
}

export function prepareText(raw: string): MatchableText {
  const text = normaliseText(raw);
  const syllables = new Int32Array(text.length);
  const bits = new Uint32Array(BITS / 16);
  const coarseBits = bits.subarray(0, BITS / 32);
  const charBits = bits.subarray(BITS / 32);
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    const syllable = syllableIdOfCode(code);
    syllables[i] = syllable;
    setBit(charBits, code);
    if (syllable !== 0) setBit(coarseBits, coarseIdOf(syllable));
  }
  return { text, syllables, coarseBits, charBits };
}

/** Lower bound of the edit cost: phrase positions whose character and coarse syllable are both absent. */
function costLowerBound(phrase: CompiledPhrase, target: MatchableText, budget: number): number {
  let bound = 0;
  for (let i = 0; i < phrase.codes.length; i += 1) {
    if (hasBit(target.charBits, phrase.codes[i])) continue;
    if (phrase.pinyin && phrase.syllables[i] !== 0) {
      if (hasBit(target.coarseBits, phrase.coarse[i])) continue;
      bound += NEAR_COST;
    } else {
      bound += 1;
    }
    if (bound > budget) return bound;
  }
  return bound;
}

let costs = new Float64Array(64);
let starts = new Int32Array(64);

/** Best window of `target` for `phrase`, or null when similarity stays under the prefilter threshold. */
export function matchPhrase(phrase: CompiledPhrase, target: MatchableText): PhraseMatch | null {
  const m = phrase.codes.length;
  const n = target.text.length;
  if (m === 0 || n === 0) return null;
  const budget = (1 - phrase.prefilterThreshold) * m + 1e-9;
  if (costLowerBound(phrase, target, budget) > budget) return null;
  if (costs.length < m + 1) {
    costs = new Float64Array(m * 2 + 2);
    starts = new Int32Array(m * 2 + 2);
  }
  // One column per text position; costs[i] = best cost of aligning phrase[0..i) ending here.
  // Ukkonen's cut-off: rows below `top` are the only ones that can still end
  // under budget, so each column is computed only that far.
  for (let i = 0; i <= m; i += 1) {
    costs[i] = i;
    starts[i] = 0;
  }
  let top = Math.min(m, Math.floor(budget));
  let best = Infinity;
  let bestFrom = 0;
  let bestTo = 0;
  const text = target.text;
  const codes = phrase.codes;
  const syllables = phrase.syllables;
  const usePinyin = phrase.pinyin;
  for (let j = 1; j <= n; j += 1) {
    const code = text.charCodeAt(j - 1);
    const syllable = target.syllables[j - 1];
    let diagCost = costs[0];
    let diagStart = starts[0];
    costs[0] = 0;
    starts[0] = j;
    const last = Math.min(m, top + 1);
    for (let i = 1; i <= last; i += 1) {
      let sub = 1;
      if (codes[i - 1] === code) sub = 0;
      else if (usePinyin && syllable !== 0) {
        const own = syllables[i - 1];
        if (own === syllable) sub = 0;
        else if (own !== 0) {
          // Inline lookup: this is the hottest line of scoring.
          sub = own < MATRIX && syllable < MATRIX ? costMatrix[own * MATRIX + syllable] : -1;
          if (sub < 0) sub = syllableCost(own, syllable);
        }
      }
      let cost = diagCost + sub;
      let start = diagStart;
      const skipText = costs[i] + 1;
      if (skipText < cost) {
        cost = skipText;
        start = starts[i];
      }
      const skipPhrase = costs[i - 1] + 1;
      if (skipPhrase < cost) {
        cost = skipPhrase;
        start = starts[i - 1];
      }
      diagCost = costs[i];
      diagStart = starts[i];
      costs[i] = cost;
      starts[i] = start;
    }
    // Rows past `last` keep stale values that are all over budget, which is all that matters for them.
    top = last;
    while (top > 0 && costs[top] > budget) top -= 1;
    if (top === m && costs[m] < best) {
      best = costs[m];
      bestFrom = starts[m];
      bestTo = j;
      if (best === 0) break;
    }
  }
  if (best > budget) return null;
  const similarity = Math.max(0, 1 - best / m);
  return {
    from: bestFrom,
    to: bestTo,
    similarity,
    exact: best === 0 && text.slice(bestFrom, bestTo) === phrase.text,
  };
}

/** The text after `from` (bit sets kept: a superset is still a sound prefilter). */
export function textFrom(target: MatchableText, from: number): MatchableText {
  return { ...target, text: target.text.slice(from), syllables: target.syllables.subarray(from) };
}
