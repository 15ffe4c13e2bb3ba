import { isHardCode } from './hard-characters.ts';
import { coarseIdOf, syllableIdOfCode } from './syllable-table.ts';

/**
 * Normalised text spelled by sound *and* by character, as pairs: each
 * character becomes its sound key (a private-use code point) followed by
 * itself. A pattern can then ask for a sound (再见 also finds ASR's 在见) or
 * for the exact character (a one-character word such as 懂 or 得, where
 * sound alone would take 不动产 for 不懂 or 你的 for 你得) in one regex.
 *
 * Keys: a Han character's toneless, accent-merged syllable (再/在 → zai,
 * 是/四 → si); HARD_KEY for the hard characters (negators, 您/你), which
 * are always matched exactly; OTHER_KEY for everything else (digits, Latin).
 * Offsets in the paired text are twice those of the normalised text.
 */
export const HARD_KEY = 0xeffe;
export const OTHER_KEY = 0xefff;
const BASE = 0xe000;
/** Character class of any sound key, and of any character that is not a key. */
export const KEY_CLASS = '[\\uE000-\\uEFFF]';
export const CHAR_CLASS = '[^\\uE000-\\uEFFF]';
export const SOFT_KEY_CLASS = '[\\uE001-\\uEFFD]';

const keyOf = new Int32Array(0x10000).fill(-1);

export function soundKey(code: number): number {
  let key = keyOf[code];
  if (key < 0) {
    const coarse = isHardCode(code) ? -1 : coarseIdOf(syllableIdOfCode(code));
    key = coarse < 0 ? HARD_KEY : coarse === 0 ? OTHER_KEY : BASE + coarse;
    keyOf[code] = key;
  }
  return key;
}

/** Whether a character is matched by sound when its word allows it (a Han character, not hard). */
export function isSoft(code: number): boolean {
  const key = soundKey(code);
  return key !== HARD_KEY && key !== OTHER_KEY;
}

export function soundText(normalised: string): string {
  const out = new Array<string>(normalised.length);
  for (let i = 0; i < normalised.length; i += 1) {
    const code = normalised.charCodeAt(i);
    // A private-use character in the input must not pass for a key.
    const own = code >= 0xe000 && code <= 0xefff ? 0xfffd : code;
    out[i] = String.fromCharCode(soundKey(code), own);
  }
  return out.join('');
}
