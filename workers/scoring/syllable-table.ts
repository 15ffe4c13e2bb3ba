import { pinyin } from 'pinyin-pro';

/**
 * Toneless pinyin per character, interned as small integer ids so the matcher
 * compares numbers, plus a phonetic substitution cost between syllables.
 * Characters are looked up one at a time (not in context) on both the phrase
 * and the transcript side, so a polyphone gets the same reading on both sides.
 * 0 means "no syllable" (Latin letters, symbols).
 */

const syllableIds = new Map<string, number>();
const syllables: string[] = [''];
const coarseIds = new Map<string, number>();
const coarseOfSyllable: number[] = [0];
const nearIds = new Map<string, number>();
const nearOfSyllable: number[] = [0];
// Per code point, -1 = not looked up yet; the BMP covers every CJK character ASR emits.
const syllableOfChar = new Int32Array(0x10000).fill(-1);

/**
 * Accent and ASR merges that cost little: zh/z, ch/c, sh/s, n/l, in/ing,
 * en/eng. Also the coarse key for the matcher's prefilter.
 */
export function fuzzySyllable(syllable: string): string {
  return syllable
    .replace(/^zh/, 'z')
    .replace(/^ch/, 'c')
    .replace(/^sh/, 's')
    .replace(/^l/, 'n')
    .replace(/([ie])ng$/, '$1n');
}

/**
 * A syllable's accent group with any nasal coda dropped (ba/ban/bang,
 * ni/nin/ning/li/lin): two syllables that cost less than 1 apart (an accent
 * merge, or a nasal pair, `computeCost`) always share it. The matcher's
 * prefilter reads it as "a substitution here costs at least 0.5, not 1".
 */
function nearSyllable(syllable: string): string {
  return fuzzySyllable(syllable).replace(/ng?$/, '');
}

/** The id of `key` in `ids` (1-based), interned on first sight. */
function groupId(ids: Map<string, number>, key: string): number {
  let id = ids.get(key);
  if (id === undefined) {
    id = ids.size + 1;
    ids.set(key, id);
  }
  return id;
}

function intern(syllable: string): number {
  let id = syllableIds.get(syllable);
  if (id === undefined) {
    id = syllables.length;
    syllables.push(syllable);
    syllableIds.set(syllable, id);
    coarseOfSyllable[id] = groupId(coarseIds, fuzzySyllable(syllable));
    nearOfSyllable[id] = groupId(nearIds, nearSyllable(syllable));
  }
  return id;
}

export function syllableIdOfCode(code: number): number {
  let id = syllableOfChar[code];
  if (id >= 0) return id;
  // Digits (from Chinese numerals too) stay characters: giving 0 the reading
  // "ling" made 0号 sound like 您好.
  if (code >= 0x3400 && code <= 0x9fff) {
    const reading = pinyin(String.fromCharCode(code), { toneType: 'none', type: 'array' })[0] ?? '';
    id = /^[a-zü]+$/.test(reading) ? intern(reading) : 0;
  } else {
    id = 0;
  }
  syllableOfChar[code] = id;
  return id;
}

/**
 * The syllables one accent merge or two away from this one (zh/z, ch/c,
 * sh/s, n/l, in/ing, en/eng), interned so a pattern can list them all, also
 * those no character has been looked up for yet.
 */
export function accentVariants(id: number): number[] {
  const syllable = syllables[id];
  if (!syllable) return [];
  const initials: Array<[RegExp, string]> = [
    [/^zh/, 'z'],
    [/^z(?!h)/, 'zh'],
    [/^ch/, 'c'],
    [/^c(?!h)/, 'ch'],
    [/^sh/, 's'],
    [/^s(?!h)/, 'sh'],
    [/^n/, 'l'],
    [/^l/, 'n'],
  ];
  const finals: Array<[RegExp, string]> = [
    [/ing$/, 'in'],
    [/in$/, 'ing'],
    [/eng$/, 'en'],
    [/en$/, 'eng'],
  ];
  const forms = new Set([syllable]);
  for (const [from, to] of initials) if (from.test(syllable)) forms.add(syllable.replace(from, to));
  for (const form of [...forms]) {
    for (const [from, to] of finals) if (from.test(form)) forms.add(form.replace(from, to));
  }
  return [...forms].map(intern);
}

export function coarseIdOf(syllableId: number): number {
  return coarseOfSyllable[syllableId] ?? 0;
}

/** The near group of a syllable id (`nearSyllable`), 0 for "no syllable". */
export function nearIdOf(syllableId: number): number {
  return nearOfSyllable[syllableId] ?? 0;
}

export function syllableOf(id: number): string {
  return syllables[id] ?? '';
}

const INITIAL = /^(zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?/;

function initialOf(syllable: string): string {
  return INITIAL.exec(syllable)?.[0] ?? '';
}

/** ni/nin, ba/ban, xi/xing: the finals differ only by a nasal coda, which ASR and accents drop. */
function nasalPair(a: string, b: string): boolean {
  const bare = (s: string): string => s.replace(/ng?$/, '');
  const oneOpen = bare(a) === a || bare(b) === b;
  return oneOpen && initialOf(a) === initialOf(b) && bare(a) === bare(b);
}

/** How many accent merges separate two fuzzy-equal syllables (zh/z is one, lin/ning is two). */
function mergesBetween(a: string, b: string): number {
  const initialA = initialOf(a);
  const initialB = initialOf(b);
  return (initialA === initialB ? 0 : 1) + (a.slice(initialA.length) === b.slice(initialB.length) ? 0 : 1);
}

/** Cost of hearing syllable b where a was said. */
export const FUZZY_COST = 0.25;
export const NEAR_COST = 0.5;
/**
 * Memo of syllable costs in quarter units (0.25 → 1, 1 → 4), one byte per
 * pair: toneless Mandarin has 407 syllables, so the 512 × 512 table (256 KB)
 * stays in cache where a float matrix did not. 255 = not computed yet.
 */
export const MATRIX = 512;
export const UNKNOWN_COST = 255;
/** Exported for the matcher's inner loop; read through `syllableCost` when an entry is UNKNOWN_COST. */
export const quarterCosts = new Uint8Array(MATRIX * MATRIX).fill(UNKNOWN_COST);

function computeCost(a: number, b: number): number {
  const sa = syllables[a];
  const sb = syllables[b];
  if (coarseOfSyllable[a] === coarseOfSyllable[b]) return FUZZY_COST * mergesBetween(sa, sb);
  // A dropped nasal (nin → ni) is a near miss, e.g. 你好 heard for 您好;
  // hao/hai or hao/shao are different words.
  if (nasalPair(sa, sb)) return NEAR_COST;
  return 1;
}

export function syllableCost(a: number, b: number): number {
  if (a === b) return a === 0 ? 1 : 0;
  if (a === 0 || b === 0) return 1;
  const inMatrix = a < MATRIX && b < MATRIX;
  const memo = inMatrix ? quarterCosts[a * MATRIX + b] : UNKNOWN_COST;
  if (memo !== UNKNOWN_COST) return memo * 0.25;
  const cost = computeCost(a, b);
  // Quarter units are exact for every cost the table produces; anything else is just not memoised.
  const quarters = cost * 4;
  if (inMatrix && Number.isInteger(quarters) && quarters < UNKNOWN_COST) {
    quarterCosts[a * MATRIX + b] = quarters;
    quarterCosts[b * MATRIX + a] = quarters;
  }
  return cost;
}
