import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { ACTOR_CACHE_MS, ActorCache } from '../../api/auth/actor-cache.ts';
import { verifyPassword } from '../../models/credentials.ts';
import { testConfig } from '../helpers/config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { runCli, type CliRun } from '../helpers/cli.ts';

let db: TestDatabase;
let app: FastifyInstance;
let dataDir: string;
// The API's credential cache runs on this counter (api/auth/actor-cache.ts): a revocation by the CLI,
// another process, reaches it within ACTOR_CACHE_MS, which the test passes by moving the counter.
let clock = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), 'callqa-users-cli-'));
  app = await buildApp({
    pool: db.pool,
    config: testConfig(db.url, dataDir),
    actorCache: new ActorCache(ACTOR_CACHE_MS, () => clock),
  });
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

/** The CLI as an operator runs it against this database, with `stdin` piped in (or empty). */
function callqa(args: string[], stdin = ''): Promise<CliRun> {
  return runCli({ databaseUrl: db.url, dataDir: dataDir }, args, stdin);
}

describe('callqa users and tokens', () => {
  it('adds users (password from stdin, or generated and printed once), lists and disables them', async () => {
    const piped = await callqa(['users', 'add', 'ops', '--role', 'admin'], 'a long enough password\n');
    expect(piped).toMatchObject({ code: 0 });
    expect(piped.stdout).not.toMatch(/password/);
    const stored = await db.pool.query(`select password_hash from users where username = 'ops'`);
    expect(await verifyPassword('a long enough password', stored.rows[0].password_hash)).toBe(true);

    const generated = await callqa(['users', 'add', 'sup', '--role', 'supervisor', '--teams', 'T1,T2']);
    expect(generated.code).toBe(0);
    const password = /password \(shown once\): (\S+)/.exec(generated.stdout)?.[1];
    expect(password).toBeDefined();
    const login = await app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'x-requested-with': 'cli-test' },
      payload: { username: 'sup', password },
    });
    expect(login.statusCode).toBe(200);

    expect((await callqa(['users', 'add', 'a1', '--role', 'agent', '--agent', 'A1'])).code).toBe(0);
    const refused = await callqa(['users', 'add', 'a2', '--role', 'agent']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/agent_id_mismatch/);
    expect((await callqa(['users', 'add', 'ops', '--role', 'qa'])).stderr).toMatch(/user_exists/);
    expect((await callqa(['users', 'add', 'x', '--role', 'boss'])).code).toBe(2);

    const list = await callqa(['users', 'list']);
    expect(list.stdout.trim().split('\n')).toEqual([
      'a1\tagent agent=A1',
      'ops\tadmin',
      'sup\tsupervisor teams=T1,T2',
    ]);

    expect((await callqa(['users', 'disable', 'sup'])).code).toBe(0);
    expect((await callqa(['users', 'list'])).stdout).toMatch(/sup\tsupervisor teams=T1,T2\tdisabled/);
    const audit = await db.pool.query(`select actor, action, target from audit_log order by audit_id`);
    expect(audit.rows.map((r) => `${r.action} ${r.target}`)).toEqual([
      'user_added user:ops',
      'user_added user:sup',
      'login user:sup',
      'user_added user:a1',
      'user_disabled user:sup',
    ]);
    expect(audit.rows[0].actor).toMatch(/^cli:/);
  });

  it('tokens create prints a token once that works as a bearer token; revoke ends it', async () => {
    const created = await callqa(['tokens', 'create', 'ops']);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^cqa_[A-Za-z0-9_-]{43}$/);
    const me = () =>
      app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } });
    expect((await me()).json()).toMatchObject({ username: 'ops', role: 'admin' });
    const listed = await callqa(['tokens', 'list', 'ops']);
    expect(listed.stdout).toMatch(/^1\tops\t\S+\tlast used /);
    expect(listed.stdout).not.toContain(token);
    expect((await callqa(['tokens', 'revoke', '1'])).code).toBe(0);
    clock += ACTOR_CACHE_MS + 1;
    expect((await me()).statusCode).toBe(401);
    expect((await callqa(['tokens', 'revoke', '1'])).stderr).toMatch(/token_not_found/);
    expect((await callqa(['tokens', 'create', 'sup'])).stderr).toMatch(/user_disabled/);
  });

  it('commands that change data leave an audit row naming the operator', async () => {
    const calls = join(dataDir, 'calls.csv');
    await writeFile(
      calls,
      'call_id,agent_id,team,started_at,duration_s,direction\n' +
        'cli-1,A1,T1,2026-10-08T09:00:00+08:00,10,inbound\n' +
        'cli-2,A1,T1,2026-10-09T09:00:00+08:00,400,inbound\n',
    );
    const outcomes = join(dataDir, 'outcomes.csv');
    await writeFile(outcomes, 'call_id,score,passed\ncli-1,90,true\n');
    expect((await callqa(['ingest', calls])).code).toBe(0);
    expect((await callqa(['scores', 'outcomes', outcomes])).code).toBe(0);
    expect(
      (await callqa(['sample', '--month', '2026-10', '--through', '2026-11-01T00:00:00+08:00'])).code,
    ).toBe(0);
    const { rows } = await db.pool.query(
      `select actor, action, target, after from audit_log
       where action in ('calls_ingested', 'qa_outcomes_recorded', 'sampling_run_created') order by audit_id`,
    );
    expect(rows).toEqual([
      expect.objectContaining({
        action: 'calls_ingested',
        target: `file:${calls}`,
        after: { inserted: 2, updated: 0, unchanged: 0, rejected: 0 },
      }),
      expect.objectContaining({
        action: 'qa_outcomes_recorded',
        after: { stored: 1, rows: [{ callId: 'cli-1', score: 90, passed: true }] },
      }),
      expect.objectContaining({ action: 'sampling_run_created', target: 'run:1' }),
    ]);
    expect(rows.every((r) => r.actor.startsWith('cli:'))).toBe(true);
  });
});
