import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeProblems } from '../../api/ingest/describe-problem.ts';
import { ingestFile } from '../../api/ingest/ingest-file.ts';
import { parseRecordingHosts } from '../../models/recording-url-policy.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

let db: TestDatabase;
let dir: string;
let roots: string[];
const now = new Date('2026-11-01T00:00:00Z');
const HEADER = 'call_id,agent_id,agent_name,team,started_at,duration_s,direction,recording,agent_channel';

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'callqa-ingest-'));
  roots = [join(dir, 'rec')];
  await mkdir(roots[0]);
  await writeFile(join(roots[0], 'ok.wav'), 'RIFF....');
  await writeFile(join(roots[0], 'empty.wav'), '');
  await writeFile(join(dir, 'secret.wav'), 'RIFF....');
  await symlink(join(dir, 'secret.wav'), join(roots[0], 'link.wav'));
});
afterAll(() => db.drop());

async function ingest(name: string, text: string) {
  const path = join(dir, name);
  await writeFile(path, text);
  return ingestFile(db.pool, path, {
    recordingRoots: roots,
    recordingHosts: parseRecordingHosts('pbx.example').rules,
    now,
  });
}

describe('ingest', () => {
  it('lands good rows and rejects each bad one with its line and reason', async () => {
    const summary = await ingest(
      'mixed.csv',
      [
        HEADER,
        'c1,A1,张三,T1,2026-10-08T09:15:00+08:00,65.5,inbound,ok.wav,left',
        ',A1,张三,T1,2026-10-08T09:15:00+08:00,65,inbound,,left',
        'c3,A1,张三,T1,2026-10-08 09:15,65,inbound,,left',
        'c4,A1,张三,T1,2026-10-08T09:15:00+08:00,-3,inbound,,left',
        'c5,A1,张三,T1,2026-10-08T09:15:00+08:00,100000,inbound,,left',
        'c6,A1,张三,T1,2026-10-08T09:15:00+08:00,abc,inbound,,left',
        'c7,A1,张三,T1,2026-10-08T09:15:00+08:00,30,sideways,,left',
        'c8,A1,张三,T1,2026-10-08T09:15:00+08:00,30,inbound,,center',
        'c9,A1,张三,T1,2026-02-30T09:15:00+08:00,30,inbound,,left',
        'c10,A1,张三,T1',
        'c1,A1,张三,T1,2026-10-09T09:15:00+08:00,30,inbound,,left',
        'c12,A2,李四,T2,2026-10-08T10:00:00Z,12,outbound,,mono',
        'c13,A2,李四,T2,2026-10-08T10:00:00Z,12,呼入,,',
      ].join('\n'),
    );
    expect(summary).toMatchObject({ rows: 13, inserted: 3, updated: 0, unchanged: 0 });
    const reasons = Object.fromEntries(summary.rejected.map((r) => [r.line, describeProblems(r.problems)]));
    expect(reasons[3]).toMatch(/call_id is missing/);
    expect(reasons[4]).toMatch(/not ISO 8601 with a UTC offset/);
    expect(reasons[5]).toMatch(/negative/);
    expect(reasons[6]).toMatch(/over 24 hours/);
    expect(reasons[7]).toMatch(/not a number/);
    expect(reasons[8]).toMatch(/direction "sideways"/);
    expect(reasons[9]).toMatch(/agent_channel "center"/);
    expect(reasons[10]).toMatch(/not a real date/);
    expect(reasons[11]).toMatch(/expected 9 columns, found 4/);
    expect(reasons[12]).toMatch(/duplicate call_id c1 \(first on line 2\)/);
    expect(summary.rejected).toHaveLength(10);

    const { rows } = await db.pool.query(
      'select call_id, agent_id, team_id, duration_s, direction, agent_channel, started_at from calls order by call_id',
    );
    expect(rows.map((r) => r.call_id)).toEqual(['c1', 'c12', 'c13']);
    expect(rows[0]).toMatchObject({ duration_s: 65.5, agent_channel: 'left', team_id: 'T1' });
    expect(rows[0].started_at.toISOString()).toBe('2026-10-08T01:15:00.000Z');
    expect(rows[2]).toMatchObject({ direction: 'inbound', agent_channel: 'mono' });
    const agents = await db.pool.query('select agent_id, agent_name, team_id from agents order by 1');
    expect(agents.rows).toEqual([
      { agent_id: 'A1', agent_name: '张三', team_id: 'T1' },
      { agent_id: 'A2', agent_name: '李四', team_id: 'T2' },
    ]);
  });

  it('is an idempotent upsert: the same file again changes nothing, a changed row updates', async () => {
    const text = [HEADER, 'r1,A9,王五,T9,2026-10-01T08:00:00+08:00,40,inbound,,left'].join('\n');
    expect(await ingest('again.csv', text)).toMatchObject({ inserted: 1, updated: 0, unchanged: 0 });
    expect(await ingest('again.csv', text)).toMatchObject({ inserted: 0, updated: 0, unchanged: 1 });
    const changed = text.replace(',40,', ',41,');
    expect(await ingest('again.csv', changed)).toMatchObject({ inserted: 0, updated: 1, unchanged: 0 });
  });

  it('keeps a call whose recording cannot be read, and flags it with the reason', async () => {
    const summary = await ingest(
      'recordings.jsonl',
      [
        { call_id: 'f1', recording: 'ok.wav' },
        { call_id: 'f2', recording: 'missing.wav' },
        { call_id: 'f3', recording: 'empty.wav' },
        { call_id: 'f4', recording: '../secret.wav' },
        { call_id: 'f5', recording: 'link.wav' },
        { call_id: 'f6', recording: 'https://pbx.example/rec/f6.mp3' },
      ]
        .map((r) =>
          JSON.stringify({
            agent_id: 'A1',
            started_at: '2026-10-02T09:00:00+08:00',
            duration_s: 30,
            direction: 'inbound',
            ...r,
          }),
        )
        .join('\n'),
    );
    expect(summary.inserted).toBe(6);
    expect(summary.rejected).toEqual([]);
    const flagged = Object.fromEntries(summary.flagged.map((f) => [f.callId, f.reason]));
    expect(Object.keys(flagged).sort()).toEqual(['f2', 'f3', 'f4', 'f5']);
    expect(flagged.f2).toMatch(/does not exist/);
    expect(flagged.f3).toMatch(/is empty/);
    expect(flagged.f4).toMatch(/outside the recording roots/);
    expect(flagged.f5).toMatch(/links outside/);
    const { rows } = await db.pool.query(
      `select call_id, recording_status from calls where call_id like 'f%' order by 1`,
    );
    expect(rows.map((r) => r.recording_status)).toEqual([
      'ok',
      'unreadable',
      'unreadable',
      'unreadable',
      'unreadable',
      'remote',
    ]);
  });

  it('reports malformed JSON lines and non-objects, and reads the rest', async () => {
    const summary = await ingest(
      'bad.jsonl',
      [
        '{"call_id":"j1","agent_id":"A1","started_at":"2026-10-02T09:00:00+08:00","duration_s":30,"direction":"inbound"}',
        '{"call_id":"j2", broken',
        '[1,2]',
        '',
        '{"callId":"j5","agentId":"A1","startedAt":"2026-10-02T09:00:00+08:00","durationS":30,"direction":"outbound"}',
        '{"call_id":"j6","agent_id":"A1","duration_s":30,"direction":"inbound"}',
      ].join('\n'),
    );
    expect(summary.inserted).toBe(2);
    expect(summary.rejected.map((r) => [r.line, describeProblems(r.problems).split(':')[0]])).toEqual([
      [2, 'malformed JSON'],
      [3, 'expected an object with call fields'],
      [6, 'started_at is missing'],
    ]);
  });

  it('reports an unclosed quote in a CSV and keeps the rows before it', async () => {
    const summary = await ingest(
      'quote.csv',
      [
        HEADER,
        'q1,A1,张三,T1,2026-10-08T09:15:00+08:00,65,inbound,,left',
        'q2,A1,"张三,T1,2026-10-08T09:15:00+08:00,65,inbound,,left',
      ].join('\n'),
    );
    expect(summary.inserted).toBe(1);
    expect(summary.rejected[0].problems).toEqual([{ code: 'csv_unterminated_quote' }]);
  });

  it('rejects only the rows PostgreSQL refuses, in any batch, with their lines; their agents stay out', async () => {
    const rows = Array.from({ length: 9 }, (_, i) => {
      const id = i === 2 || i === 6 ? `b${i}-poison` : `b${i}`;
      return `${id},B${i},名${i},BT,2026-10-08T09:15:00+08:00,30,inbound,,left`;
    });
    await writeFile(join(dir, 'batches.csv'), [HEADER, ...rows].join('\n'));
    await db.pool.query(`alter table calls add constraint test_poison check (call_id not like '%-poison')`);
    const summary = await ingestFile(db.pool, join(dir, 'batches.csv'), {
      recordingRoots: roots,
      now,
      batchSize: 4,
    }).finally(() => db.pool.query('alter table calls drop constraint test_poison'));
    expect(summary).toMatchObject({ rows: 9, inserted: 7 });
    expect(summary.rejected).toEqual([
      {
        line: 4,
        callId: 'b2-poison',
        problems: [{ code: 'database_rejected', params: { sqlstate: '23514' } }],
      },
      {
        line: 8,
        callId: 'b6-poison',
        problems: [{ code: 'database_rejected', params: { sqlstate: '23514' } }],
      },
    ]);
    const agents = await db.pool.query(`select agent_id from agents where agent_id like 'B_' order by 1`);
    expect(agents.rows.map((r) => r.agent_id)).toEqual(['B0', 'B1', 'B3', 'B4', 'B5', 'B7', 'B8']);
  });

  it('decides GBK at the first non-ASCII line, however far into the file it is', async () => {
    const ascii = Array.from(
      { length: 1500 },
      (_, i) => `g${i},G1,Wang,GT,2026-10-08T09:15:00+08:00,30,inbound,,left`,
    );
    const zhang = Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]); // 张三 in GBK
    const path = join(dir, 'late-gbk.csv');
    await writeFile(
      path,
      Buffer.concat([
        Buffer.from([HEADER, ...ascii, 'g-zh,G2,'].join('\n')),
        zhang,
        Buffer.from(',GT,2026-10-08T09:15:00+08:00,30,inbound,,left\n'),
      ]),
    );
    const summary = await ingestFile(db.pool, path, { recordingRoots: roots, now });
    expect(summary).toMatchObject({ inserted: 1501, rejected: [] });
    const { rows } = await db.pool.query(`select agent_name from agents where agent_id = 'G2'`);
    expect(rows[0].agent_name).toBe('张三');
  });

  it('refuses a file without the required header columns, naming them', async () => {
    await expect(ingest('nohead.csv', 'call_id,agent_id\nx,y')).rejects.toThrow(
      /lacks started_at, duration_s, direction/,
    );
    await expect(ingest('calls.txt', '')).rejects.toThrow(/use \.csv or \.jsonl/);
  });
});
