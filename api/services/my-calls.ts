import { agentCallsPage, type AgentCallsCursor } from '../../models/agent-calls-repository.ts';
import { callScopeOf } from '../../models/permissions.ts';
import { ApiError } from '../api-error.ts';
import type { MyCall, MyCallsPage, MyCallsQuery } from '../contracts/my-calls.ts';
import { decodePageCursor, encodePageCursor } from './page-cursor.ts';
import type { ServiceContext } from './service-context.ts';

/**
 * The signed-in agent's own sampled, scored calls, newest first — read-only,
 * without the queue's reviewer fields. Only an actor whose scope is one
 * agent's calls has calls of their own; anyone else is 403 forbidden (QA and
 * supervisors have the review queue). The agent id comes from the actor,
 * never from the request, so no query can reach another agent's calls.
 */
export async function myCalls(
  ctx: Pick<ServiceContext, 'actor' | 'tx'>,
  query: MyCallsQuery,
): Promise<MyCallsPage> {
  const scope = callScopeOf(ctx.actor);
  if (scope.kind !== 'agent') {
    throw new ApiError(403, 'forbidden', 'only an agent account has calls of its own: see /review/queue');
  }
  const rows = await agentCallsPage(ctx.tx, {
    agentId: scope.agentId,
    limit: query.limit,
    before: query.cursor === undefined ? undefined : decodeMyCallsCursor(query.cursor),
  });
  const page = rows.slice(0, query.limit);
  return {
    items: page.map((r): MyCall => ({
      callId: r.callId,
      startedAt: r.startedAt.toISOString(),
      durationS: r.durationS,
      direction: r.direction,
      month: r.month,
      sampleReason: r.sampleReason as MyCall['sampleReason'],
      score: r.score,
      passed: r.passed,
      reviewed: r.reviewed,
      hasRecording: r.hasRecording,
    })),
    nextCursor: rows.length > query.limit ? encodeMyCallsCursor(page[page.length - 1].cursor) : null,
  };
}

export function encodeMyCallsCursor(cursor: AgentCallsCursor): string {
  return encodePageCursor([cursor.startedUs, cursor.callId]);
}

/** The cursor is opaque; anything that does not decode to one is a 400 invalid_cursor. */
export function decodeMyCallsCursor(text: string): AgentCallsCursor {
  const [startedUs, callId] = decodePageCursor(text, ['micros', 'id']);
  return { startedUs, callId };
}
