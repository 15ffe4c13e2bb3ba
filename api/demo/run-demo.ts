import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { writeAudit } from '../../models/audit-repository.ts';
import { CALL_FIELDS } from '../../models/call-record.ts';
import type { Config } from '../../models/config.ts';
import { withTransaction, type Queryable } from '../../models/db.ts';
import type { Role } from '../../models/permissions.ts';
import { findUser } from '../../models/user-repository.ts';
import { samplingParamsFrom } from '../../sampling/params.ts';
import { insertManualPick } from '../../sampling/run-repository.ts';
import { runSampling, type RunSummary } from '../../sampling/run-sampling.ts';
import { ingestFile, type IngestSummary } from '../ingest/ingest-file.ts';
import { addUser, resetPassword } from '../services/account-service.ts';
import { saveImportedTranscript } from '../services/call-service.ts';
import { auditFields, type AuditActor } from '../services/service-context.ts';
import { loadDemoAudio, placeDemoRecording, type DemoAudioCall } from './demo-audio.ts';
import { demoTranscript } from './demo-transcript.ts';
import { generateDemoCalls, toCsvLine, type DemoCall } from './generate-calls.ts';
import { demoProgress, type DemoProgress } from './score-demo-calls.ts';
import { setDemoPlan } from './set-demo-plan.ts';

export interface DemoRunOptions {
  /** Two 'YYYY-MM' months, the earlier first; the later one is sampled. Default: the two before now. */
  months?: string[];
  agents: number;
  teams: number;
  callsPerDay: number;
  seed: number;
  resetPasswords: boolean;
  now?: Date;
}

export interface DemoUser {
  username: string;
  role: Role;
  scope: string;
  /** Shown once: a new user's generated password, or a reset one. */
  password?: string;
  existed: boolean;
}

export interface DemoRun {
  month: string;
  ingest: IngestSummary;
  run: RunSummary;
  /** Sampled demo calls given a transcript by this run (its picks, and earlier picks that had none). */
  transcribed: number;
  audioCalls: string[];
  users: DemoUser[];
  /** Where the month's sampled calls ended up once `untilScored` returned. */
  progress: DemoProgress;
  /** The month's QA plan for demo-qa1 and demo-qa2 (set-demo-plan.ts). */
  plan: Awaited<ReturnType<typeof setDemoPlan>>;
}

export interface DemoDeps {
  pool: pg.Pool;
  config: Config;
  audit: AuditActor;
  /**
   * Returns once the month's sampled calls are scored (or it gave up): waits
   * for a running server's pipeline, or scores them here (score-demo-calls.ts).
   */
  untilScored: (month: string) => Promise<void>;
}

/** The agent of the recorded calls (their greetings say 1001号, 小王). */
const RECORDED_AGENT = '1001';

/** Which calls are the demo's own: only these ever get a generated transcript. */
const DEMO_CALL_ID = '^(D\\d{15}|DEMO-AUDIO-\\d+)$';

/**
 * `callqa demo`: two months of calls for a small centre, ingested; the later
 * month sampled; every sampled demo call given a transcript (a few a real
 * recording) in the sampling run's own transaction, so when the running
 * server's dispatcher first sees the picks they are already `transcribed`
 * and go straight to scoring — none can fail for want of a recording.
 * Then demo users for every role and the month's QA plan. Safe to re-run:
 * the calls are the same (seeded), a new run only adds picks, existing users
 * are kept (or given new passwords with `resetPasswords`).
 */
export async function runDemo(deps: DemoDeps, options: DemoRunOptions): Promise<DemoRun> {
  const { pool, config } = deps;
  const months = options.months ?? previousMonths(options.now ?? new Date(), config.timeZone);
  const month = months[months.length - 1];
  const audio = await loadDemoAudio();
  const work = await mkdtemp(join(tmpdir(), 'callqa-demo-'));
  try {
    const csv = join(work, 'demo-calls.csv');
    const { agent, teams } = await writeCalls(csv, options, months, audio, config.storageDir);
    const ingest = await ingestFile(pool, csv, {
      recordingsDir: config.storageDir,
      recordingRoots: config.recordingRoots,
      recordingHosts: config.recordingHosts,
    });
    let transcribed = 0;
    const run = await runSampling(pool, samplingParamsFrom(config), {
      month,
      kind: 'on_demand',
      beforeCommit: async (tx) => {
        transcribed = await transcribeSampled(tx, deps.audit, month, audio, options.seed, config.timeZone);
      },
    });
    await writeAudit(pool, {
      ...auditFields(deps.audit),
      action: 'sampling_run_created',
      target: `run:${run.runId}`,
      after: { month, demo: true, selected: run.selected, transcribed },
    });
    const users = await withTransaction(pool, (tx) =>
      demoUsers({ audit: deps.audit, tx }, agent, teams.slice(0, 2), options.resetPasswords),
    );
    await deps.untilScored(month);
    const progress = await demoProgress(pool, month);
    const plan = await setDemoPlan(pool, deps.audit, month, ['demo-qa1', 'demo-qa2'], progress.total);
    return {
      month,
      ingest,
      run,
      transcribed,
      audioCalls: audio.map((a) => a.call_id),
      users,
      progress,
      plan,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The two calendar months before the one `now` is in, in the configured zone. */
export function previousMonths(now: Date, timeZone: string): string[] {
  const [year, month] = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' })
    .format(now)
    .split('-')
    .map(Number);
  return [2, 1].map((back) => {
    const d = new Date(Date.UTC(year, month - 1 - back, 1));
    return d.toISOString().slice(0, 7);
  });
}

/**
 * The generated calls plus the recorded ones (the first agent's, spread over
 * the sampled month), as a call-record CSV; the recordings are copied under
 * the storage directory first, so ingest finds and accepts them.
 */
async function writeCalls(
  path: string,
  options: DemoRunOptions,
  months: string[],
  audio: DemoAudioCall[],
  storageDir: string,
): Promise<{ agent: DemoCall; teams: string[] }> {
  const stream = createWriteStream(path);
  stream.write(CALL_FIELDS.join(',') + '\n');
  let agent: DemoCall | undefined;
  const teamOf = new Map<string, string>();
  const calls = generateDemoCalls({
    months,
    agents: options.agents,
    teams: options.teams,
    callsPerDay: options.callsPerDay,
    seed: options.seed,
    // The demo's dialogues are service calls the customer made (inbound).
    outboundShare: 0,
  });
  for (const call of calls) {
    if (call.agent_id === RECORDED_AGENT) agent ??= call;
    teamOf.set(call.agent_id, call.team);
    if (!stream.write(toCsvLine(call) + '\n')) await once(stream, 'drain');
  }
  if (!agent) throw new Error('the demo generated no calls');
  const sampled = months[months.length - 1];
  for (const [i, a] of audio.entries()) {
    const day = String(3 + ((i * 4) % 25)).padStart(2, '0');
    const recorded: DemoCall = {
      ...agent,
      call_id: a.call_id,
      started_at: `${sampled}-${day}T${String(9 + i).padStart(2, '0')}:2${i}:0${i}+08:00`,
      duration_s: a.duration_s,
      direction: a.direction,
      recording: await placeDemoRecording(storageDir, a),
      agent_channel: a.agent_channel,
    };
    stream.write(toCsvLine(recorded) + '\n');
  }
  stream.end();
  await once(stream, 'finish');
  // In agent order, so the supervisor's first team is the recorded agent's.
  const teams = [...teamOf.entries()].sort(([a], [b]) => Number(a) - Number(b)).map(([, team]) => team);
  return { agent, teams: [...new Set(teams)] };
}

/**
 * Inside the sampling run's transaction: the recorded calls are added as
 * manual picks (if not sampled yet), and every sampled demo call of the month
 * without a transcript gets one — the recorded calls theirs, the others a
 * composed dialogue. Returns how many were given one.
 */
async function transcribeSampled(
  tx: Queryable,
  audit: AuditActor,
  month: string,
  audio: DemoAudioCall[],
  seed: number,
  timeZone: string,
): Promise<number> {
  const sampled = await tx.query<{ call_id: string }>(
    `select call_id from sample_items where call_id = any($1::text[])`,
    [audio.map((a) => a.call_id)],
  );
  const already = new Set(sampled.rows.map((r) => r.call_id));
  for (const a of audio) {
    if (!already.has(a.call_id))
      await insertManualPick(tx, a.call_id, 'demo: a call with a recording', timeZone);
  }
  const { rows } = await tx.query(
    `select c.call_id, c.agent_id, a.agent_name, c.duration_s, c.direction, c.agent_channel
     from sample_items s join calls c using (call_id) join agents a on a.agent_id = c.agent_id
     where s.month = ($1 || '-01')::date and c.call_id ~ $2
       and not exists (select 1 from transcripts t where t.call_id = c.call_id)
     order by c.call_id`,
    [month, DEMO_CALL_ID],
  );
  const recorded = new Map(audio.map((a) => [a.call_id, a]));
  for (const row of rows) {
    const call = { callId: row.call_id as string, durationS: Number(row.duration_s) };
    const a = recorded.get(call.callId);
    const body = a
      ? { call_id: a.call_id, language: 'zh', segments: a.segments }
      : demoTranscript(
          {
            callId: call.callId,
            agentId: row.agent_id,
            agentName: row.agent_name,
            durationS: call.durationS,
            direction: row.direction,
            agentChannel: row.agent_channel,
          },
          seed,
        ).record;
    await saveImportedTranscript({ audit, tx }, call, body);
  }
  return rows.length;
}

/** One user per role; existing ones are kept (their password unknown here) unless reset. */
async function demoUsers(
  ctx: { audit: AuditActor; tx: Queryable },
  agent: DemoCall,
  teams: string[],
  reset: boolean,
): Promise<DemoUser[]> {
  const wanted: Array<{ username: string; role: Role; agentId?: string; teams: string[]; scope: string }> = [
    { username: 'demo-admin', role: 'admin', teams: [], scope: 'everything' },
    { username: 'demo-qa1', role: 'qa', teams: [], scope: 'every call' },
    { username: 'demo-qa2', role: 'qa', teams: [], scope: 'every call' },
    { username: 'demo-supervisor', role: 'supervisor', teams, scope: `teams ${teams.join(', ')}` },
    {
      username: 'demo-agent',
      role: 'agent',
      agentId: agent.agent_id,
      teams: [],
      scope: `agent ${agent.agent_id} ${agent.agent_name} (calls with audio)`,
    },
  ];
  const users: DemoUser[] = [];
  for (const u of wanted) {
    const base = { username: u.username, role: u.role, scope: u.scope };
    if (await findUser(ctx.tx, u.username)) {
      users.push({
        ...base,
        existed: true,
        ...(reset ? { password: await resetPassword(ctx, u.username) } : {}),
      });
      continue;
    }
    const added = await addUser(ctx, {
      username: u.username,
      role: u.role,
      agentId: u.agentId,
      teams: u.teams,
    });
    users.push({ ...base, existed: false, password: added.generatedPassword });
  }
  return users;
}
