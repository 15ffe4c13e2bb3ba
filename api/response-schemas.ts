import { ROLES } from '../models/permissions.ts';
import { SAMPLE_REASONS } from '../sampling/params.ts';
import { RECORDING_CONTENT_TYPES } from './recordings/stream-recording.ts';

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
const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;
const bool = { type: 'boolean' } as const;
const nullableStr = nullable('string');
/**
 * An object with exactly these properties: all present, but those named in
 * `optional` (left out of the answer when the service leaves them out).
 */
const shape = (properties: Record<string, object>, description?: string, optional: readonly string[] = []) =>
  ({
    type: 'object',
    required: Object.keys(properties).filter((key) => !optional.includes(key)),
    properties,
    ...(description ? { description } : {}),
  }) as const;
const orNull = (schema: { type: string | readonly string[] }) =>
  ({ ...schema, type: [schema.type as string, 'null'] }) as const;
/** Any JSON value, as stored (open by design; the property's description says why). */
const anyJson = (description: string) => ({ description }) as const;
const countsPerReason = {
  type: 'object',
  description: 'picks per reason',
  additionalProperties: { type: 'integer' },
} as const;

export const runListing = shape({
  runId: int,
  kind: { type: 'string', enum: ['scheduled', 'on_demand'] },
  month: { ...str, description: "the month's first day (YYYY-MM-DD)" },
  through: dateTime,
  seed: str,
  createdAt: dateTime,
  selected: int,
});

const runAgent = shape({
  agentId: str,
  mode: str,
  prevMonthCalls: int,
  monthCalls: int,
  lastScore: nullable('number'),
  multiplier: num,
  quota: int,
  randomTarget: int,
  randomBefore: int,
  expectedCalls: nullable('integer'),
  hashCutoff: nullable('string'),
  picked: countsPerReason,
});

const runItem = shape({
  callId: str,
  agentId: str,
  startedAt: dateTime,
  durationS: num,
  reason: sampleReason,
  detail: {
    type: ['object', 'null'],
    additionalProperties: true,
    description: "the rule's figures for this pick (they differ per reason)",
  },
});

export const runDetail = shape(
  {
    ...runListing.properties,
    params: { ...openObject, description: 'the sampling parameters the run was decided with, as stored' },
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
  undefined,
  ['agents'],
);

/** POST /sampling/runs: what a run decided (sampling/run-sampling.ts RunSummary). */
export const runSummarySchema = shape(
  {
    runId: int,
    month: { ...str, description: 'YYYY-MM' },
    through: dateTime,
    seed: str,
    agents: { ...int, description: 'agents with a quota row' },
    selected: int,
    byReason: countsPerReason,
    elapsedMs: num,
  },
  'the run: its id, its picks per reason',
);

/** POST /sampling/runs/:id/replay (sampling/replay-run.ts ReplayReport). */
export const replayReportSchema = shape(
  {
    runId: int,
    matches: { ...bool, description: 'the replay made exactly the stored picks and quotas' },
    stored: { ...int, description: 'picks the run stored' },
    replayed: { ...int, description: 'picks the replay made' },
    quotaMismatches: { type: 'array', items: str, description: 'agents whose quota maths differ' },
    differences: {
      type: 'array',
      items: shape(
        {
          callId: str,
          stored: { ...str, description: 'the stored reason (absent: not stored)' },
          replayed: { ...str, description: 'the replayed reason (absent: not replayed)' },
        },
        undefined,
        ['stored', 'replayed'],
      ),
    },
  },
  'the replay: whether it matches the stored picks, and each call that differs',
);

/** POST /sampling/items. */
export const manualPickSchema = shape({ callId: str, runId: int, reason: sampleReason });

/** No body (204). */
export const noContent = { type: 'null', description: 'no content' } as const;

// ---------------------------------------------------------------- errors

/**
 * Every 4xx and 5xx answer (app.ts sendError): a stable code and a message,
 * plus the details some errors add (the refused `field`, an import's
 * `problems`, a review conflict's `currentVersion`).
 */
export const errorBody = {
  ...shape(
    {
      code: { ...str, description: 'stable, machine-readable' },
      message: { ...str, description: 'for people; a 5xx says only that the server failed' },
      field: { ...str, description: 'the refused value (400 invalid_path / invalid_query / invalid_body)' },
      problems: {
        type: 'array',
        items: shape(
          { code: str, params: { type: 'object', additionalProperties: { type: ['string', 'number'] } } },
          undefined,
          ['params'],
        ),
        description: 'every problem found, each a code with parameters',
      },
      currentVersion: { ...int, description: '409 review_conflict: the review version now in force' },
    },
    'an error',
    ['field', 'problems', 'currentVersion'],
  ),
  additionalProperties: true,
} as const;

/** The error answers every route may give (validation, access, not found, server failure). */
export const errorResponses = { '4xx': errorBody, '5xx': errorBody } as const;

// ---------------------------------------------------------------- the service and its users

export const healthSchema = shape({ status: { type: 'string', enum: ['ok'] } });

export const loginSchema = shape(
  { username: str, expiresAt: dateTime },
  'signed in: the session cookie is set (httpOnly, SameSite=Strict)',
);

export const meSchema = shape(
  {
    userId: int,
    username: str,
    role: { type: 'string', enum: ROLES },
    agentId: { ...nullableStr, description: 'the agent this account is (role agent)' },
    teams: { type: 'array', items: str, description: 'the teams a supervisor sees' },
  },
  'the signed-in account',
);

export const auditPageSchema = shape(
  {
    entries: {
      type: 'array',
      items: shape({
        auditId: int,
        at: dateTime,
        actor: str,
        action: str,
        target: nullableStr,
        before: anyJson('the state before the change, as the action records it (any JSON; null: none)'),
        after: anyJson('the state after the change, as the action records it (any JSON; null: none)'),
        ip: nullableStr,
      }),
    },
    next: { ...int, description: 'pass as `before` for the next page; absent on the last' },
  },
  'audit entries, newest first',
  ['next'],
);

// ---------------------------------------------------------------- calls, ingest and the pipeline

const direction = { type: 'string', enum: ['inbound', 'outbound'] } as const;
const agentChannel = { type: 'string', enum: ['left', 'right', 'mono'] } as const;

/** GET /calls/:id (models/call-repository.ts Call). */
export const callSchema = shape(
  {
    callId: str,
    agentId: str,
    teamId: nullableStr,
    startedAt: dateTime,
    durationS: num,
    direction,
    recording: { ...nullableStr, description: 'where the recording is (server paths shown by file name)' },
    agentChannel,
    recordingStatus: { type: 'string', enum: ['none', 'ok', 'remote', 'unreadable', 'uploaded'] },
    recordingProblem: nullableStr,
    recordingProblemCode: nullableStr,
  },
  'the call as ingested, with its recording state',
);

export const storedRecordingSchema = shape(
  {
    callId: str,
    recording: { ...str, description: 'the stored file, relative to the storage directory' },
    bytes: int,
  },
  'the stored recording',
);

export const importedTranscriptSchema = shape(
  { callId: str, segments: int, state: { type: 'string', enum: ['transcribed'] } },
  'the stored transcript summary',
);

const ingestProblem = shape(
  { code: str, params: { type: 'object', additionalProperties: { type: ['string', 'number'] } } },
  undefined,
  ['params'],
);

/** POST /calls: what landed, what was refused (by index) and what landed with a recording problem. */
export const ingestReportSchema = shape(
  {
    inserted: int,
    updated: int,
    unchanged: int,
    rejected: {
      type: 'array',
      items: shape(
        {
          index: int,
          callId: str,
          code: str,
          reason: str,
          problems: { type: 'array', items: ingestProblem },
        },
        undefined,
        ['callId'],
      ),
    },
    flagged: { type: 'array', items: shape({ callId: str, code: str, reason: str }) },
  },
  'what landed and what did not',
);

const pipelineState = {
  type: 'string',
  enum: ['pending', 'transcribing', 'transcribed', 'scoring', 'scored', 'failed'],
} as const;

const processingSchema = shape({
  callId: str,
  state: pipelineState,
  attempts: int,
  failureCode: nullableStr,
  failureReason: nullableStr,
});

const speechSpans = {
  type: 'array',
  items: { type: 'array', items: num, minItems: 2, maxItems: 2 },
  description: '[start, end] pairs in seconds',
} as const;

/** GET /calls/:id/transcript (models/transcript.ts Transcript). */
export const transcriptSchema = shape(
  {
    callId: str,
    source: { type: 'string', enum: ['asr', 'import'] },
    language: str,
    channel: { type: 'string', enum: ['phone', 'chat'], description: 'absent: phone' },
    speakerMode: { type: 'string', enum: ['stereo', 'mono'] },
    speakerDecision: shape(
      {
        method: {
          type: 'string',
          enum: ['channel', 'greeting_match', 'default', 'imported', 'diarised', 'text_cues'],
        },
        confidence: num,
        note: str,
        voiceSeparation: num,
      },
      'how the speakers were decided',
      ['note', 'voiceSeparation'],
    ),
    durationS: num,
    segments: {
      type: 'array',
      items: shape(
        {
          speaker: { type: 'string', enum: ['agent', 'customer', 'unknown'] },
          start: num,
          end: num,
          text: str,
          confidence: num,
          voice: { ...int, description: 'mono ASR: which of the two voices (0 or 1)' },
        },
        undefined,
        ['confidence', 'voice'],
      ),
    },
    speech: shape(
      { agent: speechSpans, customer: speechSpans, mixed: speechSpans },
      'the speech map (stereo: agent and customer; mono: mixed); absent for imports without audio',
      ['agent', 'customer', 'mixed'],
    ),
  },
  "the call's transcript",
  ['channel', 'speech'],
);

/** GET /calls/:id/scores. */
export const callScoresSchema = shape(
  {
    processing: processingSchema,
    scores: {
      type: 'array',
      description: 'every stored score, newest first',
      items: shape({
        scorecardId: str,
        scorecardVersion: int,
        score: num,
        passed: bool,
        autoFailed: bool,
        needsReview: bool,
        createdAt: dateTime,
        result: {
          ...openObject,
          description:
            "the scorer's full result (items, evidence, metrics) as stored: its shape is the one of the " +
            'scorer version that wrote it (older results hold reasons as text)',
        },
      }),
    },
  },
  "the call's pipeline state and its scores under every scorecard version",
);

/** GET /pipeline. */
export const pipelineSchema = shape(
  {
    counts: {
      type: 'object',
      additionalProperties: int,
      description: `calls per pipeline state (${pipelineState.enum.join(', ')}); states without calls are absent`,
    },
    failed: {
      type: 'array',
      items: shape({
        callId: str,
        stage: nullableStr,
        code: nullableStr,
        reason: nullableStr,
        attempts: int,
      }),
      description: 'the latest failed calls',
    },
  },
  'the pipeline: calls per state and the latest failures',
);

// ---------------------------------------------------------------- the review workspace (api/contracts/review.ts)

/*
 * The shapes of api/contracts/review.ts's QueuePage and CallReviewView, for
 * /docs and for serialization (fast-json-stringify, from these schemas, in
 * place of JSON.stringify). Every property the contract has is listed: a
 * property left out here would be dropped from the answer, which
 * test/api/review.test.ts ("response schemas") guards against.
 */

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
    items: shape({
      itemId: str,
      status: { type: 'string', enum: ['pass', 'fail', 'na'] },
      hits: {
        type: 'array',
        items: shape({ index: int, verdict: { type: 'string', enum: ['confirm', 'overturn'] } }),
      },
      comment: str,
    }),
    description: "the reviewer's decisions (ReviewSubmission.items)",
  },
  addedDeductions: {
    type: 'array',
    items: shape({ itemId: str, start: num, end: num, points: num, comment: str }),
    description: 'deductions the machine missed (ReviewSubmission.addedDeductions)',
  },
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

/** GET and PUT /review/plans/:month (PlanProgress). */
export const planProgressSchema = shape(
  {
    month: str,
    createdBy: str,
    createdAt: dateTime,
    reviewers: {
      type: 'array',
      items: shape({ username: str, quota: int, assigned: int, reviewed: int }),
    },
    totals: shape(
      { sampled: int, scored: int, assigned: int, reviewed: int },
      "the month's sample: picked, scored (ready for review), assigned, reviewed",
    ),
  },
  "a month's QA plan and its progress",
);

/** POST /calls/:id/reviews (ReviewSaved). */
export const reviewSavedSchema = shape(
  { version: int, computedScore: num, finalScore: num, passed: bool },
  'the saved review version',
);

/** GET /me/calls (api/contracts/my-calls.ts MyCallsPage). */
export const myCallsPageSchema = shape(
  {
    items: {
      type: 'array',
      items: shape({
        callId: str,
        startedAt: dateTime,
        durationS: num,
        direction: { type: 'string', enum: ['inbound', 'outbound'] },
        month: { ...str, description: "the sample's month (YYYY-MM)" },
        sampleReason,
        score: { ...num, description: 'the value in force (a review outranks the machine)' },
        passed: bool,
        reviewed: bool,
        hasRecording: bool,
      }),
    },
    nextCursor: { ...nullableStr, description: 'pass as `cursor` for the next page; null on the last' },
  },
  "an agent's own sampled, scored calls, newest first",
);

/**
 * Audio bytes (GET /calls/:id/audio): no JSON schema, the content types a
 * recording is served as (api/recordings/stream-recording.ts).
 */
export const audioAnswer = (description: string) =>
  ({
    description,
    content: Object.fromEntries(
      RECORDING_CONTENT_TYPES.map((type) => [type, { schema: { type: 'string', format: 'binary' } }]),
    ),
  }) as const;
