import { callScopeOf } from '../../models/permissions.ts';
import {
  defaultQueueMonth,
  queuePage,
  userIdByName,
  type QueueCursor,
} from '../../models/review-repository.ts';
import type { QueueItem, QueuePage, QueueQuery } from '../contracts/review.ts';
import { decodePageCursor, encodePageCursor } from './page-cursor.ts';
import type { ServiceContext } from './service-context.ts';

/**
 * The review queue, a page at a time, cut to the actor's scope in SQL
 * (supervisor: their teams; qa and admin: every call). `assignee` defaults
 * to `me` for qa and to `all` for everyone else. The cursor is opaque
 * (base64url of the last row's sort key); anything that does not decode to
 * one is a 400 invalid_cursor.
 */
export async function reviewQueue(
  ctx: Pick<ServiceContext, 'actor' | 'tx'>,
  query: QueueQuery,
): Promise<QueuePage> {
  const { actor, tx } = ctx;
  const month = query.month ?? (await defaultQueueMonth(tx));
  if (!month) return { month: '', items: [], nextCursor: null };
  const assignee = query.assignee ?? (actor.role === 'qa' ? 'me' : 'all');
  let assignedTo: number | undefined;
  if (assignee === 'me') assignedTo = actor.userId;
  else if (assignee !== 'all') {
    // An unknown reviewer has no calls: an empty page, not an error that tells names apart.
    assignedTo = (await userIdByName(tx, assignee)) ?? -1;
  }
  const rows = await queuePage(tx, {
    month,
    scope: callScopeOf(actor),
    assignedTo,
    status: query.status,
    team: query.team,
    agent: query.agent,
    reason: query.reason,
    needsReview: query.needsReview === undefined ? undefined : query.needsReview === 'true',
    scoreMin: query.scoreMin,
    scoreMax: query.scoreMax,
    limit: query.limit,
    after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
  });
  const page = rows.slice(0, query.limit);
  return {
    month,
    items: page.map((r): QueueItem => ({
      callId: r.callId,
      agentId: r.agentId,
      agentName: r.agentName,
      teamId: r.teamId,
      startedAt: r.startedAt.toISOString(),
      durationS: r.durationS,
      direction: r.direction,
      sampleReason: r.sampleReason as QueueItem['sampleReason'],
      autoScore: r.autoScore,
      autoPassed: r.autoPassed,
      needsReview: r.needsReview,
      score: r.score,
      passed: r.passed,
      reviewed: r.reviewVersion > 0,
      reviewVersion: r.reviewVersion,
      assignee: r.assignee,
      hasRecording: r.hasRecording,
    })),
    nextCursor: rows.length > query.limit ? encodeCursor(page[page.length - 1].cursor) : null,
  };
}

export function encodeCursor(cursor: QueueCursor): string {
  return encodePageCursor([cursor.reviewFirst, cursor.startedUs, cursor.callId]);
}

export function decodeCursor(text: string): QueueCursor {
  const [reviewFirst, startedUs, callId] = decodePageCursor(text, ['flag', 'micros', 'id']);
  return { reviewFirst, startedUs, callId };
}
