import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../models/config.ts';
import { verifyPassword } from '../../models/credentials.ts';
import { cliActor } from '../../api/cli/context.ts';
import { runDemo, type DemoRun, type DemoRunOptions } from '../../api/demo/run-demo.ts';
import { demoProgress, scoreDemoCalls } from '../../api/demo/score-demo-calls.ts';
import { resolveFfmpegPath } from '../../workers/audio/ffmpeg-path.ts';
import { probeAudio } from '../../workers/audio/probe-audio.ts';
import { InProcessQueue } from '../../workers/queue/in-process-queue.ts';
import { startWorkers } from '../../workers/start-workers.ts';
import { testConfig } from '../helpers/config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

let db: TestDatabase;
let dataDir: string;
let config: Config;
let first: DemoRun;
const options: DemoRunOptions = {
  months: ['2026-09', '2026-10'],
  agents: 4,
  teams: 2,
  callsPerDay: 8,
  seed: 1,
  resetPasswords: false,
};
const silent = { info: () => {}, error: () => {} };

/** What a running server does: the in-process pipeline with the real scorer; the demo waits for it. */
async function untilServerScored(month: string) {
  for (;;) {
    const p = await demoProgress(db.pool, month);
    if (p.scored + p.failed >= p.total) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), 'callqa-demo-test-'));
  config = testConfig(db.url, dataDir);
  const workers = await startWorkers(config, db.pool, new InProcessQueue(), silent);
  try {
    first = await runDemo(
      { pool: db.pool, config, audit: cliActor(), untilScored: untilServerScored },
      options,
    );
  } finally {
    await workers.stop();
  }
}, 120_000);

afterAll(async () => {
  await db.drop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('callqa demo', () => {
  it('ends with every sampled call of the month scored by the pipeline, none failed', async () => {
    expect(first.month).toBe('2026-10');
    expect(first.ingest.rejected).toEqual([]);
    expect(first.run.selected).toBeGreaterThan(10);
    const { rows } = await db.pool.query(
      `select s.call_id, p.state, p.failure_code from sample_items s
       left join call_processing p using (call_id) where s.month = '2026-10-01'`,
    );
    expect(rows.length).toBe(first.run.selected + first.audioCalls.length);
    expect(rows.filter((r) => r.state !== 'scored')).toEqual([]);
    const { rows: failed } = await db.pool.query(
      `select call_id from call_processing where state = 'failed'`,
    );
    expect(failed).toEqual([]);
    expect(first.progress).toMatchObject({ total: rows.length, scored: rows.length, failed: 0 });
  });

  it('scores show variety: some need review, some fail items, some fail QA', async () => {
    const { rows } = await db.pool.query(
      `select cs.needs_review, cs.passed, cs.result from call_scores cs
       join sample_items s using (call_id) where s.month = '2026-10-01'`,
    );
    expect(rows.filter((r) => r.needs_review).length).toBeGreaterThan(0);
    expect(rows.filter((r) => !r.passed).length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.passed).length).toBeGreaterThan(0);
    const failedItems = new Set(
      rows.flatMap((r) =>
        (r.result.items as Array<{ itemId: string; status: string }>)
          .filter((i) => i.status === 'fail')
          .map((i) => i.itemId),
      ),
    );
    expect(failedItems.size).toBeGreaterThan(2);
  });

  it('stores the recorded calls under the storage root, their transcripts within the audio', async () => {
    expect(first.audioCalls.length).toBeGreaterThanOrEqual(6);
    const ffmpeg = await resolveFfmpegPath();
    const { rows } = await db.pool.query(
      `select c.call_id, c.recording, c.recording_status, c.agent_id, t.segments
       from calls c join transcripts t using (call_id) where c.call_id = any($1::text[]) order by c.call_id`,
      [first.audioCalls],
    );
    expect(rows.length).toBe(first.audioCalls.length);
    for (const row of rows) {
      expect(row.recording_status).toBe('ok');
      expect(isAbsolute(row.recording) && row.recording.startsWith(config.storageDir)).toBe(true);
      expect((await stat(row.recording)).size).toBeGreaterThan(10_000);
      const probe = await probeAudio(ffmpeg, `file:${row.recording}`);
      expect(probe.ok).toBe(true);
      if (!probe.ok) continue;
      const last = row.segments.at(-1);
      expect(last.end).toBeLessThanOrEqual(probe.probe.durationS!);
      expect(last.end).toBeGreaterThan(probe.probe.durationS! - 3);
      expect(row.agent_id).toBe('1001');
    }
  });

  it('creates a user for every role with the printed passwords, and a QA plan that fills both queues', async () => {
    const { rows } = await db.pool.query(
      `select u.username, u.role, u.agent_id, u.password_hash,
              coalesce((select array_agg(team_id order by team_id) from user_teams t where t.user_id = u.user_id), '{}') as teams
       from users u order by username`,
    );
    const byName = Object.fromEntries(rows.map((r) => [r.username, r]));
    expect(rows.map((r) => [r.username, r.role])).toEqual([
      ['demo-admin', 'admin'],
      ['demo-agent', 'agent'],
      ['demo-qa1', 'qa'],
      ['demo-qa2', 'qa'],
      ['demo-supervisor', 'supervisor'],
    ]);
    expect(byName['demo-agent'].agent_id).toBe('1001');
    expect(byName['demo-supervisor'].teams.length).toBe(2);
    for (const user of first.users) {
      expect(user.existed).toBe(false);
      expect(await verifyPassword(user.password!, byName[user.username].password_hash)).toBe(true);
    }
    expect(first.plan.reviewers.map((r) => r.username)).toEqual(['demo-qa1', 'demo-qa2']);
    for (const r of first.plan.reviewers) expect(r.assigned).toBeGreaterThan(0);
    expect(first.plan.assigned).toBe(first.progress.total);
  });

  it('runs again without failing: users kept (or given new passwords), new picks transcribed and scored here', async () => {
    const again = await runDemo(
      {
        pool: db.pool,
        config,
        audit: cliActor(),
        untilScored: (month) => scoreDemoCalls(db.pool, config, month, () => {}),
      },
      { ...options, resetPasswords: true },
    );
    expect(again.ingest.inserted).toBe(0);
    expect(again.users.every((u) => u.existed && u.password)).toBe(true);
    const { rows } = await db.pool.query(`select password_hash from users where username = 'demo-qa1'`);
    const qa1 = again.users.find((u) => u.username === 'demo-qa1')!;
    expect(await verifyPassword(qa1.password!, rows[0].password_hash)).toBe(true);
    // The second run picks the neighbours of calls that failed QA: they too arrive with transcripts.
    expect(again.transcribed).toBe(again.run.selected);
    expect(again.progress.failed).toBe(0);
    expect(again.progress.scored).toBe(again.progress.total);
  }, 60_000);
});
