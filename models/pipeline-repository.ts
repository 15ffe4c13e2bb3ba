import type { Queryable } from './db.ts';
import type { Transcript } from './transcript.ts';

export type PipelineState = 'pending' | 'transcribing' | 'transcribed' | 'scoring' | 'scored' | 'failed';

export interface Processing {
  callId: string;
  state: PipelineState;
  attempts: number;
  failureCode: string | null;
  failureReason: string | null;
}

/**
 * Sampled calls enter the pipeline once, run by run: each run is claimed and
 * its picks admitted in one statement, so concurrent dispatchers never admit a
 * run twice and never rescan old runs. Calls without a usable recording fail
 * at once, saying why.
 */
export async function admitSampledCalls(db: Queryable): Promise<number> {
  const { rowCount } = await db.query(
    `with runs as (
       update sampling_runs set admitted_at = now() where admitted_at is null returning run_id)
     insert into call_processing (call_id, state, failure_code, failure_reason, failed_stage)
     select s.call_id,
            case when c.recording_status in ('ok', 'remote', 'uploaded') then 'pending' else 'failed' end,
            case when c.recording_status in ('ok', 'remote', 'uploaded') then null
                 when c.recording_status = 'none' then 'no_recording'
                 else coalesce(c.recording_problem_code, 'unreadable') end,
            case when c.recording_status in ('ok', 'remote', 'uploaded') then null
                 when c.recording_status = 'none' then 'the call has no recording; upload one or import a transcript'
                 else coalesce(c.recording_problem, 'the recording could not be read at ingest') end,
            case when c.recording_status in ('ok', 'remote', 'uploaded') then null else 'fetch' end
     from runs join sample_items s using (run_id) join calls c using (call_id)
     on conflict (call_id) do nothing`,
  );
  return rowCount ?? 0;
}

/**
 * Calls a dispatcher should (re)queue: waiting for a stage, or caught mid-stage
 * by a crash. Calls already begun come first, so a backlog larger than `limit`
 * cannot hold back the ones a restart interrupted.
 */
export async function openWork(
  db: Queryable,
  limit: number,
): Promise<Array<{ callId: string; state: PipelineState }>> {
  const { rows } = await db.query(
    `select call_id, state from call_processing where state not in ('scored', 'failed')
     order by state = 'pending', updated_at limit $1`,
    [limit],
  );
  return rows.map((r) => ({ callId: r.call_id, state: r.state }));
}

export async function getProcessing(db: Queryable, callId: string): Promise<Processing | undefined> {
  const { rows } = await db.query(
    `select call_id, state, attempts, failure_code, failure_reason from call_processing where call_id = $1`,
    [callId],
  );
  const r = rows[0];
  return r
    ? {
        callId: r.call_id,
        state: r.state,
        attempts: r.attempts,
        failureCode: r.failure_code,
        failureReason: r.failure_reason,
      }
    : undefined;
}

/**
 * Moves a call into a working state if it is in one of `from`; returns false if
 * another worker already moved it on, which makes redelivered jobs no-ops.
 */
export async function beginStage(
  db: Queryable,
  callId: string,
  from: PipelineState[],
  to: 'transcribing' | 'scoring',
): Promise<boolean> {
  const { rowCount } = await db.query(
    `update call_processing set state = $3, attempts = attempts + 1, updated_at = now()
     where call_id = $1 and state = any($2::text[])`,
    [callId, from, to],
  );
  return rowCount === 1;
}

export async function markFailed(db: Queryable, callId: string, stage: string, code: string, reason: string) {
  await db.query(
    `update call_processing set state = 'failed', failed_stage = $2, failure_code = $3, failure_reason = $4,
            updated_at = now()
     where call_id = $1 and state <> 'scored'`,
    [callId, stage, code, reason],
  );
}

/** Stores a transcript (replacing an earlier one) and marks the call transcribed, in one statement. */
export async function saveTranscript(
  db: Queryable,
  t: Transcript,
  extra: { model?: string; timings?: object } = {},
) {
  await db.query(
    `with saved as (
       insert into transcripts (call_id, source, language, speaker_mode, speaker_decision, duration_s, segments,
                                speech, model, timings, channel)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       on conflict (call_id) do update set source = excluded.source, language = excluded.language,
         channel = excluded.channel,
         speaker_mode = excluded.speaker_mode, speaker_decision = excluded.speaker_decision,
         duration_s = excluded.duration_s, segments = excluded.segments, speech = excluded.speech,
         model = excluded.model, timings = excluded.timings, created_at = now()
       returning call_id)
     insert into call_processing (call_id, state) select call_id, 'transcribed' from saved
     on conflict (call_id) do update set state = 'transcribed', failure_code = null, failure_reason = null,
       failed_stage = null, updated_at = now()`,
    [
      t.callId,
      t.source,
      t.language,
      t.speakerMode,
      JSON.stringify(t.speakerDecision),
      t.durationS,
      JSON.stringify(t.segments),
      t.speech ? JSON.stringify(t.speech) : null,
      extra.model ?? null,
      extra.timings ? JSON.stringify(extra.timings) : null,
      t.channel ?? 'phone',
    ],
  );
}

export async function getTranscript(db: Queryable, callId: string): Promise<Transcript | undefined> {
  const { rows } = await db.query(
    `select call_id, source, language, channel, speaker_mode, speaker_decision, duration_s, segments, speech
     from transcripts where call_id = $1`,
    [callId],
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    callId: r.call_id,
    source: r.source,
    language: r.language,
    ...(r.channel === 'chat' ? { channel: 'chat' as const } : {}),
    speakerMode: r.speaker_mode,
    speakerDecision: r.speaker_decision,
    durationS: r.duration_s,
    segments: r.segments,
    speech: r.speech ?? undefined,
  };
}

export async function markScored(db: Queryable, callId: string) {
  await db.query(`update call_processing set state = 'scored', updated_at = now() where call_id = $1`, [
    callId,
  ]);
}

/** Puts failed calls back to pending (after the recording was fixed, say). */
export async function retryFailed(db: Queryable, callIds: string[] | 'all'): Promise<number> {
  const { rowCount } = await db.query(
    `update call_processing set state = 'pending', failure_code = null, failure_reason = null, failed_stage = null,
            attempts = 0, updated_at = now()
     where state = 'failed' and ($1::text[] is null or call_id = any($1::text[]))`,
    [callIds === 'all' ? null : callIds],
  );
  return rowCount ?? 0;
}

export async function pipelineCounts(db: Queryable): Promise<Partial<Record<PipelineState, number>>> {
  const { rows } = await db.query(
    `select state, count(*)::int as n from call_processing group by state order by state`,
  );
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

export async function failedCalls(db: Queryable, limit: number) {
  const { rows } = await db.query(
    `select call_id, failed_stage, failure_code, failure_reason, attempts from call_processing
     where state = 'failed' order by updated_at desc limit $1`,
    [limit],
  );
  return rows.map((r) => ({
    callId: r.call_id as string,
    stage: r.failed_stage as string | null,
    code: r.failure_code as string | null,
    reason: r.failure_reason as string | null,
    attempts: r.attempts as number,
  }));
}
