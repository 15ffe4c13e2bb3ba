import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { upsertCalls } from '../../models/call-repository.ts';
import { createPool } from '../../models/db.ts';
import { markFailed, saveTranscript } from '../../models/pipeline-repository.ts';
import { buildCall, buildTranscript } from '../helpers/builders.ts';
import { asAdmin, withToken } from '../helpers/auth.ts';
import { testConfig } from '../helpers/config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { snapshotTables } from '../helpers/table-snapshot.ts';

/**
 * The bad-input suite of the HTTP API: one row per class of bad request, each
 * asserting the status and the stable code, that the database (every row of
 * every table) and the storage directory did not change, and that a valid
 * request on the same route still works afterwards.
 */

let db: TestDatabase;
let app: FastifyInstance;
let base: string;
let storageDir: string;
let extraRoot: string;
let runId: number;

const UPLOAD_LIMIT_BYTES = 4096;

beforeAll(async () => {
  db = await createTestDatabase();
  base = await mkdtemp(join(tmpdir(), 'callqa-bad-api-'));
  extraRoot = join(base, 'nas');
  await mkdir(join(extraRoot, '2026'), { recursive: true });
  await writeFile(join(extraRoot, '2026', 'on-nas.wav'), 'RIFF');
  const config = testConfig(db.url, join(base, 'data'), {
    CALLQA_RECORDING_ROOTS: extraRoot,
    CALLQA_UPLOAD_MAX_MB: String(UPLOAD_LIMIT_BYTES / 1024 / 1024),
  });
  storageDir = config.storageDir;
  // Signed in as an admin: these tests are about input, not access (authorization-matrix.test.ts).
  app = await asAdmin(await buildApp({ pool: db.pool, config }), db.pool);

  await upsertCalls(db.pool, [
    buildCall({ callId: 'good-1', agentId: 'A1', durationS: 12 }),
    buildCall({ callId: 'good-2', agentId: 'A1', durationS: 120 }),
    buildCall({
      callId: 'on-nas',
      agentId: 'A1',
      recording: join(extraRoot, '2026', 'on-nas.wav'),
      recordingStatus: 'ok',
    }),
    buildCall({
      callId: 'flagged',
      agentId: 'A1',
      recording: '/etc/passwd',
      recordingStatus: 'unreadable',
      recordingProblem: `recording /etc/passwd is outside the recording roots (${storageDir}, ${extraRoot})`,
    }),
  ]);
  await saveTranscript(db.pool, buildTranscript('good-1', { durationS: 2 }));
  const run = await app.inject({
    method: 'POST',
    url: '/sampling/runs',
    payload: { month: '2026-10', through: '2026-11-01T00:00:00+08:00' },
  });
  runId = run.json().runId;
  // A failure the workers stored with a full path in its reason.
  await db.pool.query(`insert into call_processing (call_id, state) values ('good-2', 'pending')`);
  await markFailed(
    db.pool,
    'good-2',
    'fetch',
    'not_found',
    `recording ${join(storageDir, 'recordings', 'good-2.wav')} does not exist`,
  );
});

afterAll(async () => {
  await app.close();
  await db.drop();
});

interface BadRequest {
  /** The class of bad input, as listed in docs/reliability.md. */
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  url: string;
  headers?: Record<string, string>;
  payload?: string | Buffer | object;
  status: number;
  code: string;
  /** A valid request on the same route, which must still succeed afterwards. */
  neighbour: { method: 'GET' | 'POST' | 'PUT'; url: string; payload?: object; status: number };
}

const getCall = { method: 'GET', url: '/calls/good-1', status: 200 } as const;
const getRun = () => ({ method: 'GET', url: `/sampling/runs/${runId}`, status: 200 }) as const;
const putScore = {
  method: 'PUT',
  url: '/agents/A1/month-scores/2026-09',
  payload: { score: 90 },
  status: 204,
} as const;
const postOutcome = {
  method: 'POST',
  url: '/qa-outcomes',
  payload: [{ callId: 'good-1', score: 80, passed: true }],
  status: 204,
} as const;
const json = { 'content-type': 'application/json' };

const badRequests = (): BadRequest[] => [
  // Routes
  { name: 'unknown route', method: 'GET', url: '/nope', status: 404, code: 'not_found', neighbour: getCall },
  {
    name: 'unknown method on a known path',
    method: 'DELETE',
    url: '/calls/good-1',
    status: 404,
    code: 'not_found',
    neighbour: getCall,
  },
  {
    name: 'unknown route with NUL',
    method: 'GET',
    url: '/no%00pe',
    status: 404,
    code: 'not_found',
    neighbour: getCall,
  },
  // Path parameters
  ...['/calls/%00', '/calls/a%00b/transcript', '/calls/%01/scores', '/calls/%7F'].map((url): BadRequest => ({
    name: `control character in a call id (${url})`,
    method: 'GET',
    url,
    status: 400,
    code: 'invalid_path',
    neighbour: getCall,
  })),
  {
    name: 'call id over 200 characters',
    method: 'GET',
    url: `/calls/${'x'.repeat(201)}`,
    status: 400,
    code: 'invalid_path',
    neighbour: getCall,
  },
  {
    name: 'call id over the router limit (3,000 encoded characters)',
    method: 'GET',
    url: `/calls/${encodeURIComponent('话'.repeat(334))}`,
    status: 400,
    code: 'invalid_path',
    neighbour: getCall,
  },
  {
    name: 'malformed percent-encoding',
    method: 'GET',
    url: '/calls/%E0%A4%A',
    status: 400,
    code: 'bad_url',
    neighbour: getCall,
  },
  ...['1e20', '-1', '0', '1.5', 'abc', '9007199254740993', '%00'].map((id): BadRequest => ({
    name: `run id ${id}`,
    method: 'GET',
    url: `/sampling/runs/${id}`,
    status: 400,
    code: 'invalid_path',
    neighbour: getRun(),
  })),
  {
    name: 'run id 1e20 on replay',
    method: 'POST',
    url: '/sampling/runs/1e20/replay',
    status: 400,
    code: 'invalid_path',
    neighbour: getRun(),
  },
  ...['0000-01', '2026-13', '2026-1', '2026-00', '9999-01', '2026-1%00'].map((month): BadRequest => ({
    name: `month ${month} in a path`,
    method: 'PUT',
    url: `/agents/A1/month-scores/${month}`,
    payload: { score: 90 },
    status: 400,
    code: 'invalid_path',
    neighbour: putScore,
  })),
  {
    name: 'NUL in an agent id',
    method: 'PUT',
    url: '/agents/A%001/month-scores/2026-09',
    payload: { score: 90 },
    status: 400,
    code: 'invalid_path',
    neighbour: putScore,
  },
  // Queries
  {
    name: 'NUL in a query value',
    method: 'GET',
    url: `/sampling/runs/1?agent=%00`,
    status: 400,
    code: 'invalid_query',
    neighbour: getRun(),
  },
  ...['1e20', '-1', 'abc', '1.5'].map((n): BadRequest => ({
    name: `query number ${n}`,
    method: 'GET',
    url: `/pipeline?failed=${n}`,
    status: 400,
    code: 'invalid_query',
    neighbour: { method: 'GET', url: '/pipeline?failed=5', status: 200 },
  })),
  {
    name: 'query limit 1e20',
    method: 'GET',
    url: '/sampling/runs?limit=1e20',
    status: 400,
    code: 'invalid_query',
    neighbour: { method: 'GET', url: '/sampling/runs?limit=5', status: 200 },
  },
  // Bodies
  ...['0000-01', '2026-13', '2026-1'].map((month): BadRequest => ({
    name: `month ${month} in a body`,
    method: 'POST',
    url: '/sampling/runs',
    payload: { month },
    status: 400,
    code: 'invalid_body',
    neighbour: getRun(),
  })),
  {
    name: 'through outside the month (year 0000)',
    method: 'POST',
    url: '/sampling/runs',
    payload: { month: '2026-10', through: '0000-01-01T00:00:00Z' },
    status: 400,
    code: 'invalid_run',
    neighbour: getRun(),
  },
  {
    name: 'NUL in a seed',
    method: 'POST',
    url: '/sampling/runs',
    payload: { month: '2026-10', seed: 'a\u0000b' },
    status: 400,
    code: 'invalid_body',
    neighbour: getRun(),
  },
  {
    name: 'NUL in a call id in a body',
    method: 'POST',
    url: '/sampling/items',
    payload: { callId: 'good\u00001' },
    status: 400,
    code: 'invalid_body',
    neighbour: getCall,
  },
  {
    name: 'NUL in a note',
    method: 'POST',
    url: '/sampling/items',
    payload: { callId: 'good-1', note: 'a\u0000b' },
    status: 400,
    code: 'invalid_body',
    neighbour: getCall,
  },
  {
    name: 'score 1e400 (Infinity once parsed)',
    method: 'POST',
    url: '/qa-outcomes',
    headers: json,
    payload: '[{"callId":"good-1","score":1e400,"passed":true}]',
    status: 400,
    code: 'invalid_body',
    neighbour: postOutcome,
  },
  {
    name: 'NUL in a call id of a QA outcome',
    method: 'POST',
    url: '/qa-outcomes',
    payload: [{ callId: 'good\u00001', score: 80, passed: true }],
    status: 400,
    code: 'invalid_body',
    neighbour: postOutcome,
  },
  {
    name: 'malformed JSON',
    method: 'POST',
    url: '/sampling/runs',
    headers: json,
    payload: '{"month":',
    status: 400,
    code: 'malformed_json',
    neighbour: getRun(),
  },
  {
    name: 'empty JSON body',
    method: 'POST',
    url: '/qa-outcomes',
    headers: json,
    payload: '',
    status: 400,
    code: 'empty_body',
    neighbour: postOutcome,
  },
  {
    name: '__proto__ key in JSON',
    method: 'POST',
    url: '/sampling/runs',
    headers: json,
    payload: '{"month":"2026-10","__proto__":{"x":1}}',
    status: 400,
    code: 'malformed_json',
    neighbour: getRun(),
  },
  {
    name: 'body over 20 MiB',
    method: 'POST',
    url: '/qa-outcomes',
    headers: json,
    payload: `[${'"x",'.repeat(5_300_000)}"x"]`,
    status: 413,
    code: 'body_too_large',
    neighbour: postOutcome,
  },
  {
    name: 'unsupported content type (XML)',
    method: 'POST',
    url: '/qa-outcomes',
    headers: { 'content-type': 'application/xml' },
    payload: '<outcomes/>',
    status: 415,
    code: 'unsupported_media_type',
    neighbour: postOutcome,
  },
  {
    name: 'unsupported content type (text)',
    method: 'POST',
    url: '/sampling/runs',
    headers: { 'content-type': 'text/plain' },
    payload: 'month=2026-10',
    status: 415,
    code: 'unsupported_media_type',
    neighbour: getRun(),
  },
  // Recordings
  {
    name: 'recording sent as JSON',
    method: 'POST',
    url: '/calls/good-1/recording',
    payload: { audio: 'x' },
    status: 415,
    code: 'unsupported_media_type',
    neighbour: getCall,
  },
  {
    name: 'recording over the upload limit',
    method: 'POST',
    url: '/calls/good-1/recording',
    headers: { 'content-type': 'audio/wav' },
    payload: Buffer.alloc(UPLOAD_LIMIT_BYTES + 1),
    status: 413,
    code: 'too_large',
    neighbour: getCall,
  },
  {
    name: 'empty recording',
    method: 'POST',
    url: '/calls/good-1/recording',
    headers: { 'content-type': 'audio/wav' },
    payload: Buffer.alloc(0),
    status: 400,
    code: 'empty_recording',
    neighbour: getCall,
  },
  {
    name: 'recording for an unknown call',
    method: 'POST',
    url: '/calls/nope/recording',
    headers: { 'content-type': 'audio/wav' },
    payload: Buffer.from('RIFF'),
    status: 404,
    code: 'not_found',
    neighbour: getCall,
  },
  {
    name: 'NUL in the call id of an upload',
    method: 'POST',
    url: '/calls/a%00b/recording',
    headers: { 'content-type': 'audio/wav' },
    payload: Buffer.from('RIFF'),
    status: 400,
    code: 'invalid_path',
    neighbour: getCall,
  },
  // Transcripts (the content classes are in transcript-bad-input.test.ts)
  {
    name: 'transcript sent as audio',
    method: 'POST',
    url: '/calls/good-1/transcript',
    headers: { 'content-type': 'audio/wav' },
    payload: Buffer.from('RIFF'),
    status: 415,
    code: 'unsupported_media_type',
    neighbour: { method: 'GET', url: '/calls/good-1/transcript', status: 200 },
  },
];

/** The files (not directories) under the storage directory, relative to it. */
async function storageFiles(): Promise<string[]> {
  const entries = await readdir(storageDir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(storageDir, join(entry.parentPath, entry.name)))
    .sort();
}

describe('HTTP API bad input', () => {
  it('answers every class with its status and code, changes nothing, and valid neighbours still work', async () => {
    const rows = badRequests();
    expect(rows.length).toBeGreaterThanOrEqual(50);
    for (const row of rows) {
      const tables = await snapshotTables(db.pool);
      const files = await storageFiles();
      const response = await app.inject({
        method: row.method,
        url: row.url,
        headers: row.headers,
        payload: row.payload as string,
      });
      const body = response.json();
      expect({ name: row.name, status: response.statusCode, code: body.code }).toEqual({
        name: row.name,
        status: row.status,
        code: row.code,
      });
      expect(typeof body.message, row.name).toBe('string');
      expect(response.body, row.name).not.toContain(base);
      expect(await snapshotTables(db.pool), row.name).toEqual(tables);
      expect(await storageFiles(), row.name).toEqual(files);

      const neighbour = await app.inject(row.neighbour);
      expect(neighbour.statusCode, `${row.name}: neighbour ${row.neighbour.url}`).toBe(row.neighbour.status);
    }
  });

  it('stores uploads of any call id under a safe name inside the storage directory', async () => {
    const ids = [
      '客服中心来电记录'.repeat(7) + '话单编号', // 60 CJK characters: 180 UTF-8 bytes, 540 once percent-encoded
      'a/b/c',
      '..hidden',
      '...',
      '../../etc/passwd',
      '/absolute',
      'emoji-📞-call',
      '%2e%2e%2f',
      'x'.repeat(200),
    ];
    await upsertCalls(
      db.pool,
      ids.map((callId) => buildCall({ callId, agentId: 'A1' })),
    );
    const names = new Set<string>();
    for (const id of ids) {
      const audio = Buffer.from(`RIFF-${id}`);
      const response = await app.inject({
        method: 'POST',
        url: `/calls/${encodeURIComponent(id)}/recording`,
        headers: { 'content-type': 'audio/wav' },
        payload: audio,
      });
      expect(response.statusCode, id).toBe(201);
      const { recording } = response.json();
      expect(recording, id).toMatch(/^recordings\/[A-Za-z0-9_-]*-?[0-9a-f]{32}\.wav$/);
      names.add(recording);
      expect(await readFile(join(storageDir, recording))).toEqual(audio);
      const call = (await app.inject({ method: 'GET', url: `/calls/${encodeURIComponent(id)}` })).json();
      expect(call).toMatchObject({ callId: id, recordingStatus: 'uploaded', recording });
    }
    expect(names.size).toBe(ids.length);
    // Nothing was written outside storage/recordings, and no temporary file is left.
    expect((await storageFiles()).filter((f) => !f.startsWith('recordings'))).toEqual([]);
    expect((await storageFiles()).filter((f) => f.includes('.upload-'))).toEqual([]);
  });

  it('no GET route answers with an absolute server path', async () => {
    const upload = await app.inject({
      method: 'POST',
      url: '/calls/good-1/recording',
      headers: { 'content-type': 'audio/wav' },
      payload: Buffer.from('RIFF'),
    });
    expect(upload.statusCode).toBe(201);
    const routes = [
      '/health',
      '/calls/good-1',
      '/calls/on-nas',
      '/calls/flagged',
      '/calls/good-2',
      '/calls/good-1/transcript',
      '/calls/good-1/scores',
      '/calls/good-2/scores',
      '/pipeline',
      '/sampling/runs',
      `/sampling/runs/${runId}`,
    ];
    for (const url of routes) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).not.toContain(base);
      expect(response.body, url).not.toContain('/etc/');
    }
    const get = async (url: string) => (await app.inject({ method: 'GET', url })).json();
    expect((await get('/calls/good-1')).recording).toMatch(/^recordings\/good-1-[0-9a-f]{32}\.wav$/);
    expect((await get('/calls/on-nas')).recording).toBe('2026/on-nas.wav');
    expect((await get('/calls/flagged')).recordingProblem).toBe(
      'recording …/passwd is outside the recording roots (<the storage directory>, <recording root 2>)',
    );
    expect((await get('/calls/good-2/scores')).processing.failureReason).toBe(
      'recording recordings/good-2.wav does not exist',
    );
    expect((await get('/pipeline')).failed).toEqual([
      expect.objectContaining({ callId: 'good-2', reason: 'recording recordings/good-2.wav does not exist' }),
    ]);
  });

  it('a server fault is a 500 internal_error that says nothing of its cause', async () => {
    const brokenPool = createPool(db.url, 1);
    await brokenPool.end();
    const broken = withToken(
      await buildApp({ pool: brokenPool, config: testConfig(db.url, join(base, 'broken')) }),
      'cqa_any-token-the-broken-database-cannot-check',
    );
    try {
      const response = await broken.inject({ method: 'GET', url: '/calls/good-1' });
      expect(response.statusCode).toBe(500);
      expect(response.json()).toEqual({
        code: 'internal_error',
        message: 'internal error; see the server log',
      });
    } finally {
      await broken.close();
    }
  });
});
