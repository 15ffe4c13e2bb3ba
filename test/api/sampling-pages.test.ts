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

/** Paging and filtering a run's picks (GET /sampling/runs/:id) and the list of runs (GET /sampling/runs). */

let db: TestDatabase;
let app: FastifyInstance;
let runId: number;
let byReason: Record<string, number>;
const AGENTS = ['P1', 'P2', 'P3'];

beforeAll(async () => {
  db = await createTestDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'callqa-pages-'));
  app = await asAdmin(await buildApp({ pool: db.pool, config: testConfig(db.url, dir) }), db.pool);
  // 3 agents × 90 calls: every short (10 s) and long (600 s) call is picked, so the run holds well over a page.
  await upsertCalls(
    db.pool,
    Array.from({ length: 270 }, (_, i) =>
      buildCall({
        callId: `pg-${String(i).padStart(3, '0')}`,
        agentId: AGENTS[i % 3],
        durationS: i % 2 === 0 ? 10 : 600,
        startedAt: new Date(Date.UTC(2026, 9, 1 + (i % 28), 2)),
      }),
    ),
  );
  const run = await app.inject({
    method: 'POST',
    url: '/sampling/runs',
    payload: { month: '2026-10', through: '2026-11-01T00:00:00+08:00' },
  });
  ({ runId, byReason } = run.json());
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

async function walk(query: string): Promise<{ callIds: string[]; pages: number; totals: unknown }> {
  const callIds: string[] = [];
  let after: string | null = null;
  let pages = 0;
  let totals: unknown;
  do {
    const cursor: string = after === null ? '' : `&after=${encodeURIComponent(after)}`;
    const response = await app.inject({ method: 'GET', url: `/sampling/runs/${runId}?${query}${cursor}` });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    callIds.push(...body.items.map((i: { callId: string }) => i.callId));
    after = body.nextCursor;
    totals = body.totals;
    pages += 1;
  } while (after !== null && pages < 100);
  return { callIds, pages, totals };
}

describe('GET /sampling/runs/:id pages', () => {
  it('walks every pick exactly once, in (agent, call id) order, and reports totals per reason', async () => {
    const { callIds, pages, totals } = await walk('limit=50');
    const { rows } = await db.pool.query(`select call_id from sample_items where run_id = $1`, [runId]);
    expect(rows.length).toBe(270);
    expect(new Set(callIds).size).toBe(callIds.length);
    expect([...callIds].sort()).toEqual(rows.map((r) => r.call_id).sort());
    expect(pages).toBe(Math.ceil(270 / 50));
    expect(totals).toEqual(byReason);
  });

  it('answers 100 picks by default, with the run header and agents', async () => {
    const body = (await app.inject({ method: 'GET', url: `/sampling/runs/${runId}` })).json();
    expect(body.items).toHaveLength(100);
    expect(body.nextCursor).toBe(body.items[99].callId);
    expect(body).toMatchObject({ runId, selected: 270 });
    expect(body.agents.map((a: { agentId: string }) => a.agentId)).toEqual(AGENTS);
    expect(body.items[0]).toMatchObject({ agentId: 'P1', startedAt: expect.stringMatching(/^2026-10-/) });
    expect(Object.keys(body.items[0]).sort()).toEqual(
      ['agentId', 'callId', 'detail', 'durationS', 'reason', 'startedAt'].sort(),
    );
  });

  it('filters by agent and by reason, and pages within the filter', async () => {
    const p2 = await walk('agent=P2&limit=7');
    expect(p2.callIds).toHaveLength(90);
    const { rows } = await db.pool.query(`select call_id from sample_items where agent_id = 'P2'`);
    expect([...p2.callIds].sort()).toEqual(rows.map((r) => r.call_id).sort());
    expect(p2.totals).toEqual({ short_call: 45, long_call: 45 });

    const short = await walk('reason=short_call&limit=1000');
    expect(short.pages).toBe(1);
    expect(short.callIds).toHaveLength(byReason.short_call);
    const reasons = (
      await app.inject({ method: 'GET', url: `/sampling/runs/${runId}?reason=long_call&agent=P3` })
    )
      .json()
      .items.map((i: { reason: string; agentId: string }) => `${i.agentId}:${i.reason}`);
    expect(new Set(reasons)).toEqual(new Set(['P3:long_call']));
    expect(reasons).toHaveLength(45);
  });

  it('sends the quota maths per agent on the first page only', async () => {
    const first = (await app.inject({ method: 'GET', url: `/sampling/runs/${runId}?limit=50` })).json();
    expect(first.agents.map((a: { agentId: string }) => a.agentId)).toEqual(AGENTS);
    const next = (
      await app.inject({ method: 'GET', url: `/sampling/runs/${runId}?limit=50&after=${first.nextCursor}` })
    ).json();
    expect(next).not.toHaveProperty('agents');
    expect(next).toMatchObject({ runId, selected: 270, totals: byReason });
    expect(next.items[0].callId > first.items[49].callId || next.items[0].agentId > 'P1').toBe(true);
  });

  it("reads the agents' picks and the totals from counts kept as picks are written, deleted and moved", async () => {
    // What the pages read (sampling_run_pick_counts, migration 011) equals a fresh count of the picks…
    const recount = async () =>
      (
        await db.pool.query(
          `select run_id, agent_id, reason, count(*)::int as picks from sample_items
           group by run_id, agent_id, reason order by 1, 2, 3`,
        )
      ).rows;
    const kept = async () => {
      const { rows: perRun } = await db.pool.query(
        `select run_id, reason, picks from sampling_run_reason_counts order by 1, 2`,
      );
      const { rows: summed } = await db.pool.query(
        `select run_id, reason, sum(picks)::int as picks from sampling_run_pick_counts group by 1, 2 order by 1, 2`,
      );
      expect(perRun).toEqual(summed);
      return (
        await db.pool.query(
          `select run_id::int, agent_id, reason, picks from sampling_run_pick_counts order by 1, 2, 3`,
        )
      ).rows;
    };
    expect(await kept()).toEqual(await recount());
    const body = (await app.inject({ method: 'GET', url: `/sampling/runs/${runId}?agent=P2` })).json();
    expect(body.agents).toEqual([
      expect.objectContaining({ agentId: 'P2', picked: { short_call: 45, long_call: 45 } }),
    ]);

    // …after a pick moves to another reason and agent, and after picks are deleted (what a replay does).
    await db.pool.query(
      `update sample_items set reason = 'manual', agent_id = 'P9' where call_id in ('pg-000', 'pg-003')`,
    );
    expect(await kept()).toEqual(await recount());
    const moved = (await app.inject({ method: 'GET', url: `/sampling/runs/${runId}?agent=P9` })).json();
    expect(moved.agents).toEqual([
      expect.objectContaining({ agentId: 'P9', mode: 'none', picked: { manual: 2 } }),
    ]);
    expect(moved.totals).toEqual({ manual: 2 });
    await db.pool.query(`delete from sample_items where call_id in ('pg-000', 'pg-003', 'pg-006')`);
    expect(await kept()).toEqual(await recount());
    const shown = (await app.inject({ method: 'GET', url: `/sampling/runs/${runId}?agent=P9` })).json();
    expect(shown.agents).toEqual([]);
    expect(shown.totals).toEqual({});
    // Put the picks back as they were for the other tests.
    await db.pool.query(
      `insert into sample_items (call_id, run_id, agent_id, month, reason)
       values ('pg-000', $1, 'P1', '2026-10-01', 'short_call'), ('pg-003', $1, 'P1', '2026-10-01', 'long_call'),
              ('pg-006', $1, 'P1', '2026-10-01', 'short_call')`,
      [runId],
    );
    expect(await kept()).toEqual(await recount());
    const restored = (await app.inject({ method: 'GET', url: `/sampling/runs/${runId}` })).json();
    expect(restored.totals).toEqual(byReason);
  });

  it.each([
    ['limit=0', 'invalid_query'],
    ['limit=1001', 'invalid_query'],
    ['limit=abc', 'invalid_query'],
    ['reason=hunch', 'invalid_query'],
    ['after=no-such-call', 'invalid_cursor'],
  ])('refuses %s with 400 %s', async (query, code) => {
    const response = await app.inject({ method: 'GET', url: `/sampling/runs/${runId}?${query}` });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe(code);
  });
});

describe('GET /sampling/runs pages', () => {
  it('pages the runs newest first with the same limit and cursor', async () => {
    for (let i = 0; i < 2; i += 1) {
      await app.inject({ method: 'POST', url: `/sampling/runs/${runId}/replay` });
      await app.inject({ method: 'POST', url: '/sampling/runs', payload: { month: '2026-09' } });
    }
    // Replays delete and rewrite picks: the kept counts follow.
    const { rows: drift } = await db.pool.query(
      `select run_id, agent_id, reason from sampling_run_pick_counts k
       full join (select run_id, agent_id, reason, count(*)::int as n from sample_items group by 1, 2, 3) s
         using (run_id, agent_id, reason)
       where k.picks is distinct from s.n`,
    );
    expect(drift).toEqual([]);
    const { rows: runDrift } = await db.pool.query(
      `select run_id, reason from sampling_run_reason_counts k
       full join (select run_id, reason, count(*)::int as n from sample_items group by 1, 2) s using (run_id, reason)
       where k.picks is distinct from s.n`,
    );
    expect(runDrift).toEqual([]);
    const first = (await app.inject({ method: 'GET', url: '/sampling/runs?limit=2' })).json();
    expect(first.items).toHaveLength(2);
    const second = (
      await app.inject({ method: 'GET', url: `/sampling/runs?limit=2&after=${first.nextCursor}` })
    ).json();
    const ids = [...first.items, ...second.items].map((r: { runId: number }) => r.runId);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(3);
    expect(second.nextCursor).toBeNull();
    const bad = await app.inject({ method: 'GET', url: '/sampling/runs?limit=5000' });
    expect(bad.json().code).toBe('invalid_query');
  });
});
