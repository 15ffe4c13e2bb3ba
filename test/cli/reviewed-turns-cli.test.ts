import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { saveTranscript } from '../../models/pipeline-repository.ts';
import { parseTurnBank } from '../../workers/scoring/turn-bank.ts';
import { createUserToken, withToken } from '../helpers/auth.ts';
import { buildCall, buildTranscript } from '../helpers/builders.ts';
import { testConfig } from '../helpers/config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { registerReviewCard, sampleOctober, saveReviewableScore } from '../helpers/review-fixtures.ts';
import { runCli, type CliRun } from '../helpers/cli.ts';

/**
 * `callqa scorecard reviewed-turns` on a real PostgreSQL: calls reviewed
 * through the API become a turn bank labelled by the reviewers' decisions.
 */

let db: TestDatabase;
let app: FastifyInstance;
let dir: string;
const as = {} as Record<'admin' | 'qa', FastifyInstance>;

// forbidden-phrases' hits sit on turns 2 ("i don't know"), 4 (the same, excused) and 6 ("calm down").
const SEGMENTS = [
  { speaker: 'agent' as const, start: 0, end: 1, text: 'how can i help you' },
  { speaker: 'customer' as const, start: 1, end: 2, text: 'my number 13812345678 is down' },
  { speaker: 'agent' as const, start: 2, end: 3, text: "i don't know" },
  { speaker: 'customer' as const, start: 3, end: 4, text: 'what?' },
  { speaker: 'agent' as const, start: 4, end: 5, text: "if i don't know i will ask" },
  { speaker: 'customer' as const, start: 5, end: 6, text: 'ok' },
  { speaker: 'agent' as const, start: 6, end: 7, text: 'calm down please' },
  { speaker: 'customer' as const, start: 7, end: 8, text: 'fine' },
  { speaker: 'agent' as const, start: 8, end: 9, text: 'whatever' },
  { speaker: 'agent' as const, start: 9, end: 10, text: 'i will call 13812345678, goodbye' },
];

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'callqa-reviewed-turns-'));
  app = await buildApp({ pool: db.pool, config: testConfig(db.url, dir) });
  as.admin = withToken(app, (await createUserToken(db.pool, 'admin', {})).token);
  as.qa = withToken(app, (await createUserToken(db.pool, 'qa', {})).token);
  await registerReviewCard(db.pool);
  const calls = ['rt-1', 'rt-2', 'rt-3'].map((callId, i) =>
    buildCall({ callId, agentId: 'R1', durationS: 10, startedAt: new Date(Date.UTC(2026, 9, 2 + i, 3)) }),
  );
  await sampleOctober(as.admin, db.pool, calls);
  for (const call of calls) {
    await saveTranscript(db.pool, buildTranscript(call.callId, { durationS: 10, segments: SEGMENTS }));
    await saveReviewableScore(db.pool, call.callId, { segments: [2, 4, 6] });
  }
  const review = async (callId: string, payload: Record<string, unknown>) => {
    const response = await as.qa.inject({ method: 'POST', url: `/calls/${callId}/reviews`, payload });
    expect(response.statusCode, response.body).toBe(201);
  };
  const offer = { itemId: 'greeting-offer', status: 'pass', hits: [] };
  // rt-1: "i don't know" confirmed, "calm down" overturned, "whatever" added by the reviewer.
  await review('rt-1', {
    baseVersion: 0,
    items: [
      offer,
      {
        itemId: 'forbidden-phrases',
        status: 'fail',
        hits: [
          { index: 0, verdict: 'confirm' },
          { index: 2, verdict: 'overturn' },
        ],
      },
    ],
    addedDeductions: [
      { itemId: 'forbidden-phrases', start: 8.2, end: 8.8, points: 5, comment: 'dismissive' },
    ],
    finalScore: 85,
    passed: true,
  });
  // rt-2: the machine's failed item left standing (its counted hits are violations).
  await review('rt-2', { baseVersion: 0, items: [offer], finalScore: 90, passed: true });
  // rt-2 again: the reviewer changed their mind and passed the item: only the latest review counts.
  await review('rt-2', {
    baseVersion: 1,
    items: [offer, { itemId: 'forbidden-phrases', status: 'pass', hits: [] }],
    finalScore: 100,
    passed: true,
  });
  // rt-3 is never reviewed.
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

function callqa(args: string[]): Promise<CliRun> {
  return runCli({ databaseUrl: db.url, dataDir: dir }, args);
}

describe('callqa scorecard reviewed-turns', () => {
  it("writes reviewed calls' agent turns as a turn bank, labelled by the latest review, numbers masked; audited", async () => {
    const out = join(dir, 'reviewed.jsonl');
    const run = await callqa(['scorecard', 'reviewed-turns', '--out', out, '--month', '2026-10']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('2 reviewed calls, 12 agent turns (2 violations, 5 near misses, 5 ok)');
    const bank = parseTurnBank(await readFile(out, 'utf8'), 'reviewed.jsonl');
    const label = (id: string) => bank.find((t) => t.id === id)?.label;
    expect(bank.map((t) => t.id)).toEqual(
      ['rt-1', 'rt-2'].flatMap((call) => [0, 2, 4, 6, 8, 9].map((i) => `${call}#${i}`)),
    );
    // rt-1: confirmed, excused, overturned, added by the reviewer, and the turns nobody flagged.
    expect(['rt-1#2', 'rt-1#4', 'rt-1#6', 'rt-1#8', 'rt-1#0', 'rt-1#9'].map(label)).toEqual([
      'violation',
      'near_miss',
      'near_miss',
      'violation',
      'ok',
      'ok',
    ]);
    expect(bank.find((t) => t.id === 'rt-1#2')).toMatchObject({
      class: 'forbidden-phrases',
      span: "i don't know",
      customer: 'my number 138****5678 is down',
    });
    expect(bank.find((t) => t.id === 'rt-1#9')?.agent).toBe('i will call 138****5678, goodbye');
    // rt-2's latest review passed the item: every hit it had is a near miss.
    expect(['rt-2#2', 'rt-2#4', 'rt-2#6'].map(label)).toEqual(['near_miss', 'near_miss', 'near_miss']);
    const audit = await db.pool.query(
      `select actor, after from audit_log where action = 'reviewed_turns_exported'`,
    );
    expect(audit.rows[0].actor).toMatch(/^cli:/);
    expect(audit.rows[0].after).toMatchObject({ month: '2026-10', calls: 2, turns: 12, violation: 2 });
  });

  it('writes an empty bank for a month without reviews, and refuses a bad month or no --out', async () => {
    const out = join(dir, 'none.jsonl');
    const none = await callqa(['scorecard', 'reviewed-turns', '--out', out, '--month', '2026-09']);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain('0 reviewed calls, 0 agent turns');
    expect(await readFile(out, 'utf8')).toBe('');
    expect((await callqa(['scorecard', 'reviewed-turns', '--out', out, '--month', '2026-13'])).code).toBe(2);
    const noOut = await callqa(['scorecard', 'reviewed-turns']);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain('--out');
  });

  it('skips a call whose stored score it cannot read, names it, and exports the rest', async () => {
    await db.pool.query(`update call_scores set result = '{}' where call_id = 'rt-2'`);
    const out = join(dir, 'rest.jsonl');
    const run = await callqa(['scorecard', 'reviewed-turns', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/skipped: rt-2 \(/);
    expect(run.stdout).toContain('1 reviewed call, 6 agent turns');
    const bank = parseTurnBank(await readFile(out, 'utf8'), 'rest.jsonl');
    expect(new Set(bank.map((t) => t.id.split('#')[0]))).toEqual(new Set(['rt-1']));
  });
});
