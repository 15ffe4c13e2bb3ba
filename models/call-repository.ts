import type pg from 'pg';
import type { Queryable } from './db.ts';
import type { AgentChannel, CallRecord, Direction } from './call-record.ts';
import { upsertAgents, upsertTeams } from './agent-repository.ts';
import { writeBatch, type RefusedRow } from './batch-write.ts';

export type RecordingStatus = 'none' | 'ok' | 'remote' | 'unreadable' | 'uploaded';

export interface CallToStore extends CallRecord {
  recordingStatus: RecordingStatus;
  recordingProblem?: string;
  /** The flag's stable code (api/ingest/check-recording.ts RecordingProblemCode). */
  recordingProblemCode?: string;
}

export interface Call {
  callId: string;
  agentId: string;
  teamId: string | null;
  startedAt: Date;
  durationS: number;
  direction: Direction;
  recording: string | null;
  agentChannel: AgentChannel;
  recordingStatus: RecordingStatus;
  recordingProblem: string | null;
  recordingProblemCode: string | null;
}

export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

const noCounts = (): UpsertCounts => ({ inserted: 0, updated: 0, unchanged: 0 });

/**
 * Stores a batch of calls so that every row PostgreSQL accepts lands, with its
 * agent and team, and each row it refuses is returned by index with its
 * SQLSTATE (and leaves no agent or team behind).
 */
export async function storeCalls(
  pool: pg.Pool,
  calls: readonly CallToStore[],
): Promise<{ counts: UpsertCounts; refused: RefusedRow[] }> {
  if (calls.length === 0) return { counts: noCounts(), refused: [] };
  const { result, refused } = await writeBatch(
    pool,
    calls,
    (tx, part) => upsertCalls(tx, part),
    (all) =>
      all.reduce(
        (sum, c) => ({
          inserted: sum.inserted + c.inserted,
          updated: sum.updated + c.updated,
          unchanged: sum.unchanged + c.unchanged,
        }),
        noCounts(),
      ),
  );
  return { counts: result, refused };
}

/**
 * Upserts a batch of calls with their agents and teams in one statement per
 * table (in one transaction when `db` is one: see storeCalls). Call ids must be unique within the batch (the ingest checks that).
 * A row identical to the stored one is left alone and counted as unchanged,
 * so re-ingesting a file is idempotent.
 */
export async function upsertCalls(db: Queryable, calls: readonly CallToStore[]): Promise<UpsertCounts> {
  if (calls.length === 0) return noCounts();
  await upsertAgentsFromCalls(db, calls);
  const result = await db.query<{ inserted: boolean }>(
    `insert into calls as c (call_id, agent_id, team_id, started_at, duration_s, direction, recording,
                             agent_channel, recording_status, recording_problem, recording_problem_code)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::numeric[], $6::text[],
                          $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
     on conflict (call_id) do update set
       agent_id = excluded.agent_id, team_id = excluded.team_id, started_at = excluded.started_at,
       duration_s = excluded.duration_s, direction = excluded.direction, recording = excluded.recording,
       agent_channel = excluded.agent_channel, recording_status = excluded.recording_status,
       recording_problem = excluded.recording_problem, recording_problem_code = excluded.recording_problem_code,
       updated_at = now()
     where (c.agent_id, c.team_id, c.started_at, c.duration_s, c.direction, c.recording, c.agent_channel,
            c.recording_status, c.recording_problem, c.recording_problem_code)
       is distinct from
           (excluded.agent_id, excluded.team_id, excluded.started_at, excluded.duration_s, excluded.direction,
            excluded.recording, excluded.agent_channel, excluded.recording_status, excluded.recording_problem,
            excluded.recording_problem_code)
     returning (xmax = 0) as inserted`,
    [
      calls.map((c) => c.callId),
      calls.map((c) => c.agentId),
      calls.map((c) => c.team ?? null),
      calls.map((c) => c.startedAt.toISOString()),
      calls.map((c) => c.durationS),
      calls.map((c) => c.direction),
      calls.map((c) => c.recording ?? null),
      calls.map((c) => c.agentChannel),
      calls.map((c) => c.recordingStatus),
      calls.map((c) => c.recordingProblem ?? null),
      calls.map((c) => c.recordingProblemCode ?? null),
    ],
  );
  const inserted = result.rows.filter((r) => r.inserted).length;
  const updated = result.rows.length - inserted;
  return { inserted, updated, unchanged: calls.length - result.rows.length };
}

async function upsertAgentsFromCalls(db: Queryable, calls: readonly CallToStore[]): Promise<void> {
  // Later rows win: a file is in time order more often than not.
  const agents = new Map<string, { name?: string; team?: string }>();
  for (const c of calls) {
    const seen = agents.get(c.agentId);
    agents.set(c.agentId, { name: c.agentName ?? seen?.name, team: c.team ?? seen?.team });
  }
  const teams = [...new Set(calls.map((c) => c.team).filter((t): t is string => !!t))];
  await upsertTeams(
    db,
    teams.map((teamId) => ({ teamId })),
  );
  const ids = [...agents.keys()];
  await upsertAgents(
    db,
    ids.map((id) => ({ agentId: id, agentName: agents.get(id)!.name, teamId: agents.get(id)!.team })),
  );
}

/** The columns toCall reads. */
export const CALL_COLUMNS = [
  'call_id',
  'agent_id',
  'team_id',
  'started_at',
  'duration_s',
  'direction',
  'recording',
  'agent_channel',
  'recording_status',
  'recording_problem',
  'recording_problem_code',
] as const;

export async function getCall(db: Queryable, callId: string): Promise<Call | undefined> {
  const { rows } = await db.query(`select ${CALL_COLUMNS.join(', ')} from calls where call_id = $1`, [
    callId,
  ]);
  return rows[0] ? toCall(rows[0]) : undefined;
}

export async function setRecording(
  db: Queryable,
  callId: string,
  recording: string,
  status: RecordingStatus,
): Promise<boolean> {
  const result = await db.query(
    `update calls set recording = $2, recording_status = $3, recording_problem = null,
            recording_problem_code = null, updated_at = now()
     where call_id = $1`,
    [callId, recording, status],
  );
  return result.rowCount === 1;
}

export function toCall(row: Record<string, unknown>): Call {
  return {
    callId: row.call_id as string,
    agentId: row.agent_id as string,
    teamId: (row.team_id as string | null) ?? null,
    startedAt: row.started_at as Date,
    durationS: Number(row.duration_s),
    direction: row.direction as Direction,
    recording: (row.recording as string | null) ?? null,
    agentChannel: row.agent_channel as AgentChannel,
    recordingStatus: row.recording_status as RecordingStatus,
    recordingProblem: (row.recording_problem as string | null) ?? null,
    recordingProblemCode: (row.recording_problem_code as string | null) ?? null,
  };
}
