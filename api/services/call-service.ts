import { canSeeCall, canSeeCalls } from '../../models/access-repository.ts';
import { writeAudit } from '../../models/audit-repository.ts';
import { getCall, type Call } from '../../models/call-repository.ts';
import { callScopeOf } from '../../models/permissions.ts';
import { getTranscript, saveTranscript } from '../../models/pipeline-repository.ts';
import { importMonthScores, importQaOutcomes, type QaOutcome } from '../../models/score-repository.ts';
import {
  checkTranscriptAgainstCall,
  describeTranscriptProblem,
  parseTranscriptRecord,
  type TranscriptProblem,
} from '../../models/transcript-record.ts';
import { ApiError, notFound } from '../api-error.ts';
import { auditFields, type ServiceContext } from './service-context.ts';

/**
 * The scope check of every call route: a call outside the actor's scope is
 * answered exactly like a call that does not exist (404, same message).
 */
export async function requireVisibleCall(ctx: Pick<ServiceContext, 'actor' | 'tx'>, callId: string) {
  const scope = callScopeOf(ctx.actor);
  // Every call is in an unlimited scope: the route's own lookup answers for a missing one.
  if (scope.kind === 'all') return;
  if (!(await canSeeCall(ctx.tx, scope, callId))) throw notFound(`call ${callId}`);
}

export async function visibleCall(ctx: Pick<ServiceContext, 'actor' | 'tx'>, callId: string): Promise<Call> {
  await requireVisibleCall(ctx, callId);
  const call = await getCall(ctx.tx, callId);
  if (!call) throw notFound(`call ${callId}`);
  return call;
}

/** A transcript made elsewhere replaces the call's transcript; the audit row keeps what it replaced. */
export async function importTranscript(ctx: ServiceContext, callId: string, body: unknown) {
  const call = await visibleCall(ctx, callId);
  return saveImportedTranscript(ctx, call, body);
}

/**
 * importTranscript for a call the caller may already act on (the operator at
 * the CLI, the demo): checks the transcript against the call, stores it and
 * writes the audit row, in `ctx.tx`.
 */
export async function saveImportedTranscript(
  ctx: Pick<ServiceContext, 'audit' | 'tx'>,
  call: Pick<Call, 'callId' | 'durationS'>,
  body: unknown,
) {
  const parsed = parseTranscriptRecord(body, call.callId);
  if (!parsed.ok) throw transcriptRefused(parsed.problems);
  const beyond = checkTranscriptAgainstCall(parsed.transcript, call.durationS);
  if (beyond) throw transcriptRefused([beyond]);
  const previous = await getTranscript(ctx.tx, call.callId);
  await saveTranscript(ctx.tx, parsed.transcript, { model: 'import' });
  await writeAudit(ctx.tx, {
    ...auditFields(ctx.audit),
    action: 'transcript_imported',
    target: `call:${call.callId}`,
    before: previous ? { source: previous.source, segments: previous.segments.length } : null,
    after: {
      source: 'import',
      language: parsed.transcript.language,
      segments: parsed.transcript.segments.length,
    },
  });
  return { callId: call.callId, segments: parsed.transcript.segments.length, state: 'transcribed' };
}

/** 400 with the first problem's code; every problem (code and parameters) listed for a client to act on. */
function transcriptRefused(problems: TranscriptProblem[]): ApiError {
  return new ApiError(400, problems[0].code, problems.map(describeTranscriptProblem).join('; '), {
    problems,
  });
}

export async function setMonthScore(ctx: ServiceContext, agentId: string, month: string, score: number) {
  const { rows } = await ctx.tx.query(
    `select score from agent_month_scores where agent_id = $1 and month = ($2 || '-01')::date`,
    [agentId, month],
  );
  await importMonthScores(ctx.tx, [{ agentId, month, score }]).catch((error: { code?: string }) => {
    if (error.code === '23503') throw new ApiError(404, 'not_found', `agent ${agentId} does not exist`);
    throw error;
  });
  await writeAudit(ctx.tx, {
    ...auditFields(ctx.audit),
    action: 'month_score_set',
    target: `agent:${agentId}:${month}`,
    before: rows[0] ? { score: rows[0].score } : null,
    after: { score },
  });
}

export async function recordOutcomes(ctx: ServiceContext, outcomes: QaOutcome[]) {
  const callIds = outcomes.map((o) => o.callId);
  if (!(await canSeeCalls(ctx.tx, callScopeOf(ctx.actor), callIds))) {
    throw new ApiError(404, 'not_found', 'one of the calls does not exist');
  }
  const { rows } = await ctx.tx.query(
    `select call_id, score, passed from qa_outcomes where call_id = any($1::text[]) order by call_id`,
    [callIds],
  );
  await importQaOutcomes(ctx.tx, outcomes).catch((error: { code?: string }) => {
    if (error.code === '23503') throw new ApiError(404, 'not_found', 'one of the calls does not exist');
    throw error;
  });
  await writeAudit(ctx.tx, {
    ...auditFields(ctx.audit),
    action: 'qa_outcomes_recorded',
    target: outcomes.length === 1 ? `call:${outcomes[0].callId}` : `calls:${outcomes.length}`,
    before: rows.map((r) => ({ callId: r.call_id, score: r.score, passed: r.passed })),
    after: outcomes,
  });
}
