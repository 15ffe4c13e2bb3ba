import { isHardCode, isNegatorCode } from './hard-characters.ts';
import { normaliseText } from './normalise-text.ts';
import {
  coarseIdOf,
  MATRIX,
  NEAR_COST,
  nearIdOf,
  quarterCosts,
  syllableCost,
  syllableIdOfCode,
  UNKNOWN_COST,
} from './syllable-table.ts';

/**
 * Approximate phrase search that survives ASR errors: the best window of a
 * segment is found by edit distance where a substitution costs 0 for the same
 * character, and — with pinyin on — 0 for the same toneless syllable
 * (在见/再见), 0.25 for an accent merge (zh/z, n/l, in/ing) and 0.5 for a
 * syllable one letter away. A negator or 您/你 is never edited (see
 * hard-characters.ts): 可以 does not match 不可以, nor 您 match 你.
 * similarity = 1 − cost / phrase length.
 * A counting prefilter (`mayMatch`) skips the edit distance when the phrase
 * cannot reach its threshold in the segment.
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
  /** Pinyin substitution costs by (text syllable, phrase position), filled by `substitutionRows`. */
  costRows?: Uint8Array;
}

/**
 * A counting filter over a scorecard's phrases. A position of a pinyin phrase
 * is keyed by its coarse syllable and by its near group (`nearSyllable`),
 * NEAR_COST each; any other position by its character, 1. In any alignment a
 * position costs at least what its keys absent from the segment weigh: 1 when
 * neither group occurs (no syllable there is within reach: 再见 in a turn with
 * 在 but no jia/jian/jiang), NEAR_COST when only the near group does (a nasal
 * pair: 你 for 您), 0 when its accent group does. Summing those per phrase
 * gives a lower bound of the edit cost; a phrase whose bound is over its
 * budget cannot match the segment, which rejects most (phrase, segment) pairs
 * without the edit distance.
 *
 * A segment's keys are a small bit set (`segmentKeys`), and a phrase's bound
 * is summed only when a rule asks for that phrase there (`mayMatch`): a call
 * asks for a dozen of the card's phrases per segment, not for all of them.
 */
export interface PhraseIndex {
  size: number;
  /** Per character code, coarse and near syllable id: 1 + its bit in a segment's key set, 0 = no phrase has it. */
  charBit: Int32Array;
  coarseBit: Int32Array;
  nearBit: Int32Array;
  /**
   * Per character code, filled on first sight: at 2·code its coarse bit and at
   * 2·code + 1 its near bit (1-based, 0 = none), −1 until looked up. A
   * character's syllable and groups never change, so one lookup replaces the
   * walk from character to syllable to group to bit (`segmentKeys` reads every
   * character of a call).
   */
  soundBits: Int32Array;
  /** 32-bit words of a segment's key set. */
  words: number;
  /** Slot s's positions are [bit, weight in half units] pairs in positions[start[s]..start[s + 1]). */
  start: Int32Array;
  positions: Int32Array;
  /** Per slot, in half units: the most absent weight its threshold allows (a whole number of halves is within the budget exactly when it is within its floor). */
  allowance: Int32Array;
}

const CODE_POINTS = 0x10000;

type KeyKind = 'char' | 'coarse' | 'near';

/** A position's keys and their weights in half units (every weight is a multiple of 0.5). */
function positionKeys(
  phrase: CompiledPhrase,
  i: number,
): Array<{ kind: KeyKind; key: number; halves: number }> {
  if (phrase.pinyin && phrase.syllables[i] !== 0) {
    return [
      { kind: 'coarse', key: phrase.coarse[i], halves: 2 * NEAR_COST },
      { kind: 'near', key: nearIdOf(phrase.syllables[i]), halves: 2 * NEAR_COST },
    ];
  }
  return [{ kind: 'char', key: phrase.codes[i], halves: 2 }];
}

/** The edit cost a phrase may spend and still reach its (most lenient) threshold. */
function budgetOf(phrase: CompiledPhrase): number {
  return (1 - phrase.prefilterThreshold) * phrase.codes.length + 1e-9;
}

export function buildPhraseIndex(phrases: CompiledPhrase[]): PhraseIndex {
  const bits: Record<KeyKind, Map<number, number>> = { char: new Map(), coarse: new Map(), near: new Map() };
  let nextBit = 0;
  const start = [0];
  const positions: number[] = [];
  const allowance = new Int32Array(phrases.length);
  phrases.forEach((phrase, slot) => {
    phrase.slot = slot;
    for (let i = 0; i < phrase.codes.length; i += 1) {
      for (const { kind, key, halves } of positionKeys(phrase, i)) {
        let bit = bits[kind].get(key);
        if (bit === undefined) {
          bit = nextBit;
          nextBit += 1;
          bits[kind].set(key, bit);
        }
        positions.push(bit, halves);
      }
    }
    start.push(positions.length);
    allowance[slot] = Math.floor(2 * budgetOf(phrase));
  });
  const table = (kind: KeyKind, length: number): Int32Array => {
    const out = new Int32Array(length);
    for (const [key, bit] of bits[kind]) out[key] = 1 + bit;
    return out;
  };
  return {
    size: phrases.length,
    charBit: table('char', CODE_POINTS),
    coarseBit: table('coarse', Math.max(0, ...bits.coarse.keys()) + 1),
    nearBit: table('near', Math.max(0, ...bits.near.keys()) + 1),
    soundBits: new Int32Array(2 * CODE_POINTS).fill(-1),
    words: Math.max(1, Math.ceil(nextBit / 32)),
    start: Int32Array.from(start),
    positions: Int32Array.from(positions),
    allowance,
  };
}

function setBit(keys: Int32Array, at: number, oneBased: number): void {
  if (oneBased === 0) return;
  const bit = oneBased - 1;
  keys[at + (bit >> 5)] |= 1 << (bit & 31);
}

/** Fills `index.soundBits` for one character code (see there). */
function lookUpSoundBits(index: PhraseIndex, code: number): void {
  const { coarseBit, nearBit, soundBits } = index;
  const syllable = syllableIdOfCode(code);
  const coarse = syllable === 0 ? 0 : coarseIdOf(syllable);
  const near = syllable === 0 ? 0 : nearIdOf(syllable);
  soundBits[2 * code] = syllable !== 0 && coarse < coarseBit.length ? coarseBit[coarse] : 0;
  soundBits[2 * code + 1] = syllable !== 0 && near < nearBit.length ? nearBit[near] : 0;
}

/** Sets in `keys` (`index.words` words at `at`, zero) the bits of the phrase keys `text` (normalised) holds. */
export function segmentKeys(index: PhraseIndex, text: string, keys: Int32Array, at: number): void {
  const { charBit, soundBits } = index;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    setBit(keys, at, charBit[code]);
    if (soundBits[2 * code] < 0) lookUpSoundBits(index, code);
    setBit(keys, at, soundBits[2 * code]);
    setBit(keys, at, soundBits[2 * code + 1]);
  }
}

/** Whether the phrase in `slot` could reach its threshold in a segment with these keys (`segmentKeys`). */
export function mayMatch(index: PhraseIndex, keys: Int32Array, at: number, slot: number): boolean {
  const { positions } = index;
  const allowance = index.allowance[slot];
  let absent = 0;
  const end = index.start[slot + 1];
  for (let p = index.start[slot]; p < end; p += 2) {
    const bit = positions[p];
    if (((keys[at + (bit >> 5)] >>> (bit & 31)) & 1) === 0) {
      absent += positions[p + 1];
      if (absent > allowance) return false;
    }
  }
  return true;
}

/**
 * One normalised segment. Syllables are not stored: the matcher reads them
 * from the per-character table (`syllableIdOfCode`), which saves an array per
 * segment.
 */
export interface MatchableText {
  text: string;
}

export interface PhraseMatch {
  /** Offsets in the normalised segment text. */
  from: number;
  to: number;
  similarity: number;
  exact: boolean;
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
  return { text: normaliseText(raw) };
}

/** Substitution cost of phrase position i for a text character with `syllable` (non-zero), codes differing. */
function pinyinCost(phrase: CompiledPhrase, i: number, syllable: number): number {
  const own = phrase.syllables[i];
  if (own === syllable) return 0;
  if (own === 0) return 1;
  const quarters = own < MATRIX && syllable < MATRIX ? quarterCosts[own * MATRIX + syllable] : UNKNOWN_COST;
  return quarters !== UNKNOWN_COST ? quarters * 0.25 : syllableCost(own, syllable);
}

/**
 * Per-phrase memo of `pinyinCost` in quarter units, one row of phrase positions
 * per text syllable: a DP column reads one short row instead of branching on
 * syllables and probing the big matrix per cell.
 */
function substitutionRows(phrase: CompiledPhrase): Uint8Array {
  phrase.costRows ??= new Uint8Array(MATRIX * phrase.codes.length).fill(UNKNOWN_COST);
  return phrase.costRows;
}

function memoPinyinCost(phrase: CompiledPhrase, rows: Uint8Array, at: number, syllable: number): number {
  const cost = pinyinCost(phrase, at % phrase.codes.length, syllable);
  // Every cost the table produces is a whole number of quarters; anything else is just not memoised.
  if (Number.isInteger(cost * 4) && cost * 4 < UNKNOWN_COST) rows[at] = cost * 4;
  return cost;
}

let costBuffer = new Float64Array(64);
let startBuffer = new Int32Array(64);

/** Best window of `target` for `phrase`, or null when similarity stays under the prefilter threshold. */
export function matchPhrase(phrase: CompiledPhrase, target: MatchableText): PhraseMatch | null {
  const m = phrase.codes.length;
  const n = target.text.length;
  if (m === 0 || n === 0) return null;
  const budget = budgetOf(phrase);
  if (costBuffer.length < m + 1) {
    costBuffer = new Float64Array(m * 2 + 2);
    startBuffer = new Int32Array(m * 2 + 2);
  }
  const costs = costBuffer;
  const starts = startBuffer;
  // One column per text position; costs[i] = best cost of aligning phrase[0..i) ending here.
  // Ukkonen's cut-off: rows below `top` are the only ones that can still end
  // under budget, so each column is computed only that far.
  // An edit involving a hard character costs more than any budget.
  const never = m + 1;
  // Column 0: phrase characters before the text starts are dropped (never a hard one).
  costs[0] = 0;
  starts[0] = 0;
  for (let i = 1; i <= m; i += 1) {
    costs[i] = costs[i - 1] + (isHardCode(phrase.codes[i - 1]) ? never : 1);
    starts[i] = 0;
  }
  let top = Math.min(m, Math.floor(budget));
  let best = Infinity;
  let bestFrom = 0;
  let bestTo = 0;
  const text = target.text;
  const codes = phrase.codes;
  const usePinyin = phrase.pinyin;
  const rows = usePinyin ? substitutionRows(phrase) : undefined;
  for (let j = 1; j <= n; j += 1) {
    const code = text.charCodeAt(j - 1);
    const hardText = isHardCode(code);
    const syllable = usePinyin ? syllableIdOfCode(code) : 0;
    // -1: no pinyin cost applies (cost 1 unless the characters are equal); -2: syllable outside the memo.
    const row = syllable === 0 ? -1 : syllable < MATRIX ? syllable * m : -2;
    let diagCost = costs[0];
    let diagStart = starts[0];
    costs[0] = 0;
    starts[0] = j;
    const last = Math.min(m, top + 1);
    for (let i = 1; i <= last; i += 1) {
      let sub = 1;
      if (codes[i - 1] === code) sub = 0;
      else if (hardText || isHardCode(codes[i - 1])) sub = never;
      else if (row >= 0 && rows) {
        // The hottest line of scoring: one byte per cell once the memo is warm.
        const quarters = rows[row + i - 1];
        sub =
          quarters !== UNKNOWN_COST ? quarters * 0.25 : memoPinyinCost(phrase, rows, row + i - 1, syllable);
      } else if (row === -2) sub = pinyinCost(phrase, i - 1, syllable);
      let cost = diagCost + sub;
      let start = diagStart;
      const skipText = costs[i] + (hardText ? never : 1);
      if (skipText < cost) {
        cost = skipText;
        start = starts[i];
      }
      const skipPhrase = costs[i - 1] + (isHardCode(codes[i - 1]) ? never : 1);
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
  // A negator right before the window turns the phrase around (不 + 可以的), unless it opens the phrase itself.
  if (bestFrom > 0 && isNegatorCode(text.charCodeAt(bestFrom - 1)) && !isNegatorCode(codes[0])) return null;
  const similarity = Math.max(0, 1 - best / m);
  return {
    from: bestFrom,
    to: bestTo,
    similarity,
    exact: best === 0 && text.slice(bestFrom, bestTo) === phrase.text,
  };
}

/** The text after `from`. */
export function textFrom(target: MatchableText, from: number): MatchableText {
  return { text: target.text.slice(from) };
}
