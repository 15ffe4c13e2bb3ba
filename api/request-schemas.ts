import { ID_PATTERN, MAX_ID_LENGTH, MAX_RUN_ID, MONTH_PATTERN } from '../models/input-checks.ts';

/**
 * JSON-schema pieces for route params, queries and bodies, built from the one
 * definition of each check in models/input-checks.ts. A value that fails one
 * is answered 400 with `invalid_path`, `invalid_query` or `invalid_body` and
 * the field (app.ts), before any handler or query runs.
 */
export const idString = {
  type: 'string',
  minLength: 1,
  maxLength: MAX_ID_LENGTH,
  pattern: ID_PATTERN,
} as const;

/** Free text (notes): tab and line breaks allowed, other control characters not. */
export const textString = (maxLength: number) =>
  ({
    type: 'string',
    maxLength,
    pattern: '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$',
  }) as const;

export const monthString = { type: 'string', pattern: MONTH_PATTERN } as const;

/** Run ids: positive safe integers ("1e20", "-1", "1.5" and "abc" are all refused). */
export const runId = { type: 'integer', minimum: 1, maximum: MAX_RUN_ID } as const;

export const callIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: idString },
} as const;

export const runIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: runId },
} as const;
