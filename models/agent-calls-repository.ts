import type { Queryable } from './db.ts';

/** Where the previous page ended, newest first: (started_at, call_id) descending. */
export interface AgentCallsCursor {
  /** started_at as microseconds since the epoch (exact, unlike a JS Date). */
  startedUs: string;
  callId: string;
}

export interface AgentCallRow {
  callId: string;
  startedAt: Date;
  durationS: number;
  direction: 'inbound' | 'outbound';
  month: string;
  sampleReason: string;
  score: number;
  passed: boolean;
  reviewed: boolean;
  hasRecording: boolean;
  cursor: AgentCallsCursor;
}

/**
 * One agent's sampled, scored calls (the review queue's rows, every month),
 * newest first, `limit + 1` rows so the caller knows whether a page follows.
 * The agent is the only filter: the caller passes the actor's own agent id.
 */
export async function agentCallsPage(
  db: Queryable,
  f: { agentId: string; limit: number; before?: AgentCallsCursor },
): Promise<AgentCallRow[]> {
  const { rows } = await db.query(
    `select q.call_id, q.started_at, c.duration_s, c.direction, to_char(q.month, 'YYYY-MM') as month,
            q.reason, q.score, q.passed, q.review_version > 0 as reviewed,
            c.recording_status in ('ok', 'uploaded') as has_recording,
            (extract(epoch from q.started_at) * 1000000)::bigint::text as started_us
     from review_queue q
     join calls c on c.call_id = q.call_id
     where q.agent_id = $1
       and ($2::bigint is null or (q.started_at, q.call_id) <
             (timestamptz 'epoch' + $2::bigint * interval '1 microsecond', $3::text))
     order by q.started_at desc, q.call_id desc
     limit $4`,
    [f.agentId, f.before?.startedUs ?? null, f.before?.callId ?? null, f.limit + 1],
  );
  return rows.map((r) => ({
    callId: r.call_id,
    startedAt: r.started_at,
    durationS: r.duration_s,
    direction: r.direction,
    month: r.month,
    sampleReason: r.reason,
    score: r.score,
    passed: r.passed,
    reviewed: r.reviewed,
    hasRecording: r.has_recording,
    cursor: { startedUs: r.started_us, callId: r.call_id },
  }));
}
