/**
 * Characters whose difference changes what was said, so no similarity may
 * paper over them: the negators (不 没 别 未 无 非) turn 可以 into 不可以, and
 * 您/你 is the politeness the scorecard judges. Matching treats any edit that
 * involves one of these (substituting, dropping or inserting it inside a match)
 * as impossible; pinyin tolerance stays for every other character.
 */
export const HARD_CHARACTERS = '不没别未无非您你';

const hard = new Uint8Array(0x10000);
for (const ch of HARD_CHARACTERS) hard[ch.charCodeAt(0)] = 1;

export function isHardCode(code: number): boolean {
  return hard[code] === 1;
}

const NEGATORS = '不没别未无非';
const negator = new Uint8Array(0x10000);
for (const ch of NEGATORS) negator[ch.charCodeAt(0)] = 1;

/** 不 没 别 未 无 非: one right before a match turns it around (不 + 可以的). */
export function isNegatorCode(code: number): boolean {
  return negator[code] === 1;
}
