import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCall, upsertCalls } from '../../models/call-repository.ts';
import { getTranscript, saveTranscript } from '../../models/pipeline-repository.ts';
import { formatRescoreReport, rescoreCalls } from '../../workers/rescore.ts';
import { BUILT_IN_SCORECARDS, createScorer, loadScorecards } from '../../workers/scoring-service.ts';
import { buildCall, buildTranscript } from '../helpers/builders.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

const transcript = (callId: string, opening: string) =>
  buildTranscript(callId, {
    source: 'import',
    segments: [
      { speaker: 'agent', start: 0, end: 4, text: opening },
      { speaker: 'customer', start: 5, end: 9, text: '我想查一下话费' },
      { speaker: 'agent', start: 50, end: 58, text: '请问您还需要其它帮助吗?感谢您的来电,再见!' },
    ],
  });

describe('re-scoring under a new scorecard version', () => {
  it('keeps the old results, adds new ones, and reports which calls and items changed and why', async () => {
    await upsertCalls(db.pool, [buildCall({ callId: 'r1' }), buildCall({ callId: 'r2' })]);
    await saveTranscript(db.pool, transcript('r1', '喂,客服中心,1001号,请问您需要什么帮助'));
    await saveTranscript(db.pool, transcript('r2', '您好,客服中心,1002号为您服务,请问您需要什么帮助'));
    const v1 = await loadScorecards([BUILT_IN_SCORECARDS]);
    const scoreV1 = await createScorer({ pool: db.pool, cards: v1, timeZone: 'Asia/Shanghai' });
    for (const id of ['r1', 'r2']) {
      const call = (await getCall(db.pool, id))!;
      await scoreV1(call, (await getTranscript(db.pool, id))!);
    }

    // the next version doubles the deduction for a missing hello
    const dir = await mkdtemp(join(tmpdir(), 'callqa-v2-'));
    const source = await readFile(join(BUILT_IN_SCORECARDS, 'default-zh.yaml'), 'utf8');
    const current = Number(/^version: (\d+)$/m.exec(source)?.[1]);
    const next = current + 1;
    const v2Source = source
      .replace(/^version: \d+$/m, `version: ${next}`)
      .replace(/(id: greeting-hello[\s\S]*?points: )5/, '$110');
    expect(v2Source).not.toBe(source);
    await writeFile(join(dir, 'default-zh.yaml'), v2Source);
    const cards = await loadScorecards([BUILT_IN_SCORECARDS, dir]);

    const report = await rescoreCalls(db.pool, cards, { timeZone: 'Asia/Shanghai' });
    expect(report).toMatchObject({ rescored: 2, unchanged: 1, upToDate: 0, failed: [] });
    expect(report.changed).toHaveLength(1);
    const [diff] = report.changed;
    expect(diff).toMatchObject({
      callId: 'r1',
      oldVersion: expect.stringContaining(String(current)),
      newVersion: expect.stringContaining(String(next)),
    });
    expect(diff.scoreDelta).toBe(-5);
    expect(diff.changes.map((c) => c.itemId)).toContain('greeting-hello');
    expect(formatRescoreReport(report)).toMatch(/r1: .* → .*\n {2}greeting-hello changed: deduction 5 → 10/);

    const { rows } = await db.pool.query(
      `select call_id, scorecard_version from call_scores order by call_id, scorecard_version`,
    );
    expect(rows.map((r) => `${r.call_id}@${r.scorecard_version}`)).toEqual([
      `r1@${current}`,
      `r1@${next}`,
      `r2@${current}`,
      `r2@${next}`,
    ]);

    const again = await rescoreCalls(db.pool, cards, { timeZone: 'Asia/Shanghai' });
    expect(again).toMatchObject({ rescored: 0, upToDate: 2 });
  });
});
