/**
 * Bad input at the two doors calls come in by: the `callqa ingest` CLI (run as
 * a user runs it, a child process against this file's database) and POST
 * /calls. Each class puts one bad row (or a bad file or body) among valid
 * neighbours and checks the exit code or status, the codes, that the
 * neighbours landed intact, and that nothing else in calls, agents or teams
 * changed. The classes are listed in docs/reliability.md.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { MAX_CALLS_PER_REQUEST } from '../../api/routes/post-calls.ts';
import { upsertCalls } from '../../models/call-repository.ts';
import { buildCall } from '../helpers/builders.ts';
import { asAdmin } from '../helpers/auth.ts';
import { testConfig } from '../helpers/config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

const run = promisify(execFile);
let db: TestDatabase;
let dir: string;
let app: FastifyInstance;

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'callqa-bad-input-'));
  await mkdir(join(dir, 'a-directory.csv'));
  // Rows that exist before any class runs: none of them may change.
  await upsertCalls(db.pool, [
    buildCall({ callId: 'seed-1', agentId: 'SEED-A', agentName: '王五', team: 'SEED-T' }),
    buildCall({ callId: 'seed-2', agentId: 'SEED-B', agentName: '赵六', team: 'SEED-T' }),
  ]);
  // Signed in as an admin: these tests are about input, not access (authorization-matrix.test.ts).
  app = await asAdmin(await buildApp({ pool: db.pool, config: testConfig(db.url, dir) }), db.pool);
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

// ---------------------------------------------------------------- helpers

/** A few GB18030 (GBK for the two-byte ones) encodings, checked against Node's decoder below. */
const GB: Record<string, number[]> = {
  张: [0xd5, 0xc5],
  三: [0xc8, 0xfd],
  李: [0xc0, 0xee],
  四: [0xcb, 0xc4],
  '𠀀': [0x95, 0x32, 0x82, 0x36], // U+20000: four bytes in GB18030, outside GBK
};
function gb18030(text: string): Buffer {
  return Buffer.from(
    [...text].flatMap((c) => {
      if (c.charCodeAt(0) < 0x80) return [c.charCodeAt(0)];
      if (!GB[c]) throw new Error(`no GB18030 bytes for ${c} in this test`);
      return GB[c];
    }),
  );
}
function utf16be(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

/** The text in an encoding, with the marker XX replaced by raw bytes. */
function withBytes(
  text: string,
  bytes: number[],
  encode: (t: string) => Buffer = (t) => Buffer.from(t),
): Buffer {
  const [head, tail] = text.split('XX');
  return Buffer.concat([encode(head), Buffer.from(bytes), encode(tail)]);
}

const HEADER = 'call_id,agent_id,agent_name,team,started_at,duration_s,direction,recording,agent_channel';
const WHEN = '2026-10-08T09:15:00+08:00';
const NAME = '张三';

/** The valid neighbours of a class: two calls of agent `<p>-A` (张三) in team `<p>-T`. */
const okCsv = (p: string, n: number, name = NAME) =>
  `${p}-ok${n},${p}-A,${name},${p}-T,${WHEN},65,inbound,,left`;
const okJson = (p: string, n: number, name = NAME) => ({
  call_id: `${p}-ok${n}`,
  agent_id: `${p}-A`,
  agent_name: name,
  team: `${p}-T`,
  started_at: WHEN,
  duration_s: 65,
  direction: 'inbound',
  agent_channel: 'left',
});
/** A bad row's own agent and team are `<p>-B` and `<p>-BT`: if either appears, the row leaked. */
const badCsv = (p: string, over: Partial<Record<string, string>> = {}) => {
  const row: Record<string, string> = {
    call_id: `${p}-bad`,
    agent_id: `${p}-B`,
    agent_name: '李四',
    team: `${p}-BT`,
    started_at: WHEN,
    duration_s: '30',
    direction: 'inbound',
    recording: '',
    agent_channel: 'left',
    ...over,
  };
  return HEADER.split(',')
    .map((f) => row[f])
    .join(',');
};
const badJson = (p: string, over: Record<string, unknown> = {}) => ({
  ...okJson(p, 0),
  call_id: `${p}-bad`,
  agent_id: `${p}-B`,
  agent_name: '李四',
  team: `${p}-BT`,
  ...over,
});
const csv = (p: string, bad: string) => [HEADER, okCsv(p, 1), bad, okCsv(p, 2)].join('\n') + '\n';
const jsonl = (p: string, bad: string) =>
  [JSON.stringify(okJson(p, 1)), bad, JSON.stringify(okJson(p, 2))].join('\n') + '\n';

interface Snapshot {
  calls: string[];
  agents: string[];
  teams: string[];
}
async function snapshot(): Promise<Snapshot> {
  const rows = async (sql: string) => (await db.pool.query(sql)).rows.map((r) => JSON.stringify(r));
  return {
    calls: await rows(
      `select call_id, agent_id, team_id, started_at, duration_s, direction, recording, agent_channel,
              recording_status, recording_problem from calls order by call_id`,
    ),
    agents: await rows('select agent_id, agent_name, team_id, active from agents order by agent_id'),
    teams: await rows('select team_id, name, supervisor from teams order by team_id'),
  };
}
/** What a class added: rows in `after` not in `before`; and every row of `before` must still be there. */
function added(before: Snapshot, after: Snapshot) {
  const diff = (table: keyof Snapshot) => {
    const kept = new Set(after[table]);
    expect(
      before[table].filter((r) => !kept.has(r)),
      `${table} rows changed or vanished`,
    ).toEqual([]);
    const old = new Set(before[table]);
    return after[table].filter((r) => !old.has(r)).map((r) => JSON.parse(r) as Record<string, unknown>);
  };
  return { calls: diff('calls'), agents: diff('agents'), teams: diff('teams') };
}
/** The neighbours landed intact, and nothing else was added. */
async function expectOnlyNeighbours(p: string, before: Snapshot, lands: boolean, name = NAME) {
  const change = added(before, await snapshot());
  if (!lands) {
    expect(change).toEqual({ calls: [], agents: [], teams: [] });
    return;
  }
  expect(change.calls.map((c) => c.call_id)).toEqual([`${p}-ok1`, `${p}-ok2`]);
  expect(change.calls[0]).toMatchObject({ agent_id: `${p}-A`, team_id: `${p}-T`, duration_s: 65 });
  expect(change.agents).toEqual([{ agent_id: `${p}-A`, agent_name: name, team_id: `${p}-T`, active: true }]);
  expect(change.teams).toEqual([{ team_id: `${p}-T`, name: `${p}-T`, supervisor: null }]);
}

/** A PostgreSQL refusal no validation foresees: a constraint added for the one class that needs it. */
const poison = {
  async before() {
    await db.pool.query(`alter table calls add constraint test_poison check (call_id not like '%-poison')`);
  },
  async after() {
    await db.pool.query('alter table calls drop constraint test_poison');
  },
};

// ---------------------------------------------------------------- CLI

async function callqa(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, DATABASE_URL: db.url, CALLQA_DATA_DIR: dir, LOG_LEVEL: 'silent' };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'api/cli/main.ts', ...args], {
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

interface CliCase {
  /** The class of bad input (docs/reliability.md). */
  name: string;
  /** File name; its extension picks the format. */
  file: string;
  /** The file's bytes, given the class's id prefix; undefined: no file is written. */
  content?: (p: string) => string | Buffer;
  args?: string[];
  exit: number;
  /** Row codes (stdout, in line order) or the file's code (stderr). */
  codes: string[];
  /** Whether the two valid neighbours land (false: nothing may change). */
  lands: boolean;
  /** The neighbours' agent name as stored (default 张三). */
  name_?: string;
  setup?: typeof poison;
}

const FIFTY_MB = 50 * 1024 * 1024;

const cliCases: CliCase[] = [
  // characters no field may hold
  {
    name: 'NUL in call_id',
    file: 'x.csv',
    content: (p) => csv(p, badCsv(p, { call_id: `${p}-b\0d` })),
    exit: 3,
    codes: ['control_character'],
    lands: true,
  },
  {
    name: 'NUL in agent_name',
    file: 'x.jsonl',
    content: (p) => jsonl(p, JSON.stringify(badJson(p, { agent_name: '李\u0000四' }))),
    exit: 3,
    codes: ['control_character'],
    lands: true,
  },
  {
    name: 'NUL in team',
    file: 'x.csv',
    content: (p) => csv(p, badCsv(p, { team: `${p}-B\0T` })),
    exit: 3,
    codes: ['control_character'],
    lands: true,
  },
  {
    name: 'C1 control in agent_name',
    file: 'x.jsonl',
    content: (p) => jsonl(p, JSON.stringify(badJson(p, { agent_name: '李\u0085四' }))),
    exit: 3,
    codes: ['control_character'],
    lands: true,
  },
  {
    name: 'DEL in agent_id',
    file: 'x.csv',
    content: (p) => csv(p, badCsv(p, { agent_id: `${p}-B\x7f` })),
    exit: 3,
    codes: ['control_character'],
    lands: true,
  },
  {
    name: 'bidi override in agent_name',
    file: 'x.jsonl',
    content: (p) => jsonl(p, JSON.stringify(badJson(p, { agent_name: '李\u202e四' }))),
    exit: 3,
    codes: ['control_character'],
    lands: true,
  },
  {
    name: 'unpaired surrogate (JSON \\ud800)',
    file: 'x.jsonl',
    content: (p) => jsonl(p, JSON.stringify(badJson(p)).replace('李四', '李\\ud800')),
    exit: 3,
    codes: ['malformed_text'],
    lands: true,
  },
  // lengths
  {
    name: 'team over 8 KB (btree row limit)',
    file: 'x.csv',
    content: (p) => csv(p, badCsv(p, { team: 'T'.repeat(9000) })),
    exit: 3,
    codes: ['field_too_long'],
    lands: true,
  },
  {
    name: 'call_id over 200 characters',
    file: 'x.csv',
    content: (p) => csv(p, badCsv(p, { call_id: 'c'.repeat(201) })),
    exit: 3,
    codes: ['field_too_long'],
    lands: true,
  },
  {
    name: 'agent_name over 200 characters',
    file: 'x.jsonl',
    content: (p) => jsonl(p, JSON.stringify(badJson(p, { agent_name: '名'.repeat(201) }))),
    exit: 3,
    codes: ['field_too_long'],
    lands: true,
  },
  {
    name: 'recording over 2,048 characters',
    file: 'x.csv',
    content: (p) => csv(p, badCsv(p, { recording: 'r/'.repeat(1100) })),
    exit: 3,
    codes: ['field_too_long'],
    lands: true,
  },
  {
    name: 'agent_name of 50 MB',
    file: 'x.jsonl',
    content: (p) => jsonl(p, JSON.stringify(badJson(p, { agent_name: 'x'.repeat(FIFTY_MB) }))),
    exit: 3,
    codes: ['line_too_long'],
    lands: true,
  },
  // types
  {
    name: 'object as call_id',
    file: 'x.jsonl',
    content: (p) =>
      jsonl(
        p,
        [
          JSON.stringify(badJson(p, { call_id: { a: 1 } })),
          JSON.stringify(badJson(p, { call_id: { b: 2 } })),
        ].join('\n'),
      ),
    exit: 3,
    codes: ['field_not_text', 'field_not_text'],
    lands: true,
  },
  {
    name: 'array as agent_id',
    file: 'x.jsonl',
    content: (p) => jsonl(p, JSON.stringify(badJson(p, { agent_id: ['A', 'B'] }))),
    exit: 3,
    codes: ['field_not_text'],
    lands: true,
  },
  {
    name: 'boolean as agent_name',
    file: 'x.jsonl',
    content: (p) => jsonl(p, JSON.stringify(badJson(p, { agent_name: true }))),
    exit: 3,
    codes: ['field_not_text'],
    lands: true,
  },
  // durations: plain decimal seconds only
  ...['0x10', '0b101', '1e3', 'Infinity', 'NaN', '+5', '1_000'].map((value): CliCase => ({
    name: `duration_s "${value}"`,
    file: 'x.csv',
    content: (p) => csv(p, badCsv(p, { duration_s: value })),
    exit: 3,
    codes: ['duration_not_decimal'],
    lands: true,
  })),
  {
    name: 'duration_s empty',
    file: 'x.csv',
    content: (p) => csv(p, badCsv(p, { duration_s: '' })),
    exit: 3,
    codes: ['field_missing'],
    lands: true,
  },
  {
    name: 'duration_s negative',
    file: 'x.csv',
    content: (p) => csv(p, badCsv(p, { duration_s: '-3' })),
    exit: 3,
    codes: ['duration_negative'],
    lands: true,
  },
  {
    name: 'duration_s over 24 hours',
    file: 'x.csv',
    content: (p) => csv(p, badCsv(p, { duration_s: '86401' })),
    exit: 3,
    codes: ['duration_too_long'],
    lands: true,
  },
  {
    name: 'started_at without offset',
    file: 'x.csv',
    content: (p) => csv(p, badCsv(p, { started_at: '2026-10-08 09:15' })),
    exit: 3,
    codes: ['timestamp_format'],
    lands: true,
  },
  // file structure
  {
    name: 'unterminated CSV quote',
    file: 'x.csv',
    content: (p) => csv(p, badCsv(p, { agent_name: '"李四' })),
    exit: 3,
    codes: ['csv_unterminated_quote'],
    lands: true,
  },
  {
    name: 'text after a closing CSV quote',
    file: 'x.csv',
    content: (p) => csv(p, badCsv(p, { agent_name: '"李"四' })),
    exit: 3,
    codes: ['csv_stray_quote'],
    lands: true,
  },
  {
    name: 'wrong CSV column count',
    file: 'x.csv',
    content: (p) => csv(p, `${p}-bad,${p}-B`),
    exit: 3,
    codes: ['column_count'],
    lands: true,
  },
  {
    name: 'malformed JSON line',
    file: 'x.jsonl',
    content: (p) => jsonl(p, `{"call_id":"${p}-bad",`),
    exit: 3,
    codes: ['malformed_json'],
    lands: true,
  },
  {
    name: 'JSON line not an object',
    file: 'x.jsonl',
    content: (p) => jsonl(p, '[1,2]'),
    exit: 3,
    codes: ['not_an_object'],
    lands: true,
  },
  {
    name: 'duplicate call_id in the file',
    file: 'x.csv',
    content: (p) => csv(p, badCsv(p, { call_id: `${p}-ok1` })),
    exit: 3,
    codes: ['duplicate_call_id'],
    lands: true,
  },
  {
    name: 'row refused by PostgreSQL',
    file: 'x.csv',
    content: (p) => csv(p, badCsv(p, { call_id: `${p}-poison` })),
    exit: 3,
    codes: ['database_rejected'],
    lands: true,
    setup: poison,
  },
  // encodings
  {
    name: 'UTF-8 BOM before a JSONL line 1',
    file: 'x.jsonl',
    content: (p) => '\ufeff' + jsonl(p, ''),
    exit: 0,
    codes: [],
    lands: true,
  },
  {
    name: 'UTF-8 BOM before the CSV header',
    file: 'x.csv',
    content: (p) => '\ufeff' + [HEADER, okCsv(p, 1), okCsv(p, 2)].join('\r\n'),
    exit: 0,
    codes: [],
    lands: true,
  },
  {
    name: 'GBK CSV (detected)',
    file: 'x.csv',
    content: (p) => gb18030(csv(p, badCsv(p, { duration_s: 'abc' }))),
    exit: 3,
    codes: ['duration_not_decimal'],
    lands: true,
  },
  {
    name: 'GBK CSV with --encoding gbk',
    file: 'x.csv',
    args: ['--encoding', 'gbk'],
    content: (p) => gb18030(csv(p, '')),
    exit: 0,
    codes: [],
    lands: true,
  },
  {
    name: 'GB18030 four-byte character',
    file: 'x.jsonl',
    content: (p) => gb18030(jsonl(p, '').replaceAll(NAME, '张𠀀')),
    exit: 0,
    codes: [],
    lands: true,
    name_: '张𠀀',
  },
  {
    name: 'UTF-16LE with BOM',
    file: 'x.csv',
    content: (p) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv(p, ''), 'utf16le')]),
    exit: 0,
    codes: [],
    lands: true,
  },
  {
    name: 'UTF-16BE with BOM',
    file: 'x.jsonl',
    content: (p) => Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(jsonl(p, ''))]),
    exit: 0,
    codes: [],
    lands: true,
  },
  {
    name: 'broken UTF-8 in one line',
    file: 'x.csv',
    content: (p) => withBytes(csv(p, badCsv(p, { agent_name: 'XX' })), [0x80, 0xff]),
    exit: 3,
    codes: ['undecodable_line'],
    lands: true,
  },
  {
    name: 'bytes invalid in the forced encoding',
    file: 'x.csv',
    args: ['--encoding', 'gb18030'],
    content: (p) => withBytes(csv(p, badCsv(p, { agent_name: 'XX' })), [0xff], gb18030),
    exit: 3,
    codes: ['undecodable_line'],
    lands: true,
  },
  {
    name: 'neither UTF-8 nor GB18030',
    file: 'x.csv',
    content: (p) =>
      Buffer.concat([Buffer.from(`${HEADER}\n${okCsv(p, 1, 'X')}\n`), Buffer.from([0xff, 0xfe, 0xff, 0x0a])]),
    exit: 1,
    codes: ['undecodable_file'],
    lands: false,
  },
  {
    name: 'UTF-16 without BOM',
    file: 'x.csv',
    content: (p) => Buffer.from(csv(p, '').replaceAll(NAME, 'Z'), 'utf16le'),
    exit: 1,
    codes: ['undecodable_file'],
    lands: false,
  },
  {
    name: 'unknown --encoding',
    file: 'x.csv',
    args: ['--encoding', 'latin9'],
    content: (p) => csv(p, ''),
    exit: 2,
    codes: [],
    lands: false,
  },
  // files that cannot be ingested at all
  { name: 'empty file', file: 'x.csv', content: () => '', exit: 1, codes: ['empty_file'], lands: false },
  {
    name: 'blank lines only',
    file: 'x.jsonl',
    content: () => '\n \n\n',
    exit: 1,
    codes: ['empty_file'],
    lands: false,
  },
  {
    name: 'header only',
    file: 'x.csv',
    content: () => `${HEADER}\n`,
    exit: 1,
    codes: ['no_rows'],
    lands: false,
  },
  {
    name: 'header lacks required columns',
    file: 'x.csv',
    content: (p) => `call_id,agent_id\n${p}-ok1,${p}-A\n`,
    exit: 1,
    codes: ['missing_columns'],
    lands: false,
  },
  { name: 'missing file', file: 'not-there.csv', exit: 1, codes: ['file_not_found'], lands: false },
  { name: 'directory as file', file: 'a-directory.csv', exit: 1, codes: ['not_a_file'], lands: false },
  {
    name: 'unknown file type',
    file: 'x.txt',
    content: (p) => csv(p, ''),
    exit: 1,
    codes: ['unknown_file_type'],
    lands: false,
  },
];

describe('callqa ingest: bad input', () => {
  it('checks its own GB18030 test bytes against the platform decoder', () => {
    expect(new TextDecoder('gb18030', { fatal: true }).decode(gb18030('张三李四𠀀'))).toBe('张三李四𠀀');
  });

  it.each(cliCases.map((c, i) => ({ ...c, p: `cli${i}` })))('$name', async (c) => {
    const path = join(dir, c.file.startsWith('x.') ? `${c.p}-${c.file}` : c.file);
    if (c.content) await writeFile(path, c.content(c.p));
    await c.setup?.before();
    const before = await snapshot();
    const result = await callqa(['ingest', path, ...(c.args ?? [])]).finally(() => c.setup?.after());
    expect(result.code, result.stderr).toBe(c.exit);
    if (c.exit === 1) {
      // One line naming the file and its code, no stack.
      expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining(`[${c.codes[0]}]`)]);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } else if (c.exit === 2) expect(result.stderr).toMatch(/--encoding/);
    else {
      const codes = [...result.stdout.matchAll(/^ {2}rejected line \d+.*\[([a-z_ ]+)\]$/gm)].map((m) => m[1]);
      expect(codes).toEqual(c.codes);
    }
    await expectOnlyNeighbours(c.p, before, c.lands, c.name_);
  });
});

// ---------------------------------------------------------------- POST /calls

interface ApiCase {
  name: string;
  /** The body's bytes, or the items around which the valid neighbours are put. */
  body: (p: string) => Buffer | string | unknown[];
  contentType?: string;
  status: number;
  /** Item codes (`rejected[].code`, in order) for 200/400 with items, else the response's code. */
  codes: string[];
  lands: boolean;
  name_?: string;
  setup?: typeof poison;
}

const around = (p: string, ...bad: unknown[]) => [okJson(p, 1), ...bad, okJson(p, 2)];
const json = (value: unknown) => JSON.stringify(value);
const JSON_TYPE = 'application/json';

const apiCases: ApiCase[] = [
  {
    name: 'NUL in call_id',
    body: (p) => around(p, badJson(p, { call_id: `${p}\u0000x` })),
    status: 200,
    codes: ['control_character'],
    lands: true,
  },
  {
    name: 'NUL in team',
    body: (p) => around(p, badJson(p, { team: 'T\u0000' })),
    status: 200,
    codes: ['control_character'],
    lands: true,
  },
  {
    name: 'C1 control in agent_name',
    body: (p) => around(p, badJson(p, { agent_name: '\u009b31m' })),
    status: 200,
    codes: ['control_character'],
    lands: true,
  },
  {
    name: 'unpaired surrogate',
    body: (p) => json(around(p, badJson(p))).replace('李四', '\\udc00'),
    contentType: JSON_TYPE,
    status: 200,
    codes: ['malformed_text'],
    lands: true,
  },
  {
    name: 'team over 8 KB',
    body: (p) => around(p, badJson(p, { team: 'T'.repeat(9000) })),
    status: 200,
    codes: ['field_too_long'],
    lands: true,
  },
  {
    name: 'agent_name of 50 MB (body over the limit)',
    body: (p) => json(around(p, badJson(p, { agent_name: 'x'.repeat(FIFTY_MB) }))),
    contentType: JSON_TYPE,
    status: 413,
    codes: ['body_too_large'],
    lands: false,
  },
  {
    name: 'agent_name of 1 MB (within the body limit)',
    body: (p) => around(p, badJson(p, { agent_name: 'x'.repeat(1024 * 1024) })),
    status: 200,
    codes: ['field_too_long'],
    lands: true,
  },
  {
    name: 'object as call_id',
    body: (p) => around(p, badJson(p, { call_id: { a: 1 } }), badJson(p, { call_id: { b: 2 } })),
    status: 200,
    codes: ['field_not_text', 'field_not_text'],
    lands: true,
  },
  {
    name: 'array as call_id',
    body: (p) => around(p, badJson(p, { call_id: [1] })),
    status: 200,
    codes: ['field_not_text'],
    lands: true,
  },
  ...['0x10', '0b101', '1e3', 'Infinity', '+5', ''].map((value): ApiCase => ({
    name: `duration_s "${value}"`,
    body: (p) => around(p, badJson(p, { duration_s: value })),
    status: 200,
    codes: [value === '' ? 'field_missing' : 'duration_not_decimal'],
    lands: true,
  })),
  {
    name: 'duplicate call_id in the request',
    body: (p) => around(p, badJson(p, { call_id: `${p}-ok1` })),
    status: 200,
    codes: ['duplicate_call_id'],
    lands: true,
  },
  {
    name: 'item not an object',
    body: (p) => around(p, 'call'),
    status: 200,
    codes: ['not_an_object'],
    lands: true,
  },
  {
    name: 'call refused by PostgreSQL',
    body: (p) => around(p, badJson(p, { call_id: `${p}-poison` })),
    status: 200,
    codes: ['database_rejected'],
    lands: true,
    setup: poison,
  },
  {
    name: 'only bad calls',
    body: (p) => [badJson(p, { duration_s: -1 })],
    status: 400,
    codes: ['duration_negative'],
    lands: false,
  },
  // body shape and size
  {
    name: '{ calls } over the cap',
    body: (p) => json({ calls: Array.from({ length: MAX_CALLS_PER_REQUEST + 1 }, (_, i) => okJson(p, i)) }),
    contentType: JSON_TYPE,
    status: 413,
    codes: ['too_many_calls'],
    lands: false,
  },
  {
    name: 'array over the cap',
    body: (p) => json(Array.from({ length: MAX_CALLS_PER_REQUEST + 1 }, (_, i) => okJson(p, i))),
    contentType: JSON_TYPE,
    status: 413,
    codes: ['too_many_calls'],
    lands: false,
  },
  {
    name: '{ calls } of 150,000 items',
    body: () => json({ calls: Array.from({ length: 150_000 }, () => ({})) }),
    contentType: JSON_TYPE,
    status: 413,
    codes: ['too_many_calls'],
    lands: false,
  },
  {
    name: '{ calls } not an array',
    body: () => json({ calls: 'all of them' }),
    contentType: JSON_TYPE,
    status: 400,
    codes: ['invalid_body'],
    lands: false,
  },
  {
    name: 'JSON scalar body',
    body: () => json('call'),
    contentType: JSON_TYPE,
    status: 400,
    codes: ['invalid_body'],
    lands: false,
  },
  {
    name: 'invalid JSON',
    body: (p) => json(around(p)).slice(0, -5),
    contentType: JSON_TYPE,
    status: 400,
    codes: ['malformed_json'],
    lands: false,
  },
  {
    name: 'a __proto__ key',
    body: (p) => json(around(p)).replace('{', '{"__proto__":{"x":1},'),
    contentType: JSON_TYPE,
    status: 400,
    codes: ['malformed_json'],
    lands: false,
  },
  {
    name: 'empty body',
    body: () => '',
    contentType: JSON_TYPE,
    status: 400,
    codes: ['empty_body'],
    lands: false,
  },
  {
    name: 'wrong content type (CSV)',
    body: (p) => csv(p, ''),
    contentType: 'text/csv',
    status: 415,
    codes: ['unsupported_media_type'],
    lands: false,
  },
  // encodings
  {
    name: 'charset=gbk body',
    body: (p) => gb18030(json(around(p))),
    contentType: `${JSON_TYPE}; charset=gbk`,
    status: 200,
    codes: [],
    lands: true,
  },
  {
    name: 'charset=gb18030 four-byte character',
    body: (p) => gb18030(json(around(p)).replaceAll(NAME, '张𠀀')),
    contentType: `${JSON_TYPE}; charset=GB18030`,
    status: 200,
    codes: [],
    lands: true,
    name_: '张𠀀',
  },
  {
    name: 'charset=utf-16le body',
    body: (p) => Buffer.from(json(around(p)), 'utf16le'),
    contentType: `${JSON_TYPE}; charset=utf-16le`,
    status: 200,
    codes: [],
    lands: true,
  },
  {
    name: 'UTF-8 BOM before the body',
    body: (p) => '\ufeff' + json(around(p)),
    contentType: JSON_TYPE,
    status: 200,
    codes: [],
    lands: true,
  },
  {
    name: 'GBK body without charset',
    body: (p) => gb18030(json(around(p))),
    contentType: JSON_TYPE,
    status: 400,
    codes: ['undecodable_body'],
    lands: false,
  },
  {
    name: 'broken UTF-8 body',
    body: (p) =>
      Buffer.concat([Buffer.from(json(around(p)).slice(0, -2)), Buffer.from([0xc3, 0x28]), Buffer.from(']')]),
    contentType: JSON_TYPE,
    status: 400,
    codes: ['undecodable_body'],
    lands: false,
  },
  {
    name: 'unsupported charset',
    body: (p) => json(around(p)),
    contentType: `${JSON_TYPE}; charset=big5`,
    status: 415,
    codes: ['unsupported_charset'],
    lands: false,
  },
];

describe('POST /calls: bad input', () => {
  it.each(apiCases.map((c, i) => ({ ...c, p: `api${i}` })))('$name', async (c) => {
    const body = c.body(c.p);
    await c.setup?.before();
    const before = await snapshot();
    const response = await app
      .inject({
        method: 'POST',
        url: '/calls',
        headers: { 'content-type': c.contentType ?? JSON_TYPE },
        payload: Array.isArray(body) ? json(body) : body,
      })
      .finally(() => c.setup?.after());
    expect(response.statusCode, response.body).toBe(c.status);
    const answer = response.json();
    if (answer.rejected) {
      expect(answer.rejected.map((r: { code: string }) => r.code)).toEqual(c.codes);
      for (const r of answer.rejected) expect(r.reason).toEqual(expect.any(String));
      if (c.lands) expect(answer).toMatchObject({ inserted: 2 });
    } else {
      expect(answer.code).toBe(c.codes[0]);
      expect(answer.message).toEqual(expect.any(String));
    }
    await expectOnlyNeighbours(c.p, before, c.lands, c.name_);
  });
});
