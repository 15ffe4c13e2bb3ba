import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertCalls } from '../../models/call-repository.ts';
import { buildCall } from '../helpers/builders.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

const run = promisify(execFile);
let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'callqa-scores-'));
  await upsertCalls(db.pool, [buildCall({ callId: 's1', agentId: 'S1' })]);
});
afterAll(() => db.drop());

async function callqa(...args: string[]) {
  const env = { ...process.env, DATABASE_URL: db.url, CALLQA_DATA_DIR: dir, LOG_LEVEL: 'silent' };
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'api/cli/main.ts', ...args], { env });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

describe('callqa scores', () => {
  it('months: an unknown agent or a bad score rejects its row alone; the rest land', async () => {
    const path = join(dir, 'months.csv');
    await writeFile(path, 'agent_id,month,score\nS1,2026-09,91.5\nNOPE,2026-09,80\nS1,2026-08,0x10\n');
    const result = await callqa('scores', 'months', path);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/stored 1, rejected 2/);
    expect(result.stdout).toMatch(/rejected line 3: agent NOPE is not known.*\[agent_not_found\]/);
    expect(result.stdout).toMatch(/rejected line 4: score "0x10" is not 0–100 \[score_invalid\]/);
    const { rows } = await db.pool.query('select agent_id, month, score from agent_month_scores');
    expect(rows).toEqual([{ agent_id: 'S1', month: '2026-09-01', score: 91.5 }]);
  });

  it('outcomes: an unknown call rejects its row alone', async () => {
    const path = join(dir, 'outcomes.jsonl');
    await writeFile(
      path,
      [
        { call_id: 's1', score: 70, passed: false },
        { call_id: 'nope', score: 90, passed: true },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const result = await callqa('scores', 'outcomes', path);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/rejected line 2: call nope is not registered.*\[call_not_found\]/);
    const { rows } = await db.pool.query('select call_id, score, passed from qa_outcomes');
    expect(rows).toEqual([{ call_id: 's1', score: 70, passed: false }]);
  });
});
