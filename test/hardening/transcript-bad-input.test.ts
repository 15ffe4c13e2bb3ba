import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { upsertCalls } from '../../models/call-repository.ts';
import { TRANSCRIPT_LIMITS } from '../../models/transcript-record.ts';
import { buildCall } from '../helpers/builders.ts';
import { asAdmin } from '../helpers/auth.ts';
import { testConfig } from '../helpers/config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { snapshotTables } from '../helpers/table-snapshot.ts';

/**
 * The bad-input suite of transcripts made elsewhere: one table of bad
 * transcripts, fed to `callqa import-transcripts` as a child process (each
 * between valid lines) and to POST /calls/:id/transcript, asserting each
 * one's code, that the valid ones landed and that nothing else changed.
 */

const run = promisify(execFile);

let db: TestDatabase;
let app: FastifyInstance;
let dir: string;

const CALL_DURATION_S = 60;
/** Calls the table's transcripts are for; each bad row has its own call so "nothing else changed" is per call. */
const callIds = Array.from({ length: 40 }, (_, i) => `tc-${i}`);

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'callqa-bad-transcript-'));
  // Signed in as an admin: these tests are about input, not access (authorization-matrix.test.ts).
  app = await asAdmin(
    await buildApp({ pool: db.pool, config: testConfig(db.url, join(dir, 'data')) }),
    db.pool,
  );
  await upsertCalls(
    db.pool,
    [...callIds, 'valid-a', 'valid-b', 'valid-c', 'api-valid'].map((callId) =>
      buildCall({ callId, durationS: CALL_DURATION_S }),
    ),
  );
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

const seg = (overrides: Record<string, unknown> = {}) => ({
  speaker: 'agent',
  start: 0,
  end: 2,
  text: '您好',
  ...overrides,
});

interface BadTranscript {
  name: string;
  /** The JSON line as written to the file (so it can hold what JSON.stringify cannot: 1e400, broken JSON). */
  line: (callId: string) => string;
  code: string;
  /** The API answers this code instead (it has the call id from the path, or a whole-body parser). */
  apiCode?: string;
  /** Not sent to the API: a line-level class only the JSONL reader has. */
  cliOnly?: boolean;
}

const body = (callId: string, extra: Record<string, unknown>) =>
  JSON.stringify({ call_id: callId, ...extra });
const withSegments =
  (segments: unknown[], extra: Record<string, unknown> = {}) =>
  (callId: string) =>
    body(callId, { language: 'zh', segments, ...extra });

const badTranscripts: BadTranscript[] = [
  {
    name: '300,000 segments',
    line: withSegments(Array.from({ length: 300_000 }, () => seg())),
    code: 'transcript_too_many_segments',
  },
  {
    name: `${TRANSCRIPT_LIMITS.maxSegments + 1} segments`,
    line: withSegments(Array.from({ length: TRANSCRIPT_LIMITS.maxSegments + 1 }, () => seg())),
    code: 'transcript_too_many_segments',
  },
  { name: 'no segments', line: withSegments([]), code: 'transcript_no_segments' },
  {
    name: 'segments not an array',
    line: (id) => body(id, { segments: { 0: seg() } }),
    code: 'transcript_no_segments',
  },
  { name: 'end 1e12', line: withSegments([seg({ end: 1e12 })]), code: 'transcript_invalid_time' },
  {
    name: 'end 1e400 (Infinity once parsed)',
    line: (id) => `{"call_id":"${id}","segments":[{"speaker":"agent","start":0,"end":1e400,"text":"x"}]}`,
    code: 'transcript_invalid_time',
  },
  {
    name: 'start "NaN" (a string)',
    line: withSegments([seg({ start: 'NaN' })]),
    code: 'transcript_invalid_time',
  },
  { name: 'start missing', line: withSegments([seg({ start: undefined })]), code: 'transcript_invalid_time' },
  { name: 'negative start', line: withSegments([seg({ start: -1 })]), code: 'transcript_invalid_time' },
  {
    name: 'start after end',
    line: withSegments([seg({ start: 3, end: 2 })]),
    code: 'transcript_end_before_start',
  },
  {
    name: 'end past the call (duration + slack)',
    line: withSegments([seg({ start: 10, end: CALL_DURATION_S + TRANSCRIPT_LIMITS.durationSlackS + 1 })]),
    code: 'transcript_beyond_call',
  },
  {
    name: 'NUL in text',
    line: withSegments([seg({ text: '您\u0000好' })]),
    code: 'transcript_control_character',
  },
  {
    name: 'escape character in text',
    line: withSegments([seg({ text: '\u001b[31m' })]),
    code: 'transcript_control_character',
  },
  {
    name: 'lone surrogate in text',
    line: (id) => `{"call_id":"${id}","segments":[{"speaker":"agent","start":0,"end":1,"text":"a\\ud800b"}]}`,
    code: 'transcript_control_character',
  },
  {
    name: 'text over the segment limit',
    line: withSegments([seg({ text: '话'.repeat(TRANSCRIPT_LIMITS.maxSegmentChars + 1) })]),
    code: 'transcript_text_too_long',
  },
  {
    name: 'text over the transcript limit',
    line: withSegments(
      Array.from({ length: 101 }, (_, i) =>
        seg({ start: i * 0.5, end: i * 0.5 + 0.5, text: '话'.repeat(TRANSCRIPT_LIMITS.maxSegmentChars) }),
      ),
    ),
    code: 'transcript_too_much_text',
  },
  { name: 'text not a string', line: withSegments([seg({ text: 42 })]), code: 'transcript_invalid_segment' },
  { name: 'segment not an object', line: withSegments(['hello']), code: 'transcript_invalid_segment' },
  {
    name: 'unknown speaker',
    line: withSegments([seg({ speaker: 'robot' })]),
    code: 'transcript_invalid_speaker',
  },
  {
    name: 'confidence 2',
    line: withSegments([seg({ confidence: 2 })]),
    code: 'transcript_invalid_confidence',
  },
  {
    name: 'confidence as text',
    line: withSegments([seg({ confidence: '0.9' })]),
    code: 'transcript_invalid_confidence',
  },
  {
    name: 'language with NUL',
    line: withSegments([seg()], { language: 'zh\u0000' }),
    code: 'transcript_invalid_language',
  },
  {
    name: 'language too long',
    line: withSegments([seg()], { language: 'z'.repeat(100) }),
    code: 'transcript_invalid_language',
  },
  {
    name: 'call id with NUL',
    line: () => body('tc\u0000x', { segments: [seg()] }),
    code: 'transcript_invalid_call_id',
    cliOnly: true,
  },
  {
    name: 'call id over 200 characters',
    line: () => body('x'.repeat(201), { segments: [seg()] }),
    code: 'transcript_invalid_call_id',
    cliOnly: true,
  },
  {
    name: 'call id missing',
    line: () => JSON.stringify({ segments: [seg()] }),
    code: 'transcript_missing_call_id',
    cliOnly: true,
  },
  {
    name: 'call not registered',
    line: () => body('never-ingested', { segments: [seg()] }),
    code: 'call_not_found',
    cliOnly: true,
  },
  {
    name: 'a JSON array instead of an object',
    line: () => '[1,2,3]',
    code: 'not_an_object',
    apiCode: 'invalid_body',
  },
  { name: 'malformed JSON', line: () => '{"call_id": "x", "segm', code: 'malformed_json' },
];

/** The CLI as a user runs it, against the test database. */
async function callqa(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    DATABASE_URL: db.url,
    CALLQA_DATA_DIR: join(dir, 'cli'),
    LOG_LEVEL: 'silent',
  };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'api/cli/main.ts', ...args], {
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function transcriptCallIds(): Promise<string[]> {
  const { rows } = await db.pool.query(`select call_id from transcripts order by call_id`);
  return rows.map((r) => r.call_id);
}

describe('transcripts: bad input', () => {
  it('import-transcripts reports each bad line with its number and code, and imports every valid line', async () => {
    const valid = (callId: string) =>
      JSON.stringify({
        call_id: callId,
        language: 'zh',
        segments: [seg(), seg({ speaker: 'customer', start: 3, end: 5 })],
      });
    // valid-a first, valid-b in the middle, valid-c last: a bad line stops nothing after it.
    const lines = [valid('valid-a')];
    badTranscripts.forEach((row, i) => {
      lines.push(row.line(callIds[i]));
      if (i === Math.floor(badTranscripts.length / 2)) lines.push(valid('valid-b'));
    });
    lines.push(valid('valid-c'));
    const file = join(dir, 'transcripts.jsonl');
    await writeFile(file, lines.join('\n') + '\n');

    const before = await snapshotTables(db.pool);
    const result = await callqa('import-transcripts', file);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(3);
    expect(result.stdout).toContain(`imported 3, rejected ${badTranscripts.length}`);
    // The first 20 are printed as `rejected line N (id): words [codes]`; all of them go to the CSV with their codes.
    expect(result.stdout).toContain(`all ${badTranscripts.length} written to ${file}.rejected.csv`);
    const csv = await readFile(`${file}.rejected.csv`, 'utf8');
    const codesAt = new Map(
      [...csv.matchAll(/^(\d+),"(?:[^"]|"")*",([a-z_ ]+),/gm)].map((m) => [Number(m[1]), m[2].split(' ')]),
    );
    for (const [i, row] of badTranscripts.entries()) {
      const line = lines.indexOf(row.line(callIds[i])) + 1;
      expect(codesAt.get(line)?.[0], row.name).toBe(row.code);
      if (i < 20) {
        expect(result.stdout, row.name).toMatch(
          new RegExp(`^ {2}rejected line ${line}\\b.*\\[${row.code}\\b`, 'm'),
        );
      }
    }
    expect(await transcriptCallIds()).toEqual(['valid-a', 'valid-b', 'valid-c']);
    const after = await snapshotTables(db.pool);
    // Only transcripts and the three calls' processing rows changed.
    expect({ ...after, transcripts: '', call_processing: '' }).toEqual({
      ...before,
      transcripts: '',
      call_processing: '',
    });
    const { rows } = await db.pool.query(`select call_id, state from call_processing order by call_id`);
    expect(rows).toEqual(
      ['valid-a', 'valid-b', 'valid-c'].map((call_id) => ({ call_id, state: 'transcribed' })),
    );
  });

  it('POST /calls/:id/transcript answers each bad transcript 400 with its code and stores nothing', async () => {
    for (const [i, row] of badTranscripts.entries()) {
      if (row.cliOnly) continue;
      const callId = callIds[i];
      // The API takes the call id from the path: the line's body is sent as is.
      const before = await snapshotTables(db.pool);
      const response = await app.inject({
        method: 'POST',
        url: `/calls/${callId}/transcript`,
        headers: { 'content-type': 'application/json' },
        payload: row.line(callId),
      });
      expect({ name: row.name, status: response.statusCode, code: response.json().code }).toEqual({
        name: row.name,
        status: 400,
        code: row.apiCode ?? row.code,
      });
      expect(typeof response.json().message).toBe('string');
      expect(await snapshotTables(db.pool), row.name).toEqual(before);
    }
    const ok = await app.inject({
      method: 'POST',
      url: '/calls/api-valid/transcript',
      payload: { segments: [seg({ confidence: 0.9 })] },
    });
    expect(ok.statusCode).toBe(201);
    expect(await transcriptCallIds()).toContain('api-valid');
  });

  it('lists every problem of a transcript with its code and parameters', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/calls/tc-0/transcript',
      payload: {
        segments: [seg({ start: -1 }), seg({ speaker: 'robot', end: 1e12 }), seg({ text: 'a\u0000' })],
      },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'transcript_invalid_time',
      problems: [
        { code: 'transcript_invalid_time', params: { index: 0, field: 'start', max: 86400 } },
        { code: 'transcript_invalid_speaker', params: { index: 1 } },
        { code: 'transcript_invalid_time', params: { index: 1, field: 'end', max: 86400 } },
        { code: 'transcript_control_character', params: { index: 2 } },
      ],
    });
    expect(response.json().message).toMatch(
      /segments\[0\]\.start must be a number of seconds from 0 to 86400/,
    );
  });
});
