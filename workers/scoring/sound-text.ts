import { isHardCode } from './hard-characters.ts';
import { coarseIdOf, syllableIdOfCode } from './syllable-table.ts';

/**
 * Normalised text spelled by sound: every Han character becomes one private-use
 * character standing for its toneless, accent-merged syllable (再/在 → zai,
 * 是/四 → si), so a pattern written with 再见 also finds ASR's 在见. Hard
 * characters (negators, 您/你) and everything that is not Han keep their own
 * identity. One character in, one out, so offsets are those of the normalised
 * text and evidence spans need no mapping.
 */
const BASE = 0xe000;
const keyOf = new Int32Array(0x10000).fill(-1);

function soundCode(code: number): number {
  let key = keyOf[code];
  if (key < 0) {
    const coarse = isHardCode(code) ? 0 : coarseIdOf(syllableIdOfCode(code));
    key = coarse === 0 ? code : BASE + coarse;
    keyOf[code] = key;
  }
  return key;
}

export function soundText(normalised: string): string {
  let out = '';
  for (let i = 0; i < normalised.length; i += 1)
    out += String.fromCharCode(soundCode(normalised.charCodeAt(i)));
  return out;
}
