import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserToken } from '../helpers/auth.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { runCli, type CliRun } from '../helpers/cli.ts';

let db: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), 'callqa-plan-cli-'));
  await createUserToken(db.pool, 'qa', { username: 'qa1' });
  await createUserToken(db.pool, 'qa', { username: 'qa2' });
  await createUserToken(db.pool, 'agent', { username: 'ag', agentId: 'A1' });
});
afterAll(async () => {
  await db.drop();
});

function callqa(args: string[]): Promise<CliRun> {
  return runCli({ databaseUrl: db.url, dataDir: dataDir }, args);
}

describe('callqa plan', () => {
  it('sets a month plan as cli:<os user>, shows it, and refuses a reviewer who may not review', async () => {
    const set = await callqa([
      'plan',
      'set',
      '--month',
      '2026-10',
      '--reviewer',
      'qa1:200',
      '--reviewer',
      'qa2:150',
    ]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('qa1\t200\t0\t0');
    const audit = await db.pool.query(`select actor from audit_log where action = 'qa_plan_set'`);
    expect(audit.rows[0].actor).toMatch(/^cli:/);
    const show = await callqa(['plan', 'show', '--month', '2026-10']);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('qa2\t150');
    const refused = await callqa(['plan', 'set', '--month', '2026-10', '--reviewer', 'ag:5']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('plan_invalid');
    expect((await callqa(['plan', 'show', '--month', '2026-02'])).code).toBe(1);
    expect((await callqa(['plan', 'set', '--month', '2026-13', '--reviewer', 'qa1:1'])).code).toBe(2);
  });
});
