import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoCalls } from '../../api/demo/generate-calls.ts';
import { ingestRoster } from '../../api/ingest/ingest-roster.ts';
import { upsertCalls } from '../../models/call-repository.ts';
import { runMigrations } from '../../models/migrate.ts';
import { buildCall } from '../helpers/builders.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

describe('roster', () => {
  it('adds names, teams, supervisors and leavers, without undoing what call records set', async () => {
    await upsertCalls(db.pool, [
      buildCall({ callId: 'x1', agentId: '1001', agentName: '王芳', team: '一组' }),
    ]);
    const path = join(await mkdtemp(join(tmpdir(), 'callqa-roster-')), 'roster.csv');
    await writeFile(
      path,
      [
        'agent_id,agent_name,team,supervisor,active',
        '1001,,一组,赵主管,',
        '1002,李强,二组,钱主管,true',
        '1003,张静,二组,钱主管,false',
        ',无名,二组,,',
        '1004,周敏,三组,,maybe',
      ].join('\n'),
    );
    const summary = await ingestRoster(db.pool, path);
    expect(summary).toMatchObject({ agents: 3, teams: 2 });
    expect(summary.rejected).toEqual([
      { line: 5, problems: [{ code: 'field_missing', params: { field: 'agent_id' } }] },
      { line: 6, problems: [{ code: 'active_unknown', params: { value: 'maybe' } }] },
    ]);
    const agents = await db.pool.query(
      'select agent_id, agent_name, team_id, active from agents order by agent_id',
    );
    expect(agents.rows).toEqual([
      { agent_id: '1001', agent_name: '王芳', team_id: '一组', active: true },
      { agent_id: '1002', agent_name: '李强', team_id: '二组', active: true },
      { agent_id: '1003', agent_name: '张静', team_id: '二组', active: false },
    ]);
    const teams = await db.pool.query('select team_id, supervisor from teams order by team_id');
    expect(teams.rows).toEqual([
      { team_id: '一组', supervisor: '赵主管' },
      { team_id: '二组', supervisor: '钱主管' },
    ]);
  });
});

describe('roster: bad rows', () => {
  it('rejects bad fields and rows PostgreSQL refuses alone, leaving no team of theirs behind', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'callqa-roster-')), 'roster.jsonl');
    const row = (agent_id: string, team: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({ agent_id, agent_name: '陈红', team, supervisor: '孙主管', ...extra });
    await writeFile(
      path,
      [
        row('2001', '四组'),
        row('2002', '五组', { agent_name: '陈\u0000红' }),
        row('2003', 'T'.repeat(9000)),
        row('2004-poison', '六组'),
        row('2005', '四组', { agent_id: { id: 2005 } }),
        row('2006', '四组'),
      ].join('\n'),
    );
    await db.pool.query(`alter table agents add constraint test_poison check (agent_id not like '%-poison')`);
    const summary = await ingestRoster(db.pool, path).finally(() =>
      db.pool.query('alter table agents drop constraint test_poison'),
    );
    expect(summary).toMatchObject({ agents: 2, teams: 1 });
    expect(summary.rejected.map((r) => [r.line, r.problems.map((p) => p.code)])).toEqual([
      [2, ['control_character']],
      [3, ['field_too_long']],
      [4, ['database_rejected']],
      [5, ['field_not_text']],
    ]);
    expect(summary.rejected[2].problems[0].params).toEqual({ sqlstate: '23514' });
    const agents = await db.pool.query(
      `select agent_id, team_id from agents where agent_id like '200%' order by 1`,
    );
    expect(agents.rows).toEqual([
      { agent_id: '2001', team_id: '四组' },
      { agent_id: '2006', team_id: '四组' },
    ]);
    const teams = await db.pool.query(`select team_id from teams where team_id in ('四组', '五组', '六组')`);
    expect(teams.rows).toEqual([{ team_id: '四组' }]);
  });
});

describe('migrations', () => {
  it('apply once even when several processes start together', async () => {
    const results = await Promise.all([
      runMigrations(db.pool),
      runMigrations(db.pool),
      runMigrations(db.pool),
    ]);
    expect(results.flat()).toEqual([]); // createTestDatabase already applied them all
    const { rows } = await db.pool.query('select count(*)::int as n from schema_migrations');
    expect(rows[0].n).toBeGreaterThanOrEqual(3);
  });
});

describe('demo data', () => {
  const calls = [
    ...generateDemoCalls({ months: ['2026-10'], agents: 40, teams: 4, callsPerDay: 30, seed: 3 }),
  ];

  it('is repeatable for a seed', () => {
    const again = [
      ...generateDemoCalls({ months: ['2026-10'], agents: 40, teams: 4, callsPerDay: 30, seed: 3 }),
    ];
    expect(again).toEqual(calls);
  });

  it('looks like a call centre: short hang-ups, a long tail, working hours, quieter weekends', () => {
    const share = (f: (c: (typeof calls)[number]) => boolean) => calls.filter(f).length / calls.length;
    expect(calls.length).toBeGreaterThan(15_000);
    expect(share((c) => c.duration_s < 20)).toBeGreaterThan(0.03);
    expect(share((c) => c.duration_s > 300)).toBeGreaterThan(0.03);
    expect(share((c) => c.duration_s > 300)).toBeLessThan(0.25);
    const hours = calls.map((c) => Number(c.started_at.slice(11, 13)));
    expect(Math.min(...hours)).toBeGreaterThanOrEqual(8);
    expect(Math.max(...hours)).toBeLessThanOrEqual(20);
    const weekend = calls.filter((c) => [0, 6].includes(new Date(c.started_at).getUTCDay())).length;
    expect(weekend / calls.length).toBeLessThan(2 / 7);
    expect(new Set(calls.map((c) => c.team)).size).toBe(4);
    expect(new Set(calls.map((c) => c.call_id)).size).toBe(calls.length);
  });
});
