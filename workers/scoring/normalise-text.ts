import OpenCC from 'opencc-js';

/**
 * Text normalisation shared by phrases (at compile time) and transcripts (per
 * segment), so both sides of a comparison went through exactly the same steps:
 * Traditional→Simplified, full→half width, lower case, punctuation and spaces
 * removed (a single space is kept only between two Latin letters/digits, so
 * English words stay apart), Chinese numerals → Arabic digits.
 */

const toSimplified = OpenCC.Converter({ from: 'tw', to: 'cn' });

// OpenCC costs ~0.3 ms per 1,000 characters; almost all text is already
// Simplified, so remember per character whether it changes (a table, not a
// map: this runs on every character of every call) and only run the converter
// on segments that contain a Traditional character.
const UNKNOWN = 0;
const UNCHANGED = 1;
const CHANGES = 2;
const underOpenCC = new Uint8Array(0x10000);
// 么 is the Simplified question particle (好么, 问题么), but OpenCC's Taiwan table reads a lone 么 as the
// variant of 幺 — which normalisation would then turn into the digit 1. Simplified text keeps it.
const ME = '么'.charCodeAt(0);
underOpenCC[ME] = UNCHANGED;

/** OpenCC on a segment that holds a Traditional character, with every 么 kept as it was. */
function simplify(text: string): string {
  const converted = toSimplified(text);
  if (!text.includes('么') || converted.length !== text.length) return converted;
  let out = '';
  let runStart = 0;
  for (let i = 0; i < text.length; i += 1) {
    if (text.charCodeAt(i) === ME && converted.charCodeAt(i) !== ME) {
      out += converted.slice(runStart, i) + '么';
      runStart = i + 1;
    }
  }
  return runStart === 0 ? converted : out + converted.slice(runStart);
}

function openCCVerdict(code: number): number {
  let verdict = underOpenCC[code];
  if (verdict === UNKNOWN) {
    const ch = String.fromCharCode(code);
    verdict = toSimplified(ch) !== ch ? CHANGES : UNCHANGED;
    underOpenCC[code] = verdict;
  }
  return verdict;
}

function needsConversion(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 0x3400 && openCCVerdict(code) === CHANGES) return true;
  }
  return false;
}

// Numeral table by code point: 1..10 = digit value + 1, 11.. = unit (十 百 千 万).
const NUMERAL = new Uint8Array(0x10000);
'零〇幺一二三四五六七八九'.split('').forEach((ch, i) => {
  NUMERAL[ch.charCodeAt(0)] = [0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9][i] + 1;
});
const UNIT_VALUES = [10, 100, 1000, 10000];
'十百千万'.split('').forEach((ch, i) => {
  NUMERAL[ch.charCodeAt(0)] = 11 + i;
});
const SHI = '十'.charCodeAt(0);

/** 二十三 → 23, 一百零五 → 105; a run without units maps digit by digit (一零二三 → 1023). */
function numeralRun(text: string, from: number, to: number): string {
  let hasUnit = false;
  for (let i = from; i < to; i += 1) if (NUMERAL[text.charCodeAt(i)] > 10) hasUnit = true;
  if (!hasUnit) {
    let out = '';
    for (let i = from; i < to; i += 1) out += String(NUMERAL[text.charCodeAt(i)] - 1);
    return out;
  }
  let total = 0;
  let section = 0;
  let digit = 0;
  for (let i = from; i < to; i += 1) {
    const value = NUMERAL[text.charCodeAt(i)];
    if (value <= 10) {
      digit = value - 1;
    } else if (value === 14) {
      total += (section + digit) * 10000;
      section = 0;
      digit = 0;
    } else {
      // 十 alone at the start means 10 (十五 = 15).
      section += (digit === 0 ? 1 : digit) * UNIT_VALUES[value - 11];
      digit = 0;
    }
  }
  return String(total + section + digit);
}

/** A numeral run starts with a digit or 十 (so 万一 and 千万 stay words). */
function convertChineseNumerals(text: string): string {
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if ((NUMERAL[code] > 0 && NUMERAL[code] <= 10) || code === SHI) break;
    i += 1;
  }
  if (i === text.length) return text;
  // Text between numeral runs is copied a run at a time: one string per character made this the
  // slowest step of normalisation (一下, 一点 are in most turns).
  let out = '';
  let copied = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if ((NUMERAL[code] > 0 && NUMERAL[code] <= 10) || code === SHI) {
      let j = i + 1;
      while (j < text.length && NUMERAL[text.charCodeAt(j)] > 0) j += 1;
      out += text.slice(copied, i) + numeralRun(text, i, j);
      copied = j;
      i = j;
    } else {
      i += 1;
    }
  }
  return copied < text.length ? out + text.slice(copied) : out;
}

/** Character classes, decided once per code point: 1 keep, 2 drop (punctuation, symbol, space). */
const charClass = new Uint8Array(0x10000);
const KEEP = /[\p{L}\p{N}]/u;

function isKept(code: number): boolean {
  let cls = charClass[code];
  if (cls === 0) {
    cls = KEEP.test(String.fromCharCode(code)) ? 1 : 2;
    charClass[code] = cls;
  }
  return cls === 1;
}

function isAsciiAlnum(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 97 && code <= 122);
}

/** Full-width ASCII (！ to ～) → half width, ideographic space → space, A–Z → a–z. */
function foldCode(code: number): number {
  let folded = code;
  if (folded >= 0xff01 && folded <= 0xff5e) folded -= 0xfee0;
  else if (folded === 0x3000) folded = 32;
  if (folded >= 65 && folded <= 90) folded += 32;
  return folded;
}

/**
 * What each step of `normaliseStepByStep` does to a code point, decided once per
 * code point: PLAIN — every step keeps it as it is (most Han characters);
 * NUMERAL_START — the same, but it may start a Chinese numeral; DROPPED —
 * punctuation or a space that only ever goes; OTHER — anything else
 * (Traditional, Latin, digits, full width, apostrophes).
 */
const PLAIN = 1;
const NUMERAL_START = 2;
const DROPPED = 3;
const OTHER = 4;
const fastClass = new Uint8Array(0x10000);

function fastClassOf(code: number): number {
  let cls = OTHER;
  const folded = foldCode(code);
  const apostrophe = folded === 39 || folded === 0x2019;
  if ((code < 0x3400 || openCCVerdict(code) === UNCHANGED) && !apostrophe) {
    if (!isKept(folded)) cls = DROPPED;
    else if (folded === code && !isAsciiAlnum(code)) {
      cls = (NUMERAL[code] > 0 && NUMERAL[code] <= 10) || code === SHI ? NUMERAL_START : PLAIN;
    }
  }
  fastClass[code] = cls;
  return cls;
}

export function normaliseText(text: string): string {
  // Most segments are Simplified Han text and punctuation: one pass that
  // drops the punctuation gives what the steps below would, without them.
  let out = '';
  let runStart = 0;
  let numeral = false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    const cls = fastClass[code] || fastClassOf(code);
    if (cls === PLAIN) continue;
    if (cls === NUMERAL_START) numeral = true;
    else if (cls === DROPPED) {
      if (i > runStart) out += text.slice(runStart, i);
      runStart = i + 1;
    } else return normaliseStepByStep(text);
  }
  if (runStart < text.length) out += runStart === 0 ? text : text.slice(runStart);
  return numeral ? convertChineseNumerals(out) : out;
}

/** Normalisation step by step, for any text: `normaliseText` takes its one-pass path only where the result is the same. */
export function normaliseStepByStep(text: string): string {
  const simplified = needsConversion(text) ? simplify(text) : text;
  // Unchanged characters are copied in runs (one slice per run, not one
  // string per character): most segments are Chinese text with a few commas.
  let out = '';
  let runStart = 0;
  let pendingSpace = false;
  let lastCode = 0;
  for (let i = 0; i < simplified.length; i += 1) {
    const original = simplified.charCodeAt(i);
    const code = foldCode(original);
    // Apostrophes join English contractions (that's → thats) rather than split them.
    const apostrophe = code === 39 || code === 0x2019;
    if (apostrophe || !isKept(code)) {
      if (i > runStart) out += simplified.slice(runStart, i);
      runStart = i + 1;
      if (!apostrophe) pendingSpace = true;
      continue;
    }
    // A single space is kept only between two Latin letters/digits.
    const space = pendingSpace && isAsciiAlnum(lastCode) && isAsciiAlnum(code);
    if (space || code !== original) {
      if (i > runStart) out += simplified.slice(runStart, i);
      if (space) out += ' ';
      if (code !== original) out += String.fromCharCode(code);
      runStart = code !== original ? i + 1 : i;
    }
    pendingSpace = false;
    lastCode = code;
  }
  if (runStart < simplified.length) out += runStart === 0 ? simplified : simplified.slice(runStart);
  return convertChineseNumerals(out);
}

/** Clauses of a raw utterance (split on punctuation), each normalised; used by the flat-no rule. */
export function normalisedClauses(text: string): string[] {
  return text
    .split(/[\p{P}\s]+/u)
    .map(normaliseText)
    .filter((clause) => clause.length > 0);
}
