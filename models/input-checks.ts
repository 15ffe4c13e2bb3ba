/**
 * The one definition of what an identifier, a month or a piece of text from
 * outside may look like. Pure. Used by the API's route schemas, the transcript
 * validation and the CLI, so a value one edge accepts the others accept too —
 * and nothing PostgreSQL would refuse (a NUL, a lone surrogate, an out-of-range
 * date or bigint) ever reaches a query as a 500.
 */

/** Call, agent and other string ids: the call-record limit (models/call-record.ts). */
export const MAX_ID_LENGTH = 200;

/** Sampling runs are a bigserial; anything past this is not an id JavaScript can hold exactly. */
export const MAX_RUN_ID = Number.MAX_SAFE_INTEGER;

/** YYYY-MM for the years 2000–2100 (call records before 2000 are refused too). */
export const MONTH_PATTERN = '^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$';
const MONTH = new RegExp(MONTH_PATTERN);

/**
 * C0 controls (tab, line feed and carriage return allowed in text only), DEL
 * and the C1 controls. PostgreSQL refuses NUL in text and jsonb; the others
 * are never part of an id and only hide things in a log or a terminal.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ID_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const TEXT_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** For JSON schemas (`pattern`): an id without control characters. */
export const ID_PATTERN = '^[^\\u0000-\\u001f\\u007f-\\u009f]+$';

export function isMonth(value: string): boolean {
  return MONTH.test(value);
}

/** Why `value` is not a usable id, or undefined if it is one. */
export function idProblem(value: string): 'empty' | 'too_long' | 'control_character' | undefined {
  if (value.length === 0) return 'empty';
  if (value.length > MAX_ID_LENGTH) return 'too_long';
  if (ID_CONTROL.test(value) || LONE_SURROGATE.test(value)) return 'control_character';
  return undefined;
}

/** True if text holds a NUL or another control character, or a lone UTF-16 surrogate. */
export function hasUnsafeCharacter(text: string): boolean {
  return TEXT_CONTROL.test(text) || LONE_SURROGATE.test(text);
}
