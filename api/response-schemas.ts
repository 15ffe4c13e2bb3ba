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

// ---------------------------------------------------------------- the review workspace (api/contracts/review.ts)

/*
 * The shapes of api/contracts/review.ts's QueuePage and CallReviewView, for
 * /docs and for serialization (fast-json-stringify, from these schemas, in
 * place of JSON.stringify). Every property the contract has is listed: a
 * property left out here would be dropped from the answer, which
 * test/api/review.test.ts ("response schemas") guards against.
 */

const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;
const bool = { type: 'boolean' } as const;
const nullableStr = nullable('string');
/** An object with exactly these properties, all present. */
const shape = (properties: Record<string, object>, description?: string) =>
  ({
    type: 'object',
    required: Object.keys(properties),
    properties,
    ...(description ? { description } : {}),
  }) as const;
const orNull = (schema: { type: string | readonly string[] }) =>
  ({ ...schema, type: [schema.type as string, 'null'] }) as const;

const renderedReason = shape(
  {
    code: str,
    params: { type: 'object', additionalProperties: { type: ['string', 'number'] } },
    text: shape({ 'zh-CN': str, en: str }),
  },
  'a decision as a code with parameters and its words in both UI languages',
);

export const queuePageSchema = shape(
  {
    month: { ...str, description: "the month shown ('YYYY-MM'; empty when nothing is sampled yet)" },
    items: {
      type: 'array',
      items: shape({
        callId: str,
        agentId: str,
        agentName: str,
        teamId: nullableStr,
        startedAt: dateTime,
        durationS: num,
        direction: { type: 'string', enum: ['inbound', 'outbound'] },
        sampleReason: sampleReason,
        autoScore: { ...num, description: "the machine's score (latest scorecard version)" },
        autoPassed: bool,
        needsReview: bool,
        score: { ...num, description: 'the value in force (a review outranks the machine)' },
        passed: bool,
        reviewed: bool,
        reviewVersion: { ...int, description: '0: not reviewed yet' },
        assignee: nullableStr,
        hasRecording: bool,
      }),
    },
    nextCursor: { ...nullableStr, description: 'pass as `cursor` for the next page; null on the last' },
  },
  'one page of the review queue: needs-review first, then by start time and call id',
);

const reviewHit = shape({
  index: int,
  phrase: str,
  matchedText: str,
  method: str,
  speaker: str,
  segmentIndex: nullable('integer'),
  start: num,
  end: num,
  uncertain: bool,
  excusedBy: orNull(renderedReason),
  reviewBecause: orNull(renderedReason),
  points: { ...nullable('number'), description: "the phrase's own points on the card, if it has them" },
  autoFailOnConfirm: { ...bool, description: 'confirming this hit fails the call' },
});

const reviewItem = shape({
  itemId: str,
  title: str,
  category: str,
  severity: str,
  status: { type: 'string', enum: ['pass', 'fail', 'na', 'review'] },
  deduction: num,
  points: num,
  weight: nullable('number'),
  autoFail: bool,
  autoFailOnFail: { ...bool, description: 'the card fails the call whenever this item fails' },
  reason: renderedReason,
  evidence: { type: 'array', items: reviewHit },
});

const reviewVersion = shape({
  version: int,
  reviewer: str,
  createdAt: dateTime,
  computedScore: num,
  finalScore: num,
  passed: bool,
  comment: str,
  exemplary: bool,
  exemplaryNote: nullableStr,
  items: {
    type: 'array',
    items: openObject,
    description: "the reviewer's decisions (ReviewSubmission.items)",
  },
  addedDeductions: { type: 'array', items: openObject },
});

export const callReviewViewSchema = shape(
  {
    call: shape({
      callId: str,
      agentId: str,
      agentName: str,
      teamId: nullableStr,
      startedAt: dateTime,
      durationS: num,
      direction: { type: 'string', enum: ['inbound', 'outbound'] },
      agentChannel: { type: 'string', enum: ['left', 'right', 'mono'] },
    }),
    sample: orNull(
      shape({
        reason: sampleReason,
        detail: { description: 'the rule’s figures (any JSON)' },
        runId: int,
        month: str,
      }),
    ),
    recording: shape(
      { url: nullableStr, contentType: nullableStr, problem: nullableStr },
      '`url` streams with HTTP Range; null when there is nothing to play, with why (`problem`)',
    ),
    transcript: orNull(
      shape({
        source: { type: 'string', enum: ['asr', 'import'] },
        speakerMode: { type: 'string', enum: ['stereo', 'mono'] },
        durationS: num,
        segments: {
          type: 'array',
          items: shape({ index: int, speaker: str, start: num, end: num, text: str }),
        },
      }),
    ),
    score: orNull(
      shape({
        scorecardId: str,
        scorecardVersion: int,
        scoring: { type: 'string', enum: ['deduction', 'weighted'] },
        passThreshold: num,
        score: num,
        passed: bool,
        autoFailed: bool,
        needsReview: bool,
        reviewReasons: { type: 'array', items: renderedReason },
        items: {
          type: 'array',
          items: reviewItem,
          description: 'needs-review first, then failed, then card order',
        },
      }),
    ),
    outcome: orNull(
      shape({
        score: num,
        passed: bool,
        source: { type: 'string', enum: ['automatic', 'imported', 'review'] },
        recordedAt: dateTime,
        recordedBy: nullableStr,
      }),
    ),
    reviews: { type: 'array', items: reviewVersion, description: 'newest first' },
    assignment: orNull(shape({ month: str, reviewer: str })),
    processing: orNull(shape({ state: str, failureCode: nullableStr })),
    can: shape({ review: bool }, 'what the signed-in user may do here'),
  },
  'everything the review page shows about a call',
);
