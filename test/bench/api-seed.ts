/**
 * The seeded database behind `npm run bench:api`: two months of calls for a
 * call centre (1M calls, ~1,000 agents in ~20 teams), sampled by the real
 * sampler, 100k of the picks transcribed and scored, outcome events, QA plans
 * with assignments, some reviews, and a few real recordings that many calls
 * point to. Everything big is generated inside PostgreSQL (generate_series,
 * set-based inserts): a million round trips would take longer than the bench.
 *
 * The transcripts and scores are real: a few dozen Mandarin calls from the
 * test generator, scored by the real scorer with the built-in scorecards,
 * then fanned out to the 100k scored calls (each copy carries its own call id).
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import { mulberry32 } from '../../models/mulberry32.ts';
import { samplingParamsFrom } from '../../sampling/params.ts';
import { runSampling } from '../../sampling/run-sampling.ts';
import { resolveFfmpegPath } from '../../workers/audio/ffmpeg-path.ts';
import {
  BUILT_IN_SCORECARDS,
  chooseScorecard,
  loadScorecards,
  registerScorecards,
} from '../../workers/scoring-service.ts';
import { toTranscript } from '../../workers/scoring/labelled-call.ts';
import { loadScorecard } from '../../workers/scoring/load-scorecard.ts';
import { scoreTranscript } from '../../workers/scoring/score-transcript.ts';
import { addUser } from '../../api/services/account-service.ts';
import { loadConfig } from '../../models/config.ts';
import { withTransaction } from '../../models/db.ts';
import { assignMonth, fillQueue, savePlan } from '../../models/plan-repository.ts';
import { generateZhCall, type ForbiddenLists } from '../scoring/zh-call-generator.ts';

export interface SeedSizes {
  calls: number;
  agents: number;
  teams: number;
  scored: number;
  /** The two months the calls span, e.g. ['2026-09', '2026-10']. */
  months: [string, string];
}

export const DEFAULT_SIZES: SeedSizes = {
  calls: 1_000_000,
  agents: 1_000,
  teams: 20,
  scored: 100_000,
  months: ['2026-09', '2026-10'],
};

/** Recordings the seeded calls point to, relative to the storage directory (CALLQA_STORAGE_DIR). */
export const AUDIO_DIR = 'bench-audio';
const AUDIO_FILES = [
  { name: 'stereo-3min.wav', args: ['-t', '180', '-ar', '8000', '-ac', '2', '-c:a', 'pcm_s16le'] },
  { name: 'stereo-6min.wav', args: ['-t', '360', '-ar', '8000', '-ac', '2', '-c:a', 'pcm_s16le'] },
  { name: 'stereo-10min.mp3', args: ['-t', '600', '-ar', '16000', '-ac', '2', '-b:a', '48k'] },
  { name: 'mono-8min.mp3', args: ['-t', '480', '-ar', '16000', '-ac', '1', '-b:a', '48k'] },
] as const;

/** How many distinct real transcripts (and their real scores) the 100k scored calls share. */
const TEMPLATES = 64;

/** Bump when the seed changes, so a kept directory (`--keep`) is seeded again. */
export const SEED_VERSION = 2;

export interface SeedReport {
  seconds: number;
  steps: Array<{ step: string; seconds: number }>;
  counts: Record<string, number>;
}

/** Writes the recordings (real audio: two tones and noise, so a player has something to draw). */
export async function writeAudio(storageDir: string): Promise<string[]> {
  const ffmpeg = await resolveFfmpegPath();
  await mkdir(join(storageDir, AUDIO_DIR), { recursive: true });
  const run = promisify(execFile);
  for (const file of AUDIO_FILES) {
    await run(ffmpeg, [
      '-y',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=220:sample_rate=16000',
      '-f',
      'lavfi',
      '-i',
      'anoisesrc=color=pink:amplitude=0.05:sample_rate=16000',
      '-filter_complex',
      'amix=inputs=2:duration=shortest',
      ...file.args,
      join(storageDir, AUDIO_DIR, file.name),
    ]);
  }
  return AUDIO_FILES.map((f) => `${AUDIO_DIR}/${f.name}`);
}

function forbiddenLists(card: Awaited<ReturnType<typeof loadScorecard>>): ForbiddenLists {
  const lists: ForbiddenLists = {};
  for (const item of card.items) if (item.rule.kind === 'forbidden') lists[item.id] = item.rule.phrases;
  return lists;
}

/** Real transcripts (20–80 segments of Mandarin) and what the real scorer makes of them. */
async function scoredTemplates(pool: pg.Pool) {
  const cards = await loadScorecards([BUILT_IN_SCORECARDS]);
  await registerScorecards(pool, cards);
  const v1 = await loadScorecard(new URL('../scoring/labelled/default-zh-v1.yaml', import.meta.url).pathname);
  const lists = forbiddenLists(v1);
  const random = mulberry32(11);
  const templates = [];
  for (let k = 0; k < TEMPLATES; k++) {
    const transcript = toTranscript(
      generateZhCall(random, { id: `template-${k}`, lists, bodyRounds: 2 + (k % 8) }),
    );
    const card = chooseScorecard(cards, { teamId: null, direction: 'inbound' }, 'zh', 'phone');
    if (!card) throw new Error('no built-in scorecard for Mandarin phone calls');
    const score = scoreTranscript(card.compiled, transcript, { direction: 'inbound' });
    templates.push({
      k,
      duration_s: transcript.durationS,
      segments: transcript.segments,
      speaker_decision: transcript.speakerDecision,
      result: score,
      scorecard_id: score.scorecardId,
      scorecard_version: score.scorecardVersion,
      score: score.score,
      passed: score.passed,
      auto_failed: score.autoFailed,
      needs_review: score.needsReview,
    });
  }
  return templates;
}

/**
 * Seeds an empty, migrated database. `storageDir` receives the recordings.
 * `extra` runs last, for tables a later migration adds (plans, assignments, reviews).
 */
export async function seedApiBench(
  pool: pg.Pool,
  storageDir: string,
  sizes: SeedSizes = DEFAULT_SIZES,
  log: (line: string) => void = () => {},
): Promise<SeedReport> {
  const steps: SeedReport['steps'] = [];
  const started = performance.now();
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const result = await work();
    const seconds = (performance.now() - t) / 1000;
    steps.push({ step: name, seconds });
    log(`  ${name}: ${seconds.toFixed(1)} s`);
    return result;
  };
  const [first, second] = sizes.months;

  const audio = await step('recordings (ffmpeg)', () => writeAudio(storageDir));

  await step('teams, agents, calls', async () => {
    await pool.query(
      `insert into teams (team_id, name, supervisor)
       select 'T' || lpad(t::text, 2, '0'), '第' || t || '组', 'sup' || t from generate_series(1, $1) t`,
      [sizes.teams],
    );
    await pool.query(
      `insert into agents (agent_id, agent_name, team_id)
       select 'A' || lpad(a::text, 4, '0'), '坐席' || a, 'T' || lpad((a % $2 + 1)::text, 2, '0')
       from generate_series(1, $1) a`,
      [sizes.agents, sizes.teams],
    );
    // In time order (as a PBX exports them), so the BRIN index on started_at stays useful;
    // log-normal durations around 100 s with 5 % very short calls, as bench:sampling has them.
    await pool.query(
      `insert into calls (call_id, agent_id, team_id, started_at, duration_s, direction, agent_channel,
                          recording, recording_status)
       select 'C' || lpad(i::text, 7, '0'), 'A' || lpad(a::text, 4, '0'), 'T' || lpad((a % $3 + 1)::text, 2, '0'),
              ($4::date::timestamp at time zone 'Asia/Shanghai')
                + ((i - 1)::float8 / $1 * ($5::date - $4::date) * 86400 + random() * 60) * interval '1 second',
              round((case when random() < 0.05 then 2 + random() * 17
                          else exp(ln(100) + 0.75 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) end)::numeric, 1),
              case when random() < 0.8 then 'inbound' else 'outbound' end,
              'left', ($6::text[])[1 + i % cardinality($6::text[])], 'ok'
       from generate_series(1, $1) i, lateral (select 1 + (i::bigint * 7919) % $2 as a) agent`,
      [sizes.calls, sizes.agents, sizes.teams, `${first}-01`, nextMonth(second), audio],
    );
    await pool.query('vacuum analyze teams, agents, calls');
  });

  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const params = samplingParamsFrom(config);
  const runs = await step('sampling runs (the real sampler, one per month)', async () => {
    const ids: number[] = [];
    for (const month of sizes.months) {
      const through = new Date(Date.parse(`${nextMonth(month)}T00:00:00+08:00`));
      const run = await runSampling(pool, params, { month, through }, through);
      log(`    ${month}: run ${run.runId}, ${run.selected} picked ${JSON.stringify(run.byReason)}`);
      ids.push(run.runId);
    }
    await pool.query('vacuum analyze sample_items, sampling_runs, sampling_run_agents');
    return ids;
  });

  const templates = await step(`${TEMPLATES} real transcripts scored by the real scorer`, () =>
    scoredTemplates(pool),
  );

  await step(
    `transcripts, scores and outcome events for ${sizes.scored.toLocaleString('en')} picks`,
    async () => {
      await pool.query(
        `create temporary table bench_templates as
      select * from jsonb_to_recordset($1::jsonb) as t(k int, duration_s numeric, segments jsonb,
        speaker_decision jsonb, result jsonb, scorecard_id text, scorecard_version int, score numeric,
        passed boolean, auto_failed boolean, needs_review boolean)`,
        [JSON.stringify(templates)],
      );
      // The pipeline works through the sample oldest first: all of the first month's picks and the
      // start of the second month's are scored, the rest wait.
      await pool.query(
        `create temporary table bench_scored as
       select s.call_id, c.started_at, (row_number() over (order by s.month, c.started_at, s.call_id) - 1) as n
       from sample_items s join calls c using (call_id)
       order by s.month, c.started_at, s.call_id limit $1`,
        [sizes.scored],
      );
      await pool.query(
        `insert into transcripts (call_id, source, language, speaker_mode, speaker_decision, duration_s,
                                segments, model, created_at)
       select b.call_id, 'asr', 'zh', 'stereo', t.speaker_decision, t.duration_s, t.segments,
              'Xenova/whisper-small', b.started_at + interval '1 day'
       from bench_scored b join bench_templates t on t.k = b.n % ${TEMPLATES}`,
      );
      await pool.query(
        `insert into call_scores (call_id, scorecard_id, scorecard_version, score, passed, auto_failed,
                                needs_review, result, created_at)
       select b.call_id, t.scorecard_id, t.scorecard_version, t.score, t.passed, t.auto_failed,
              t.needs_review, jsonb_set(t.result, '{callId}', to_jsonb(b.call_id)),
              b.started_at + interval '1 day'
       from bench_scored b join bench_templates t on t.k = b.n % ${TEMPLATES}`,
      );
      await pool.query(
        `insert into call_outcome_events (call_id, source, score, passed, recorded_at)
       select b.call_id, 'automatic', t.score, t.passed, b.started_at + interval '1 day'
       from bench_scored b join bench_templates t on t.k = b.n % ${TEMPLATES}
       order by b.n`,
      );
      await pool.query(
        `insert into call_processing (call_id, state, attempts, created_at, updated_at)
       select s.call_id, case when b.call_id is null then 'pending' else 'scored' end,
              case when b.call_id is null then 0 else 1 end, s.created_at, s.created_at
       from sample_items s left join bench_scored b using (call_id)`,
      );
      await pool.query(
        'vacuum analyze transcripts, call_scores, call_outcome_events, call_processing, scorecards',
      );
    },
  );

  await step('QA plans, assignments and reviews', () => seedReviews(pool, sizes, log));

  const counts: Record<string, number> = {};
  for (const table of [
    'calls',
    'sample_items',
    'transcripts',
    'call_scores',
    'call_outcome_events',
    'review_queue',
    'call_reviews',
  ]) {
    const { rows } = await pool.query(`select count(*)::int as n from ${table}`);
    counts[table] = rows[0].n;
  }
  const { rows: reasons } = await pool.query(
    `select reason, count(*)::int as n from sample_items group by reason order by reason`,
  );
  for (const r of reasons) counts[`sample_items.${r.reason}`] = r.n;
  counts.samplingRuns = runs.length;
  return { seconds: (performance.now() - started) / 1000, steps, counts };
}

/** The reviewers of every month's plan; `bench-qa` is the one the bench signs in as. */
export const REVIEWERS = ['bench-qa', 'qa2', 'qa3', 'qa4', 'qa5', 'qa6'];
const QUOTA = 5_000;

/**
 * Each month's plan (six reviewers, 5,000 calls each) assigned by the real
 * plan repository; then about a tenth of the first month's assigned calls and
 * a sixtieth of the second's reviewed, one in ten of those twice — written as
 * submitReview writes them (a `review` outcome event, the version, the
 * queue's review_version), set-based.
 */
async function seedReviews(pool: pg.Pool, sizes: SeedSizes, log: (line: string) => void) {
  const audit = { userId: null, name: 'cli:bench' };
  const ids: Array<{ userId: number; quota: number }> = [];
  for (const username of REVIEWERS) {
    const { userId } = await withTransaction(pool, (tx) =>
      addUser({ audit, tx }, { username, role: 'qa', teams: [] }),
    );
    ids.push({ userId, quota: QUOTA });
  }
  for (const month of sizes.months) {
    await savePlan(pool, month, 'bench-admin', ids);
    const filled = await fillQueue(pool, month);
    const assigned = await assignMonth(pool, month, 'bench-admin');
    log(`    plan ${month}: ${assigned} calls assigned (${filled} added to the queue)`);
  }
  await pool.query(
    `create temporary table bench_reviewed as
     select q.call_id, u.user_id, u.username, cs.scorecard_id, cs.scorecard_version, cs.score, cs.passed,
            cs.result, c.started_at, v.version
     from review_queue q
     join users u on u.user_id = q.assigned_to
     join calls c using (call_id)
     join call_scores cs using (call_id)
     cross join lateral generate_series(1, case when hashtext(q.call_id) % 100 = 0 then 2 else 1 end) v(version)
     where hashtext(q.call_id) % (case when q.month = $1::date then 10 else 60 end) = 0`,
    [`${sizes.months[0]}-01`],
  );
  // The reviewer's decisions: every failed or review item decided, evidence confirmed.
  await pool.query(
    `with events as (
       insert into call_outcome_events (call_id, source, score, passed, recorded_at, recorded_by, reason)
       select call_id, 'review', least(100, score + 5 * (version - 1)), passed or version > 1,
              started_at + interval '3 days' + version * interval '1 hour', username,
              jsonb_build_object('code', 'qa_review', 'params', jsonb_build_object('version', version))
       from bench_reviewed order by started_at, version
       returning event_id, call_id, (reason->'params'->>'version')::int as version)
     insert into call_reviews (call_id, version, reviewer_user_id, reviewer, scorecard_id, scorecard_version,
                               items, added_deductions, comment, computed_score, final_score, passed,
                               exemplary, exemplary_note, outcome_event_id, created_at)
     select r.call_id, r.version, r.user_id, r.username, r.scorecard_id, r.scorecard_version,
            (select coalesce(jsonb_agg(jsonb_build_object(
                      'itemId', i->>'itemId',
                      'status', case when i->>'status' = 'review' then 'pass' else i->>'status' end,
                      'hits', (select coalesce(jsonb_agg(jsonb_build_object('index', h.n - 1, 'verdict', 'confirm')), '[]')
                               from jsonb_array_elements(i->'evidence') with ordinality h(hit, n)),
                      'comment', '')), '[]')
             from jsonb_array_elements(r.result->'items') i where i->>'status' in ('fail', 'review')),
            '[]', case when r.version > 1 then '复核:客户确认问题已解决' else '' end,
            r.score, least(100, r.score + 5 * (r.version - 1)), r.passed or r.version > 1,
            hashtext(r.call_id) % 7 = 0, null, e.event_id,
            r.started_at + interval '3 days' + r.version * interval '1 hour'
     from bench_reviewed r join events e using (call_id, version)`,
  );
  await pool.query(
    `update review_queue q set review_version = r.version
     from (select call_id, max(version) as version from bench_reviewed group by call_id) r
     where q.call_id = r.call_id`,
  );
  await pool.query('vacuum analyze review_queue, call_reviews, call_outcome_events, qa_plans, users');
}

/** 'YYYY-MM' → the first day of the next month, 'YYYY-MM-DD'. */
function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
}
