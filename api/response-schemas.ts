import { SAMPLE_REASONS } from '../sampling/params.ts';

/**
 * JSON-schema shapes of what routes answer (and of the pagination every
 * list shares). Fastify serializes a response through its schema, and
 * @fastify/swagger publishes the same shapes at /docs, so the document
 * cannot drift from the code. Objects that carry open-ended data (a run's
 * params, a pick's detail) say so with `additionalProperties: true`.
 */

export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

export const pageLimit = {
  type: 'integer',
  minimum: 1,
  maximum: MAX_PAGE,
  default: DEFAULT_PAGE,
  description: `items per page (default ${DEFAULT_PAGE}, at most ${MAX_PAGE})`,
} as const;

/** A page of a list: its items and the cursor of the next page (null on the last). */
export const page = (item: object, cursor: object) =>
  ({
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: { items: { type: 'array', items: item }, nextCursor: cursor },
  }) as const;

export const sampleReason = { type: 'string', enum: SAMPLE_REASONS } as const;

const dateTime = { type: 'string', format: 'date-time' } as const;
const openObject = { type: 'object', additionalProperties: true } as const;
const nullable = (type: string) => ({ type: [type, 'null'] }) as const;
const countsPerReason = {
  type: 'object',
  description: 'picks per reason',
  additionalProperties: { type: 'integer' },
} as const;

export const runListing = {
  type: 'object',
  properties: {
    runId: { type: 'integer' },
    kind: { type: 'string' },
    month: { type: 'string' },
    through: dateTime,
    seed: { type: 'string' },
    createdAt: dateTime,
    selected: { type: 'integer' },
  },
} as const;

const runAgent = {
  type: 'object',
  properties: {
    agentId: { type: 'string' },
    mode: { type: 'string' },
    prevMonthCalls: { type: 'integer' },
    monthCalls: { type: 'integer' },
    lastScore: nullable('number'),
    multiplier: { type: 'number' },
    quota: { type: 'integer' },
    randomTarget: { type: 'integer' },
    randomBefore: { type: 'integer' },
    expectedCalls: nullable('integer'),
    hashCutoff: nullable('string'),
    picked: countsPerReason,
  },
} as const;

const runItem = {
  type: 'object',
  properties: {
    callId: { type: 'string' },
    agentId: { type: 'string' },
    startedAt: dateTime,
    durationS: { type: 'number' },
    reason: sampleReason,
    detail: { type: ['object', 'null'], additionalProperties: true },
  },
} as const;

export const runDetail = {
  type: 'object',
  required: ['items', 'nextCursor', 'totals'],
  properties: {
    ...runListing.properties,
    params: openObject,
    agents: {
      type: 'array',
      items: runAgent,
      description: 'the quota maths per agent, on the first page only (a request without `after`)',
    },
    items: { type: 'array', items: runItem },
    nextCursor: { ...nullable('string'), description: 'pass as `after` for the next page; null on the last' },
    totals: {
      ...countsPerReason,
      description: 'picks per reason in the run (scope and agent filter applied)',
    },
  },
} as const;

/** No body (204). */
export const noContent = { type: 'null', description: 'no content' } as const;

/**
 * An answer documented by its status and description only: its fields are
 * not listed yet (serialized as they are). Replace with a full shape as each
 * route gets one.
 */
export const described = (description: string) => ({ ...openObject, description }) as const;
