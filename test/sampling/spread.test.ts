import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayRun } from '../../sampling/replay-run.ts';
import { runSampling } from '../../sampling/run-sampling.ts';
import { seedToBigint } from '../../sampling/seed.ts';
import { buildSamplingParams } from '../helpers/builders.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

/**
 * A month of daily runs, simulated over fixed seeds on a real PostgreSQL:
 * February 2027 (28 days, Shanghai) after a 31-day January, with the issue's
 * two cases: 100 agents of quota 1 (about 70 calls a month) and 10 of quota
 * 10 (about 1000). Daily volumes follow a working week, so "uniform" is
 * checked against the calls, not the calendar; a tenth of the busy agents'
 * calls are short (sampled for that reason, never in the random draw). Each
 * agent's picks are an independent draw (its own call ids are hashed), so
 * SEEDS × 110 agents gives that many agent-months.
 */
const SEEDS = 6;
const DAYS = 28;
const FEB_START = Date.parse('2027-01-31T16:00:00Z');
const JAN_START = Date.parse('2026-12-31T16:00:00Z');
const params = buildSamplingParams();
// chi-square critical value for 27 degrees of freedom at p = 0.001
const CHI2_27_P001 = 55.48;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await db.pool.query(
    `insert into agents (agent_id, agent_name)
     select 'Q1-' || lpad(a::text, 3, '0'), 'Q1 ' || a from generate_series(1, 100) a
     union all
     select 'Q10-' || lpad(a::text, 2, '0'), 'Q10 ' || a from generate_series(1, 10) a`,
  );
  // per agent and day: a weekday volume (weekends a third of it), calls spread over working hours
  await db.pool.query(
    `insert into calls (call_id, agent_id, started_at, duration_s, direction)
     select m.tag || '-' || a.agent_id || '-' || d || '-' || i, a.agent_id,
            m.start + (d * 86400 + 3600 + (i + 0.5) * 32400 / n.calls) * interval '1 second',
            case when i % 10 = 3 then 5 else 120 end, 'inbound'
     from agents a
     cross join (values ('jan', $1::timestamptz, 31), ('feb', $2::timestamptz, $3::int)) m(tag, start, days)
     cross join generate_series(0, m.days - 1) d
     cross join lateral (select (case when a.agent_id like 'Q10-%' then 40 else 3 end)
                                / (case when extract(isodow from (m.start + d * interval '1 day') at time zone 'Asia/Shanghai') >= 6 then 3 else 1 end)
                                as calls) n
     cross join generate_series(0, n.calls - 1) i`,
    [new Date(JAN_START), new Date(FEB_START), DAYS],
  );
  await db.pool.query('analyze calls');
}, 60_000);
afterAll(() => db?.drop());

interface Simulated {
  runIds: number[];
  /** picks per group and day of month (0-based), and what uniform over the calls predicts */
  observed: Record<string, number[]>;
  expected: Record<string, number[]>;
  revealedBeforeMonthEnd: Record<string, number>;
  agents: AgentOutcome[];
}

interface AgentOutcome {
  agentId: string;
  quota: number;
  picks: number;
  /** Highest rank, in the seeded hash order of the agent's eligible calls, among its picks. */
  maxRank: number;
  day1: boolean;
}

async function simulateMonth(seed: string): Promise<Simulated> {
  await db.pool.query('truncate sample_items, sampling_run_agents, sampling_runs');
  const runIds: number[] = [];
  const revealedBeforeMonthEnd: Record<string, number> = { 'Q1-': 0, 'Q10-': 0 };
  for (let day = 1; day <= DAYS; day++) {
    const through = new Date(FEB_START + day * 86400_000);
    const run = await runSampling(db.pool, params, { month: '2027-02', through, seed, kind: 'scheduled' });
    runIds.push(run.runId);
    if (day < DAYS) {
      const { rows } = await db.pool.query(
        `select split_part(agent_id, '-', 1) || '-' as g, count(*)::int as n from sample_items
         where run_id = $1 and reason = 'random_quota' group by 1`,
        [run.runId],
      );
      for (const r of rows) revealedBeforeMonthEnd[r.g] += r.n;
    }
  }
  const eligible = `c.started_at >= $1 and c.duration_s between 20 and 300`;
  const byDay = await db.pool.query(
    `with picks as (
       select s.agent_id, c.started_at from sample_items s join calls c using (call_id)
       where s.reason = 'random_quota'
     ),
     per_agent as (select agent_id, count(*) as n from picks group by agent_id),
     calls_by_day as (
       select c.agent_id, floor(extract(epoch from c.started_at - $1) / 86400)::int as day, count(*) as n,
              sum(count(*)) over (partition by c.agent_id) as month_n
       from calls c where ${eligible} group by 1, 2
     ),
     expected as (
       select split_part(d.agent_id, '-', 1) || '-' as g, d.day, sum(p.n * d.n / d.month_n)::float8 as expected
       from calls_by_day d join per_agent p using (agent_id) group by 1, 2
     ),
     observed as (
       select split_part(agent_id, '-', 1) || '-' as g, floor(extract(epoch from started_at - $1) / 86400)::int as day,
              count(*)::int as observed
       from picks group by 1, 2
     )
     select e.g, e.day, e.expected, coalesce(o.observed, 0) as observed
     from expected e left join observed o using (g, day) order by 1, 2`,
    [new Date(FEB_START)],
  );
  const observed: Record<string, number[]> = { 'Q1-': [], 'Q10-': [] };
  const expected: Record<string, number[]> = { 'Q1-': [], 'Q10-': [] };
  for (const r of byDay.rows) {
    observed[r.g][r.day] = r.observed;
    expected[r.g][r.day] = r.expected;
  }
  const agents = await db.pool.query(
    `with ranked as (
       select c.call_id, c.agent_id,
              row_number() over (partition by c.agent_id order by hashtextextended(c.call_id, $2::bigint), c.call_id) as rank
       from calls c where ${eligible}
     )
     select r.agent_id, q.quota, count(*)::int as picks, max(r.rank)::int as max_rank,
            bool_or(c.started_at < $1 + interval '1 day') as day1
     from sample_items s join ranked r using (call_id) join calls c using (call_id)
     join sampling_run_agents q on q.run_id = $3 and q.agent_id = r.agent_id
     where s.reason = 'random_quota'
     group by r.agent_id, q.quota order by r.agent_id`,
    [new Date(FEB_START), seedToBigint(seed), runIds.at(-1)],
  );
  return {
    runIds,
    observed,
    expected,
    revealedBeforeMonthEnd,
    agents: agents.rows.map((r) => ({
      agentId: r.agent_id,
      quota: r.quota,
      picks: r.picks,
      maxRank: r.max_rank,
      day1: r.day1,
    })),
  };
}

function chiSquare(observed: number[], expected: number[]): number {
  return expected.reduce((sum, e, day) => sum + ((observed[day] ?? 0) - e) ** 2 / e, 0);
}

describe('daily sampling spreads the random quota over the month', () => {
  const months: Simulated[] = [];

  beforeAll(async () => {
    for (let s = 0; s < SEEDS; s++) months.push(await simulateMonth(`spread-${s}`));
  }, 120_000);

  it('gives every eligible call the same chance: day-of-month picks follow the calls (chi-square)', () => {
    for (const group of ['Q1-', 'Q10-']) {
      const observed = Array.from({ length: DAYS }, (_, d) =>
        months.reduce((sum, m) => sum + (m.observed[group][d] ?? 0), 0),
      );
      const expected = Array.from({ length: DAYS }, (_, d) =>
        months.reduce((sum, m) => sum + (m.expected[group][d] ?? 0), 0),
      );
      expect(expected.every((e) => e >= 5)).toBe(true);
      expect(chiSquare(observed, expected), `${group} picks per day ${observed.join(' ')}`).toBeLessThan(
        CHI2_27_P001,
      );
    }
  });

  it('meets every quota, and a month of daily runs ends with the lowest seeded hashes of the whole month', () => {
    const all = months.flatMap((m) => m.agents);
    expect(all).toHaveLength(SEEDS * 110);
    for (const a of all) {
      expect(a.quota).toBe(a.agentId.startsWith('Q10-') ? 10 : 1);
      expect(a.picks).toBeGreaterThanOrEqual(a.quota);
      // a prefix of the month's hash order: exactly what one month-end run picks, or a superset of it
      expect(a.maxRank).toBe(a.picks);
    }
    // over quota only when more calls than the quota fell under the cut-off: documented as about 1 in 20
    const over = all.filter((a) => a.picks > a.quota);
    expect(over.length / all.length).toBeLessThan(0.1);
    expect(Math.max(...all.map((a) => a.picks - a.quota))).toBeLessThanOrEqual(3);
  });

  it('no longer gives the first day every pick (quota 1, 28 daily runs)', () => {
    for (const m of months) {
      const q1 = m.agents.filter((a) => a.agentId.startsWith('Q1-'));
      expect(q1).toHaveLength(100);
      // the 1st holds 3 of an agent's 68 calls: about 5 of the 100 picks, where ceil() gave all 100
      expect(q1.filter((a) => a.day1).length).toBeLessThanOrEqual(12);
      expect(m.observed['Q1-'].filter((n) => n > 0).length).toBeGreaterThanOrEqual(20);
    }
  });

  it('can pick calls on the last day of the month (quota 10)', () => {
    const lastDay = months.reduce((sum, m) => sum + (m.observed['Q10-'][DAYS - 1] ?? 0), 0);
    const expected = months.reduce((sum, m) => sum + m.expected['Q10-'][DAYS - 1], 0);
    expect(lastDay).toBeGreaterThan(expected / 2);
  });

  it('still sends most of the quota-10 picks day by day, not all at month end', () => {
    const revealed = months.reduce((sum, m) => sum + m.revealedBeforeMonthEnd['Q10-'], 0);
    const total = months.reduce((sum, m) => sum + m.observed['Q10-'].reduce((a, b) => a + (b ?? 0), 0), 0);
    expect(revealed / total).toBeGreaterThan(0.5);
  });

  it('replays every daily run of the month and gets the same picks and cut-offs', async () => {
    const last = months.at(-1)!;
    for (const runId of last.runIds) {
      const report = await replayRun(db.pool, runId);
      expect(report, `run ${runId}`).toMatchObject({ matches: true, differences: [], quotaMismatches: [] });
    }
  });
});
