/**
 * The one definition of what an identifier, a month or a piece of text from
 * outside may look like. Pure. Used by the API's route schemas, the transcript
 * validation and the CLI, so a value one edge accepts the others accept too —
 * and nothing PostgreSQL would refuse (a NUL, a lone surrogate, an out-of-range
 * date or bigint) ever reaches a query as a 500.
 */

/** Call, agent and other string ids, in characters (code points): call records, routes, transcripts. */
export const MAX_ID_LENGTH = 200;

/** Sampling runs are a bigserial; anything past this is not an id JavaScript can hold exactly. */
export const MAX_RUN_ID = Number.MAX_SAFE_INTEGER;

/** YYYY-MM for the years 2000–2100 (call records before 2000 are refused too). */
export const MONTH_PATTERN = '^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$';
const MONTH = new RegExp(MONTH_PATTERN);

/**
 * Characters no id or one-line field (a name, a team) may hold: C0 controls
 * (NUL included; PostgreSQL cannot store it in text), DEL, C1 controls, line
 * and paragraph separators, and the bidirectional overrides and isolates that
 * make a value display as another ("Trojan Source"). As a regex class body.
 */
const ONE_LINE_FORBIDDEN = '\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
const FORBIDDEN = new RegExp(`[${ONE_LINE_FORBIDDEN}]`);
/**
 * Multi-line text (transcript segments, notes): tab, line feed and carriage
 * return allowed; the other C0 controls, DEL and the C1 controls not.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const TEXT_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** For JSON schemas (`pattern`): an id without the characters above. */
export const ID_PATTERN = `^[^${ONE_LINE_FORBIDDEN}]+$`;

/** Length in characters (code points), as JSON schema's maxLength counts it. */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n += 1;
  }
  return n;
}

/** The first character a one-line value may not hold ("U+0000") and its position (1-based), if any. */
export function forbiddenCharacter(text: string): { codePoint: string; position: number } | undefined {
  const bad = FORBIDDEN.exec(text);
  if (!bad) return undefined;
  const codePoint = `U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return { codePoint, position: bad.index + 1 };
}

/** A lone surrogate (JSON "\ud800") would reach PostgreSQL as U+FFFD. */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

export function isMonth(value: string): boolean {
  return MONTH.test(value);
}

/** Why `value` is not a usable id, or undefined if it is one. */
export function idProblem(value: string): 'empty' | 'too_long' | 'control_character' | undefined {
  if (value.length === 0) return 'empty';
  if (value.length > MAX_ID_LENGTH && codePointLength(value) > MAX_ID_LENGTH) return 'too_long';
  if (FORBIDDEN.test(value) || LONE_SURROGATE.test(value)) return 'control_character';
  return undefined;
}

/** True if text holds a NUL or another control character, or a lone UTF-16 surrogate. */
export function hasUnsafeCharacter(text: string): boolean {
  return TEXT_CONTROL.test(text) || LONE_SURROGATE.test(text);
}
