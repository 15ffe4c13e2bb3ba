import { callInScope, scopeParams } from './access-repository.ts';
import { CALL_COLUMNS, toCall, type Call } from './call-repository.ts';
import { sqlLimit, type Queryable } from './db.ts';
import type { CallScope } from './permissions.ts';

/**
 * The review queue and reviews (migration 010). Reviews are append-only
 * versions per call; the queue row carries the latest version and the value
 * in force so a page is one index range scan.
 */

export interface QueueFilter {
  month: string;
  scope: CallScope;
  /** Only calls assigned to this user; undefined: anyone's (and unassigned). */
  assignedTo?: number;
  status: 'todo' | 'reviewed' | 'all';
  team?: string;
  agent?: string;
  reason?: string;
  needsReview?: boolean;
  scoreMin?: number;
  scoreMax?: number;
  limit: number;
  after?: QueueCursor;
}

/** Where the previous page ended, in the queue's order (review_first, started_at, call_id). */
export interface QueueCursor {
  reviewFirst: 0 | 1;
  /** started_at as microseconds since the epoch (exact, unlike a JS Date). */
  startedUs: string;
  callId: string;
}

export interface QueueRow {
  callId: string;
  agentId: string;
  agentName: string;
  teamId: string | null;
  startedAt: Date;
  durationS: number;
  direction: 'inbound' | 'outbound';
  sampleReason: string;
  autoScore: number;
  autoPassed: boolean;
  needsReview: boolean;
  score: number;
  passed: boolean;
  reviewVersion: number;
  assignee: string | null;
  hasRecording: boolean;
  cursor: QueueCursor;
}

/**
 * One page of the queue in scope, `limit + 1` rows so the caller knows
 * whether another page follows. The statement holds only the predicates the
 * filter uses and is prepared under a name per such combination: PostgreSQL
 * then parses and plans each shape once per connection, and its generic plan
 * is the right one (the order from review_queue_page, review_queue_assignee
 * for one reviewer's calls, review_queue_agent for one agent's) because no
 * `$n is null or …` is left for a generic plan to get wrong, and the limit
 * is written into the statement (a generic plan with `limit $n` does not
 * know it is small: measured 2.7× the CPU). A team cut
 * reads the joined agent row (a semi-join on agents measured 1.5× slower).
 */
export async function queuePage(db: Queryable, f: QueueFilter): Promise<QueueRow[]> {
  const values: unknown[] = [f.month];
  const where = [`q.month = ($1 || '-01')::date`];
  const shape: string[] = [];
  const param = (value: unknown) => `$${values.push(value)}`;
  const when = (used: boolean, key: string, predicate: () => string) => {
    if (!used) return;
    shape.push(key);
    where.push(predicate());
  };
  when(f.assignedTo !== undefined, 'assignee', () => `q.assigned_to = ${param(f.assignedTo)}::bigint`);
  when(f.status !== 'all', 'status', () => `(q.review_version = 0) = ${param(f.status === 'todo')}::boolean`);
  when(f.scope.kind === 'agent', 'scope-agent', () => `q.agent_id = ${param(scopeAgent(f.scope))}::text`);
  when(
    f.scope.kind === 'teams',
    'scope-teams',
    () => `a.team_id = any(${param(scopeTeams(f.scope))}::text[])`,
  );
  when(f.team !== undefined, 'team', () => `a.team_id = ${param(f.team)}::text`);
  when(f.agent !== undefined, 'agent', () => `q.agent_id = ${param(f.agent)}::text`);
  when(f.reason !== undefined, 'reason', () => `q.reason = ${param(f.reason)}::text`);
  when(f.needsReview !== undefined, 'needs', () => `q.needs_review = ${param(f.needsReview)}::boolean`);
  when(f.scoreMin !== undefined, 'min', () => `q.score >= ${param(f.scoreMin)}::numeric`);
  when(f.scoreMax !== undefined, 'max', () => `q.score <= ${param(f.scoreMax)}::numeric`);
  when(
    f.after !== undefined,
    'after',
    () =>
      `(q.review_first, q.started_at, q.call_id) > (${param(f.after!.reviewFirst)}::smallint,
         timestamptz 'epoch' + ${param(f.after!.startedUs)}::bigint * interval '1 microsecond', ${param(f.after!.callId)}::text)`,
  );
  const { rows } = await db.query({
    name: `queue-page:${shape.join(',')}:${f.limit}`,
    text: `select q.call_id, q.agent_id, a.agent_name, a.team_id, q.started_at, c.duration_s, c.direction, q.reason,
            q.auto_score, q.auto_passed, q.needs_review, q.score, q.passed, q.review_version, u.username,
            c.recording_status in ('ok', 'uploaded') as has_recording, q.review_first,
            (extract(epoch from q.started_at) * 1000000)::bigint::text as started_us
     from review_queue q
     join calls c on c.call_id = q.call_id
     join agents a on a.agent_id = q.agent_id
     left join users u on u.user_id = q.assigned_to
     where ${where.join('\n       and ')}
     order by q.review_first, q.started_at, q.call_id
     limit ${sqlLimit(f.limit + 1)}`,
    values,
  });
  return rows.map((r) => ({
    callId: r.call_id,
    agentId: r.agent_id,
    agentName: r.agent_name,
    teamId: r.team_id,
    startedAt: r.started_at,
    durationS: r.duration_s,
    direction: r.direction,
    sampleReason: r.reason,
    autoScore: r.auto_score,
    autoPassed: r.auto_passed,
    needsReview: r.needs_review,
    score: r.score,
    passed: r.passed,
    reviewVersion: r.review_version,
    assignee: r.username,
    hasRecording: r.has_recording,
    cursor: { reviewFirst: r.review_first, startedUs: r.started_us, callId: r.call_id },
  }));
}

const scopeAgent = (scope: CallScope) => (scope.kind === 'agent' ? scope.agentId : '');
const scopeTeams = (scope: CallScope) => (scope.kind === 'teams' ? scope.teams : []);

/** The queue's default month: the latest with a QA plan, else the latest sampled month ('YYYY-MM'). */
export async function defaultQueueMonth(db: Queryable): Promise<string | undefined> {
  const { rows } = await db.query({
    name: 'default-queue-month',
    text: `select to_char(coalesce((select max(month) from qa_plans), (select max(month) from sampling_runs)), 'YYYY-MM') as m`,
  });
  return rows[0].m ?? undefined;
}

export async function userIdByName(db: Queryable, username: string): Promise<number | undefined> {
  const { rows } = await db.query({
    name: 'user-id-by-name',
    text: `select user_id from users where username = $1`,
    values: [username],
  });
  return rows[0]?.user_id;
}

export interface StoredReview {
  version: number;
  reviewer: string;
  createdAt: Date;
  scorecardId: string;
  scorecardVersion: number;
  computedScore: number;
  finalScore: number;
  passed: boolean;
  comment: string;
  exemplary: boolean;
  exemplaryNote: string | null;
  items: unknown[];
  addedDeductions: unknown[];
  outcomeEventId: number;
}

/** Every review version of a call, newest first. */
export async function reviewsOf(db: Queryable, callId: string): Promise<StoredReview[]> {
  const { rows } = await db.query(
    `select version, reviewer, created_at, scorecard_id, scorecard_version, computed_score, final_score, passed,
            comment, exemplary, exemplary_note, items, added_deductions, outcome_event_id
     from call_reviews where call_id = $1 order by version desc`,
    [callId],
  );
  return rows.map(toStoredReview);
}

function toStoredReview(r: Record<string, unknown>): StoredReview {
  return {
    version: r.version as number,
    reviewer: r.reviewer as string,
    createdAt: r.created_at as Date,
    scorecardId: r.scorecard_id as string,
    scorecardVersion: r.scorecard_version as number,
    computedScore: Number(r.computed_score),
    finalScore: Number(r.final_score),
    passed: r.passed as boolean,
    comment: r.comment as string,
    exemplary: r.exemplary as boolean,
    exemplaryNote: r.exemplary_note as string | null,
    items: r.items as unknown[],
    addedDeductions: r.added_deductions as unknown[],
    outcomeEventId: Number(r.outcome_event_id),
  };
}

/**
 * Locks the call's row for the rest of the transaction (so two reviews of
 * one call are serialised) and returns its latest review version (0: none),
 * or undefined when the call does not exist.
 */
export async function lockReviews(db: Queryable, callId: string): Promise<number | undefined> {
  const { rows } = await db.query(
    `select coalesce((select max(version) from call_reviews r where r.call_id = c.call_id), 0) as version
     from calls c where c.call_id = $1 for update of c`,
    [callId],
  );
  return rows[0]?.version;
}

export interface NewReview {
  callId: string;
  version: number;
  reviewerUserId: number;
  reviewer: string;
  scorecardId: string;
  scorecardVersion: number;
  items: unknown[];
  addedDeductions: unknown[];
  comment: string;
  computedScore: number;
  finalScore: number;
  passed: boolean;
  exemplary: boolean;
  exemplaryNote: string | null;
  outcomeEventId: number;
}

/** Appends a review version and moves the queue row's latest version to it. */
export async function insertReview(db: Queryable, r: NewReview): Promise<void> {
  await db.query(
    `with saved as (
       insert into call_reviews (call_id, version, reviewer_user_id, reviewer, scorecard_id, scorecard_version,
                                 items, added_deductions, comment, computed_score, final_score, passed,
                                 exemplary, exemplary_note, outcome_event_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
       returning call_id, version)
     update review_queue q set review_version = saved.version from saved where q.call_id = saved.call_id`,
    [
      r.callId,
      r.version,
      r.reviewerUserId,
      r.reviewer,
      r.scorecardId,
      r.scorecardVersion,
      JSON.stringify(r.items),
      JSON.stringify(r.addedDeductions),
      r.comment,
      r.computedScore,
      r.finalScore,
      r.passed,
      r.exemplary,
      r.exemplaryNote,
      r.outcomeEventId,
    ],
  );
}

/** Why a call is in the sample, and its assignment, for the call page. */
export async function sampleAndAssignment(db: Queryable, callId: string) {
  const { rows } = await db.query(
    `select s.reason, s.detail, s.run_id, to_char(s.month, 'YYYY-MM') as month,
            to_char(q.month, 'YYYY-MM') as queue_month, u.username as assignee
     from calls c
     left join sample_items s on s.call_id = c.call_id
     left join review_queue q on q.call_id = c.call_id
     left join users u on u.user_id = q.assigned_to
     where c.call_id = $1`,
    [callId],
  );
  const r = rows[0];
  return {
    sample: r?.reason
      ? { reason: r.reason as string, detail: r.detail as unknown, runId: r.run_id as number, month: r.month }
      : null,
    assignment: r?.assignee ? { month: r.queue_month as string, reviewer: r.assignee as string } : null,
  };
}

/** A scorecard's stored source (what produced a score), to read its items' points and weights. */
export async function scorecardSource(
  db: Queryable,
  scorecardId: string,
  version: number,
): Promise<{ source: string; sha256: string } | undefined> {
  const { rows } = await db.query(
    `select source, sha256 from scorecards where scorecard_id = $1 and version = $2`,
    [scorecardId, version],
  );
  return rows[0];
}

/** Everything the call page shows about one call, read in one statement (see callReviewRecord). */
export interface CallReviewRecord {
  call: Call;
  agentName: string | null;
  transcript: {
    source: 'asr' | 'import';
    speakerMode: 'stereo' | 'mono';
    durationS: number;
    segments: Array<{ speaker: 'agent' | 'customer' | 'unknown'; start: number; end: number; text: string }>;
  } | null;
  /** The latest score (as latestCallScore picks it) and its scorecard's sha256. */
  score: { scorecardId: string; version: number; result: unknown; cardSha256: string | null } | null;
  /** The outcome in force (effective_outcome). */
  outcome: {
    score: number;
    passed: boolean;
    source: string;
    recordedAt: Date;
    recordedBy: string | null;
  } | null;
  sample: { reason: string; detail: unknown; runId: number; month: string } | null;
  assignment: { month: string; reviewer: string } | null;
  processing: { state: string; failureCode: string | null } | null;
  /** Newest first. */
  reviews: StoredReview[];
}

/**
 * The call page's data in one statement (one parse, one plan, one round
 * trip instead of eleven), cut to the scope like canSeeCall: undefined when
 * the call is out of scope or does not exist, the same answer. Each part
 * reads what its own repository function reads (getCall, getTranscript,
 * latestCallScore, effectiveOutcome, sampleAndAssignment, getProcessing,
 * reviewsOf); test/api/review.test.ts compares them.
 */
export async function callReviewRecord(
  db: Queryable,
  scope: CallScope,
  callId: string,
): Promise<CallReviewRecord | undefined> {
  const { rows } = await db.query({
    name: 'call-review-record',
    text: `select ${CALL_COLUMNS.map((column) => `c.${column}`).join(', ')}, a.agent_name,
            t.call_id is not null as has_transcript, t.source as t_source, t.speaker_mode as t_speaker_mode,
            t.duration_s as t_duration_s, t.segments as t_segments,
            s.scorecard_id as s_scorecard_id, s.scorecard_version as s_version, s.result as s_result,
            card.sha256 as card_sha256,
            o.call_id is not null as has_outcome, o.score as o_score, o.passed as o_passed, o.source as o_source,
            o.recorded_at as o_recorded_at, o.recorded_by as o_recorded_by,
            si.reason as si_reason, si.detail as si_detail, si.run_id as si_run_id,
            to_char(si.month, 'YYYY-MM') as si_month,
            to_char(q.month, 'YYYY-MM') as queue_month, u.username as assignee,
            p.state as p_state, p.failure_code as p_failure_code,
            coalesce(r.reviews, '[]') as reviews
     from calls c
     left join agents a using (agent_id)
     left join transcripts t on t.call_id = c.call_id
     left join lateral (
       select scorecard_id, scorecard_version, result from call_scores where call_id = c.call_id
       order by created_at desc, scorecard_version desc limit 1) s on true
     left join scorecards card on card.scorecard_id = s.scorecard_id and card.version = s.scorecard_version
     left join lateral effective_outcome(c.call_id, 'infinity') o on true
     left join sample_items si on si.call_id = c.call_id
     left join review_queue q on q.call_id = c.call_id
     left join users u on u.user_id = q.assigned_to
     left join call_processing p on p.call_id = c.call_id
     left join lateral (
       select json_agg(json_build_object(
                'version', version, 'reviewer', reviewer, 'created_at', created_at, 'scorecard_id', scorecard_id,
                'scorecard_version', scorecard_version, 'computed_score', computed_score,
                'final_score', final_score, 'passed', passed, 'comment', comment, 'exemplary', exemplary,
                'exemplary_note', exemplary_note, 'items', items, 'added_deductions', added_deductions,
                'outcome_event_id', outcome_event_id) order by version desc) as reviews
       from call_reviews where call_id = c.call_id) r on true
     where c.call_id = $1 and ${callInScope('c', 'a', 2)}`,
    values: scopeParams(scope, [callId]),
  });
  const r = rows[0];
  if (!r) return undefined;
  return {
    call: toCall(r),
    agentName: r.agent_name ?? null,
    transcript: r.has_transcript
      ? {
          source: r.t_source,
          speakerMode: r.t_speaker_mode,
          durationS: r.t_duration_s,
          segments: r.t_segments,
        }
      : null,
    score:
      r.s_scorecard_id !== null
        ? {
            scorecardId: r.s_scorecard_id,
            version: r.s_version,
            result: r.s_result,
            cardSha256: r.card_sha256,
          }
        : null,
    outcome: r.has_outcome
      ? {
          score: r.o_score,
          passed: r.o_passed,
          source: r.o_source,
          recordedAt: r.o_recorded_at,
          recordedBy: r.o_recorded_by,
        }
      : null,
    sample: r.si_reason
      ? { reason: r.si_reason, detail: r.si_detail, runId: r.si_run_id, month: r.si_month }
      : null,
    assignment: r.assignee ? { month: r.queue_month, reviewer: r.assignee } : null,
    processing: r.p_state ? { state: r.p_state, failureCode: r.p_failure_code } : null,
    reviews: (r.reviews as Array<Record<string, unknown>>).map((v) =>
      toStoredReview({ ...v, created_at: new Date(v.created_at as string) }),
    ),
  };
}

/** A reviewed call as training data: its latest review, the transcript, and the machine's score that review judged. */
export interface ReviewedCallRow {
  callId: string;
  channel: 'phone' | 'chat';
  segments: { speaker: 'agent' | 'customer' | 'unknown'; start: number; end: number; text: string }[];
  /** The stored CallScore of the scorecard version the reviewer saw. */
  result: { items: unknown[] };
  items: unknown[];
  addedDeductions: unknown[];
}

/**
 * One page of reviewed calls in call-id order, after `after` (exclusive),
 * each with its latest review only; `month` keeps the calls sampled in that
 * month (YYYY-MM). A call whose transcript or judged score is gone is left out.
 */
export async function reviewedCallsPage(
  db: Queryable,
  page: { after?: string; month?: string; limit: number },
): Promise<ReviewedCallRow[]> {
  const { rows } = await db.query(
    `select r.call_id, t.channel, t.segments, s.result, r.items, r.added_deductions
     from (select distinct on (call_id) call_id, scorecard_id, scorecard_version, items, added_deductions
           from call_reviews where $1::text is null or call_id > $1
           order by call_id, version desc) r
     join transcripts t on t.call_id = r.call_id
     join call_scores s on s.call_id = r.call_id and s.scorecard_id = r.scorecard_id
                       and s.scorecard_version = r.scorecard_version
     where $2::text is null
        or exists (select 1 from review_queue q where q.call_id = r.call_id and q.month = ($2 || '-01')::date)
     order by r.call_id
     limit ${sqlLimit(page.limit)}`,
    [page.after ?? null, page.month ?? null],
  );
  return rows.map((r) => ({
    callId: r.call_id,
    channel: r.channel,
    segments: r.segments,
    result: r.result,
    items: r.items,
    addedDeductions: r.added_deductions,
  }));
}
