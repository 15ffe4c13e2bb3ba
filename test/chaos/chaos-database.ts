import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { upsertCalls } from '../../models/call-repository.ts';
import { fixture } from '../audio/media-paths.ts';
import { buildCall } from '../helpers/builders.ts';

/** Real short recordings, each with the channel its agent is on. */
const RECORDINGS: Array<{ file: string; agentChannel: 'left' | 'mono' }> = [
  { file: 'stereo-pcm.wav', agentChannel: 'left' },
  { file: 'stereo.mp3', agentChannel: 'left' },
  { file: 'stereo-mulaw.wav', agentChannel: 'left' },
  { file: 'stereo-alaw.wav', agentChannel: 'left' },
  { file: 'stereo.ogg', agentChannel: 'left' },
  { file: 'stereo.m4a', agentChannel: 'left' },
  { file: 'mono.amr', agentChannel: 'mono' },
  { file: 'mono-wb.amr', agentChannel: 'mono' },
];

/**
 * The run's witness: every stage transition and every score written lands in
 * chaos_events with the database clock, in the same transaction as the
 * change itself, so a kill can neither lose nor invent one. Duplicate work
 * and recovery times are read from here, not from process logs.
 */
export async function installWitness(db: pg.Pool): Promise<void> {
  await db.query(`
    create table if not exists chaos_events (
      call_id text not null, event text not null, at timestamptz not null default clock_timestamp());
    create or replace function chaos_stage() returns trigger language plpgsql as $$
    begin
      insert into chaos_events (call_id, event) values (new.call_id, new.state);
      return null;
    end $$;
    create or replace function chaos_score() returns trigger language plpgsql as $$
    begin
      insert into chaos_events (call_id, event) values (new.call_id, 'score_saved');
      return null;
    end $$;
    drop trigger if exists chaos_stage on call_processing;
    create trigger chaos_stage after insert or update on call_processing for each row
      when (new.state <> 'pending') execute function chaos_stage();
    drop trigger if exists chaos_score on call_scores;
    create trigger chaos_score after insert or update on call_scores for each row
      execute function chaos_score();`);
}

/** `count` calls, each with its own copy of a real recording under `storageDir` (not sampled yet). */
export async function ingestCalls(db: pg.Pool, storageDir: string, count: number): Promise<string[]> {
  const dir = join(storageDir, 'chaos');
  await mkdir(dir, { recursive: true });
  const calls = [];
  for (let i = 0; i < count; i++) {
    const callId = `chaos-${String(i + 1).padStart(4, '0')}`;
    const { file, agentChannel } = RECORDINGS[i % RECORDINGS.length]!;
    const recording = join(dir, `${callId}-${file}`);
    await copyFile(fixture(file), recording);
    calls.push(
      buildCall({
        callId,
        agentId: `A${String((i % 10) + 1).padStart(3, '0')}`,
        recording,
        recordingStatus: 'ok',
        agentChannel,
        durationS: 5,
        startedAt: new Date(Date.UTC(2026, 9, 1 + (i % 28), 2, i % 60)),
      }),
    );
  }
  await upsertCalls(db, calls);
  return calls.map((c) => c.callId);
}

/** Samples these calls in one on-demand run; the dispatchers admit it within their interval. */
/**
 * Samples calls as one run, in one statement: a dispatcher that admitted the
 * run between its row and its items would never admit those items (the
 * product's sampler and manual picks write both in one transaction too).
 */
export async function sampleCalls(db: pg.Pool, callIds: string[]): Promise<void> {
  await db.query(
    `with run as (
       insert into sampling_runs (kind, month, through, time_zone, seed, params)
       values ('on_demand', '2026-10-01', now(), 'Asia/Shanghai', 'chaos', '{}')
       returning run_id)
     insert into sample_items (call_id, run_id, agent_id, month, reason)
     select call_id, run.run_id, agent_id, '2026-10-01', 'manual' from calls, run where call_id = any($1::text[])`,
    [callIds],
  );
}

export interface Progress {
  scored: number;
  failed: number;
  inFlight: string[];
}

export async function progress(db: pg.Pool): Promise<Progress> {
  const { rows } = await db.query(`select call_id, state from call_processing`);
  return {
    scored: rows.filter((r) => r.state === 'scored').length,
    failed: rows.filter((r) => r.state === 'failed').length,
    inFlight: rows.filter((r) => r.state === 'transcribing' || r.state === 'scoring').map((r) => r.call_id),
  };
}

/** Each check is a sentence and the rows that break it (none when it holds). */
export interface Check {
  what: string;
  problems: string[];
}

export async function finalChecks(db: pg.Pool, callIds: string[]): Promise<Check[]> {
  const rows = async (sql: string) => (await db.query(sql, [callIds])).rows as Array<Record<string, unknown>>;
  const line = (r: Record<string, unknown>) => Object.values(r).join(' ');
  const checks: Array<[string, string]> = [
    [
      'every sampled call is scored',
      `select s.call_id, coalesce(p.state, 'not admitted') as state, p.failure_code, p.failure_reason
       from unnest($1::text[]) as s(call_id) left join call_processing p using (call_id)
       where p.state is distinct from 'scored' order by 1`,
    ],
    [
      'exactly one transcript per call',
      `select s.call_id, count(t.call_id) as transcripts from unnest($1::text[]) as s(call_id)
       left join transcripts t using (call_id) group by 1 having count(t.call_id) <> 1 order by 1`,
    ],
    [
      'exactly one score per call (one scorecard version applies)',
      `select s.call_id, count(cs.call_id) as scores,
              count(distinct cs.scorecard_id || '@' || cs.scorecard_version) as versions
       from unnest($1::text[]) as s(call_id) left join call_scores cs using (call_id)
       group by 1 having count(cs.call_id) <> 1 order by 1`,
    ],
    [
      'exactly one QA outcome per call, from scoring (one automatic outcome event, none repeated)',
      `select s.call_id, count(e.call_id) as events, string_agg(e.source, ',') as sources
       from unnest($1::text[]) as s(call_id) left join call_outcome_events e using (call_id)
       group by 1 having count(e.call_id) <> 1 or bool_or(e.source <> 'automatic') order by 1`,
    ],
    [
      'nothing left mid-stage or waiting',
      `select call_id, state from call_processing
       where state not in ('scored', 'failed') and call_id = any($1::text[]) order by 1`,
    ],
  ];
  const result: Check[] = [];
  for (const [what, sql] of checks) result.push({ what, problems: (await rows(sql)).map(line) });
  return result;
}

/**
 * Whether each of `callIds` has taken a step since `at`, and some call was
 * scored after `scoredAfter` (epoch ms) unless none was left to score.
 */
export async function movedSince(
  db: pg.Pool,
  callIds: string[],
  at: number,
  scoredAfter: number,
): Promise<boolean> {
  const { rows } = await db.query(
    `select (select count(distinct call_id)::int from chaos_events
             where call_id = any($1::text[]) and at > to_timestamp($2::float8 / 1000)) as moved,
            exists (select from chaos_events where event = 'scored' and at > to_timestamp($3::float8 / 1000))
              or not exists (select from call_processing where state not in ('scored', 'failed')) as scored`,
    [callIds, at, scoredAfter],
  );
  return rows[0].moved === callIds.length && rows[0].scored === true;
}

export interface StageEvent {
  callId: string;
  event: string;
  at: number;
}

export async function stageEvents(db: pg.Pool): Promise<StageEvent[]> {
  const { rows } = await db.query(
    `select call_id, event, extract(epoch from at) * 1000 as at from chaos_events order by at`,
  );
  return rows.map((r) => ({ callId: r.call_id, event: r.event, at: Number(r.at) }));
}

export interface Duplicates {
  /** Transcriptions begun again after a kill took the first (work lost, redone). */
  transcriptionsRestarted: number;
  /** Transcripts saved more than once for a call (the same work done twice to the end). */
  transcriptionsCompletedTwice: number;
  scoringsRestarted: number;
  scoresSavedTwice: number;
}

export function duplicates(events: StageEvent[]): Duplicates {
  const extra = (event: string) => {
    const perCall = new Map<string, number>();
    for (const e of events) if (e.event === event) perCall.set(e.callId, (perCall.get(e.callId) ?? 0) + 1);
    let n = 0;
    for (const count of perCall.values()) n += count - 1;
    return n;
  };
  return {
    transcriptionsRestarted: extra('transcribing'),
    transcriptionsCompletedTwice: extra('transcribed'),
    scoringsRestarted: extra('scoring'),
    scoresSavedTwice: extra('score_saved'),
  };
}
