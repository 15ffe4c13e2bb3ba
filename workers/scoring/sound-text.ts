import { isHardCode } from './hard-characters.ts';
import { accentVariants, coarseIdOf, syllableIdOfCode } from './syllable-table.ts';

/**
 * Normalised text spelled by sound *and* by character, as pairs: each
 * character becomes its sound key (a private-use code point) followed by
 * itself. A pattern can then ask for a sound or for the exact character in
 * one regex (intent-pattern.ts).
 *
 * A Han character's key is its toneless syllable (再 and 在 share zai). A
 * pattern accepts, for an ordinary character, any syllable of its accent
 * group (zh/z, n/l, in/ing: `soundClass`), and for a hard character
 * (negators, 您/你) only its own syllable: ASR's 部知道 is still 不知道, but
 * 你 (ni) is never 您 (nin). OTHER_KEY marks everything that is not Han.
 * Offsets in the paired text are twice those of the normalised text.
 */
export const OTHER_KEY = 0xefff;
const BASE = 0xe000;
/** Character class of any sound key, and of any character that is not a key. */
export const KEY_CLASS = '[\\uE000-\\uEFFF]';
export const CHAR_CLASS = '[^\\uE000-\\uEFFF]';
export const HAN_KEY_CLASS = '[\\uE001-\\uEFFE]';

const keyOf = new Int32Array(0x10000).fill(-1);

export function soundKey(code: number): number {
  let key = keyOf[code];
  if (key < 0) {
    const syllable = syllableIdOfCode(code);
    key = syllable === 0 || BASE + syllable >= OTHER_KEY ? OTHER_KEY : BASE + syllable;
    keyOf[code] = key;
  }
  return key;
}

/** Whether a character is an ordinary Han character (matched by its accent group when its word allows it). */
export function isSoft(code: number): boolean {
  return !isHardCode(code) && soundKey(code) !== OTHER_KEY;
}

export function isHard(code: number): boolean {
  return isHardCode(code) && soundKey(code) !== OTHER_KEY;
}

/** The keys that sound like `code`'s syllable (its accent group). */
export function soundKeys(code: number): number[] {
  const key = soundKey(code);
  return [...new Set([key, ...accentVariants(key - BASE).map((id) => BASE + id)])]
    .filter((k) => k < OTHER_KEY)
    .sort((a, b) => a - b);
}

/** A regex class of the keys that sound like `code`'s syllable (its accent group). */
export function soundClass(code: number): string {
  const keys = soundKeys(code);
  return keys.length === 1 ? hex(keys[0]) : `[${keys.map(hex).join('')}]`;
}

/**
 * The sound keys present in a turn: one bit per key (0xE000–0xEFFF), for
 * prefiltering patterns — 128 words at `at` in `bits`; then 16 words with
 * a bit per accent group (`coarseIdOf`: zh/z, n/l, in/ing … merged) of
 * those keys, and one word with every bit set. A word of a pattern checks
 * one bit per end (`keyGate`) before its full requirements. Sets are carved
 * from shared slabs: a typed array this size lives outside the JS heap, and
 * allocating one per turn cost more than filling it.
 */
export interface KeySet {
  bits: Int32Array;
  at: number;
}

const KEY_WORDS = 128;
/** Groups share 511 bits (1–511; 0 is "no syllable"): a shared bit only lets a gate pass more often, never less. */
const GROUP_WORDS = 16;
/** The word of a set whose bits are all set: the gate of an end no single bit stands for. */
const ALWAYS_WORD = KEY_WORDS + GROUP_WORDS;
const SET_WORDS = ALWAYS_WORD + 1;
/** A gate every turn passes. */
export const OPEN_GATE: [number, number] = [ALWAYS_WORD, 1];
const SETS_PER_SLAB = 256;
let slab = new Int32Array(0);
let slabUsed = 0;
/** Accent group of each key (key − 0xE000), −1 until looked up; groups are interned once, so this never goes stale. */
const groupOfKey = new Int32Array(4096).fill(-1);

function groupOf(key: number): number {
  let group = groupOfKey[key];
  if (group < 0) {
    const coarse = key === OTHER_KEY - BASE ? 0 : coarseIdOf(key);
    group = coarse === 0 ? 0 : 1 + ((coarse - 1) % 511);
    groupOfKey[key] = group;
  }
  return group;
}

/** The sound keys present in a paired sound text (every other code unit). */
export function keysIn(sound: string): KeySet {
  if (slabUsed === slab.length) {
    // Fresh zeroed words; a slab is freed once no set in it is referenced.
    slab = new Int32Array(SET_WORDS * SETS_PER_SLAB);
    slabUsed = 0;
  }
  const bits = slab;
  const at = slabUsed;
  slabUsed += SET_WORDS;
  for (let i = 0; i < sound.length; i += 2) {
    const key = sound.charCodeAt(i) - 0xe000;
    if (key >= 0 && key < 4096) {
      bits[at + (key >> 5)] |= 1 << (key & 31);
      const group = groupOf(key);
      bits[at + KEY_WORDS + (group >> 5)] |= 1 << (group & 31);
    }
  }
  bits[at + ALWAYS_WORD] = -1;
  return { bits, at };
}

/**
 * One bit a turn's set must have when it holds any of `keys` (absolute key
 * code points, one end of a word): the key's own bit for a single key, the
 * accent group's when all the keys are of one group, else the bit that is
 * always set. As [word offset in the set, mask].
 */
export function keyGate(keys: Int32Array): [number, number] {
  if (keys.length === 0) return OPEN_GATE;
  if (keys.length === 1 && keys[0] - BASE < 4096 && keys[0] >= BASE) {
    const key = keys[0] - BASE;
    return [key >> 5, 1 << (key & 31)];
  }
  let group = -1;
  for (const absolute of keys) {
    const key = absolute - BASE;
    if (key < 0 || key >= 4096) return OPEN_GATE;
    const own = groupOf(key);
    if (group >= 0 && own !== group) return OPEN_GATE;
    group = own;
  }
  // Group 0 holds every key without a syllable: too broad to say anything.
  if (group <= 0) return OPEN_GATE;
  return [KEY_WORDS + (group >> 5), 1 << (group & 31)];
}

/** Whether any of `keys` (absolute key code points) is in the set. */
export function hasAnyKey(set: KeySet, keys: Int32Array): boolean {
  const { bits, at } = set;
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i] - 0xe000;
    if ((bits[at + (key >> 5)] >>> (key & 31)) & 1) return true;
  }
  return false;
}

export const hex = (code: number): string => `\\u${code.toString(16).padStart(4, '0')}`;

interface Utf16Bytes {
  toString(encoding: 'utf16le', start: number, end: number): string;
}
/**
 * Node's Buffer, reached through globalThis: the web app type-checks this
 * file (scorecard-schema.ts validates patterns) without Node's types. The
 * bytes of a Uint16Array are UTF-16LE on a little-endian machine, and
 * `toString('utf16le')` copies them into a string as they are (lone
 * surrogates too), 4× faster than String.fromCharCode.apply for a turn.
 */
const NodeBuffer = (globalThis as { Buffer?: { from(bytes: ArrayBuffer): Utf16Bytes } }).Buffer;
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const asBytes = (words: Uint16Array): Utf16Bytes | undefined =>
  LITTLE_ENDIAN ? NodeBuffer?.from(words.buffer as ArrayBuffer) : undefined;
/** Scratch code units of `soundText`, grown as needed, and the same memory as bytes. */
let units = new Uint16Array(512);
let unitBytes = asBytes(units);
/** Code units per String.fromCharCode call: well under any engine's argument limit. */
const CHUNK = 4096;

export function soundText(normalised: string): string {
  const length = 2 * normalised.length;
  if (units.length < length) {
    units = new Uint16Array(2 * length);
    unitBytes = asBytes(units);
  }
  for (let i = 0; i < normalised.length; i += 1) {
    const code = normalised.charCodeAt(i);
    units[2 * i] = soundKey(code);
    // A private-use character in the input must not pass for a key.
    units[2 * i + 1] = code >= 0xe000 && code <= 0xefff ? 0xfffd : code;
  }
  // One flat string from the buffer: the regexes then scan it without flattening a rope first.
  if (unitBytes) return unitBytes.toString('utf16le', 0, 2 * length);
  let out = '';
  for (let from = 0; from < length; from += CHUNK) {
    const chunk = units.subarray(from, Math.min(length, from + CHUNK));
    out += String.fromCharCode.apply(null, chunk as unknown as number[]);
  }
  return out;
}

/**
 * A Han text spelled by its toneless syllables (one key per character), or
 * null if any character is not Han: two texts that sound alike spell the
 * same (不行 and ASR's 布行, 不行的 and 不性的). A hard character keeps its
 * own syllable, so 不 still never sounds like 可.
 */
export function heardKeys(text: string): string | null {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const key = soundKey(text.charCodeAt(i));
    if (key === OTHER_KEY) return null;
    out += String.fromCharCode(key);
  }
  return out;
}
