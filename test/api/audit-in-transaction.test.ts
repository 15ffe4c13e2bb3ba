import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { upsertCalls } from '../../models/call-repository.ts';
import { asAdmin } from '../helpers/auth.ts';
import { buildCall } from '../helpers/builders.ts';
import { testConfig } from '../helpers/config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

/**
 * A change and its audit row commit together: when the audit row cannot be
 * written, the change is not made either (a sampling run, a manual pick).
 * The failure is real: a trigger on audit_log refuses one action.
 */

let db: TestDatabase;
let app: FastifyInstance;

const count = async (sql: string) => (await db.pool.query<{ n: number }>(sql)).rows[0].n;

async function refuseAudit(action: string | null): Promise<void> {
  await db.pool.query(`
    create or replace function refuse_audit_for_test() returns trigger language plpgsql as $$
    begin
      if new.action = ${action === null ? 'null' : `'${action}'`} then raise exception 'audit refused by the test'; end if;
      return new;
    end $$`);
}

beforeAll(async () => {
  db = await createTestDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'callqa-audit-tx-'));
  app = await asAdmin(await buildApp({ pool: db.pool, config: testConfig(db.url, dir) }), db.pool);
  await upsertCalls(
    db.pool,
    Array.from({ length: 12 }, (_, i) =>
      buildCall({
        callId: `at-${i}`,
        agentId: 'AT1',
        durationS: i % 2 === 0 ? 10 : 120,
        startedAt: new Date(Date.UTC(2026, 9, 2 + i, 2)),
      }),
    ),
  );
  await refuseAudit(null);
  await db.pool.query(`create trigger refuse_audit_for_test before insert on audit_log
                       for each row execute function refuse_audit_for_test()`);
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

describe('audit rows in the same transaction as the change', () => {
  it('POST /sampling/runs: no run without its audit row, and the row carries the run', async () => {
    await refuseAudit('sampling_run_created');
    const refused = await app.inject({
      method: 'POST',
      url: '/sampling/runs',
      payload: { month: '2026-10' },
    });
    expect(refused.statusCode).toBe(500);
    expect(await count(`select count(*)::int as n from sampling_runs`)).toBe(0);
    expect(await count(`select count(*)::int as n from sample_items`)).toBe(0);

    await refuseAudit(null);
    const made = await app.inject({ method: 'POST', url: '/sampling/runs', payload: { month: '2026-10' } });
    expect(made.statusCode).toBe(201);
    const { rows } = await db.pool.query(
      `select target, after from audit_log where action = 'sampling_run_created'`,
    );
    expect(rows).toEqual([
      {
        target: `run:${made.json().runId}`,
        after: expect.objectContaining({ month: '2026-10', selected: made.json().selected }),
      },
    ]);
  });

  it('POST /sampling/items: no manual pick without its audit row', async () => {
    const { rows } = await db.pool.query<{ call_id: string }>(
      `select call_id from calls where call_id not in (select call_id from sample_items) order by call_id limit 1`,
    );
    const callId = rows[0].call_id;
    await refuseAudit('manual_pick_added');
    const refused = await app.inject({ method: 'POST', url: '/sampling/items', payload: { callId } });
    expect(refused.statusCode).toBe(500);
    expect(await count(`select count(*)::int as n from sample_items where call_id = '${callId}'`)).toBe(0);

    await refuseAudit(null);
    const made = await app.inject({ method: 'POST', url: '/sampling/items', payload: { callId } });
    expect(made.statusCode).toBe(201);
    expect(
      await count(
        `select count(*)::int as n from audit_log where action = 'manual_pick_added' and target = 'call:${callId}'`,
      ),
    ).toBe(1);
  });
});
