import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeProblems } from '../../api/ingest/describe-problem.ts';
import { importTranscripts } from '../../api/ingest/import-transcripts.ts';
import { upsertCalls } from '../../models/call-repository.ts';
import { getTranscript } from '../../models/pipeline-repository.ts';
import { buildCall } from '../helpers/builders.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await upsertCalls(db.pool, [buildCall({ callId: 't1' }), buildCall({ callId: 't2' })]);
});
afterAll(() => db.drop());

describe('import-transcripts', () => {
  it('stores good transcripts as transcribed (skipping ASR) and rejects bad lines with reasons', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'callqa-tr-')), 'transcripts.jsonl');
    const lines = [
      {
        call_id: 't1',
        language: 'zh',
        segments: [
          { speaker: 'customer', start: 3, end: 5, text: '我想查一下话费', confidence: 0.9 },
          { speaker: 'agent', start: 0, end: 2.5, text: '您好,客服中心,1001号为您服务' },
        ],
      },
      { call_id: 't2', segments: [{ speaker: 'robot', start: 0, end: 1, text: 'x' }] },
      { call_id: 'nope', segments: [{ speaker: 'agent', start: 0, end: 1, text: '您好' }] },
      { call_id: 't2', segments: [{ speaker: 'agent', start: 4, end: 1, text: '您好' }] },
      { call_id: 't2', segments: [] },
    ];
    await writeFile(path, lines.map((l) => JSON.stringify(l)).join('\n') + '\n{oops');
    const summary = await importTranscripts(db.pool, path);
    expect(summary.imported).toBe(1);
    expect(summary.rejected.map((r) => [r.line, r.problems.map((p) => p.code)])).toEqual([
      [2, ['transcript_invalid_speaker']],
      [3, ['call_not_found']],
      [4, ['transcript_end_before_start']],
      [5, ['transcript_no_segments']],
      [6, ['malformed_json']],
    ]);
    const reasons = summary.rejected.map((r) => describeProblems(r.problems));
    expect(reasons[0]).toMatch(/segments\[0\]\.speaker must be agent, customer or unknown/);
    expect(reasons[1]).toBe('call nope is not registered; ingest its call record first');
    expect(reasons[2]).toMatch(/end is before start/);
    expect(reasons[3]).toMatch(/at least one segment/);
    expect(reasons[4]).toMatch(/malformed JSON/);

    const stored = await getTranscript(db.pool, 't1');
    expect(stored).toMatchObject({ source: 'import', speakerMode: 'stereo', durationS: 5 });
    expect(stored!.segments.map((s) => s.speaker)).toEqual(['agent', 'customer']);
    const { rows } = await db.pool.query(`select state from call_processing where call_id = 't1'`);
    expect(rows[0].state).toBe('transcribed');
  });
});
