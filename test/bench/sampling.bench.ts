/**
 * npm run bench:sampling [-- --calls 2000000 --agents 5000 --month 2026-10 --ingest csv|sql]
 *
 * Ingests a synthetic month through the real CSV ingest (or, with --ingest sql,
 * generates it inside PostgreSQL to reach 10M calls quickly), plus a previous
 * month generated in SQL for the quotas, then times a full-month sampling run.
 * Uses DATABASE_URL if set, else a throwaway embedded PostgreSQL.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ingestFile } from '../../api/ingest/ingest-file.ts';
import { writeDemoCsv } from '../../api/cli/commands/demo-data.ts';
import { runSampling } from '../../sampling/run-sampling.ts';
import { buildSamplingParams } from '../helpers/builders.ts';
import { openBenchDatabase } from './bench-database.ts';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '2000000' },
    agents: { type: 'string', default: '5000' },
    month: { type: 'string', default: '2026-10' },
    ingest: { type: 'string', default: 'csv' },
  },
});
const calls = Number(values.calls);
const agents = Number(values.agents);
const [year, mon] = values.month.split('-').map(Number);
const prevMonth = new Date(Date.UTC(year, mon - 2, 1)).toISOString().slice(0, 7);

const dir = await mkdtemp(join(tmpdir(), 'callqa-bench-'));
const database = await openBenchDatabase(dir);
const pool = database.pool;
// Score history, reviews and the audit log are append-only (even TRUNCATE is refused), so the bench
// never empties a database: it needs a fresh one (the default) or an empty DATABASE_URL.
const { rows: existing } = await pool.query<{ n: number }>('select count(*)::int as n from calls');
if (existing[0].n > 0)
  throw new Error('bench:sampling needs an empty database (unset DATABASE_URL for a throwaway one)');

const params = buildSamplingParams();

const log = (line: string) => process.stdout.write(`${line}\n`);
log(
  `bench:sampling — ${calls.toLocaleString('en')} calls in ${values.month}, ${agents} agents, ingest via ${values.ingest}`,
);

/** A month of calls generated in SQL: log-normal-ish durations, working hours, agents round-robin. */
async function generateInSql(month: string, n: number, prefix: string) {
  await pool.query(
    `insert into teams (team_id, name) select 'T' || t, 'T' || t from generate_series(1, 50) t on conflict do nothing`,
  );
  await pool.query(
    `insert into agents (agent_id, agent_name, team_id)
     select (1000 + a)::text, 'agent ' || a, 'T' || (a % 50 + 1) from generate_series(1, $1) a on conflict do nothing`,
    [agents],
  );
  await pool.query(
    `insert into calls (call_id, agent_id, team_id, started_at, duration_s, direction, agent_channel)
     select $3 || i, (1000 + (i % $2) + 1)::text, 'T' || ((i % $2) % 50 + 1),
            ($1::date::timestamp at time zone 'Asia/Shanghai')
              + (random() * (extract(day from ($1::date + interval '1 month' - interval '1 day'))) * 86400) * interval '1 second',
            round((case when random() < 0.05 then 2 + random() * 17 else exp(ln(100) + 0.75 * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())) end)::numeric, 1),
            'inbound', 'left'
     from generate_series(1, $4) i`,
    [`${month}-01`, agents, prefix, n],
  );
}

let t = performance.now();
await generateInSql(prevMonth, calls, 'P');
log(`previous month (${prevMonth}) generated in SQL: ${((performance.now() - t) / 1000).toFixed(1)} s`);

let ingestRate = 0;
if (values.ingest === 'csv') {
  const csv = join(dir, 'month.csv');
  t = performance.now();
  const callsPerDay = Math.max(1, Math.round(calls / (agents * 19)));
  const written = await writeDemoCsv(csv, {
    months: [values.month],
    agents,
    teams: 50,
    callsPerDay,
    seed: 7,
  });
  log(
    `CSV of ${written.toLocaleString('en')} calls written in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  t = performance.now();
  const summary = await ingestFile(pool, csv, { recordingRoots: [dir], now: new Date('2100-01-01') });
  const seconds = (performance.now() - t) / 1000;
  ingestRate = summary.inserted / seconds;
  log(
    `ingest: ${summary.inserted.toLocaleString('en')} calls in ${seconds.toFixed(1)} s = ${Math.round(ingestRate).toLocaleString('en')} calls/s (rejected ${summary.rejected.length})`,
  );
} else {
  t = performance.now();
  await generateInSql(values.month, calls, 'C');
  log(`month generated in SQL: ${((performance.now() - t) / 1000).toFixed(1)} s (ingest not measured)`);
}
t = performance.now();
await pool.query('vacuum analyze calls');
log(`vacuum analyze: ${((performance.now() - t) / 1000).toFixed(1)} s`);

const [y2, m2] = [year, mon];
const monthEnd = new Date(Date.UTC(y2, m2, 1) - 8 * 3600_000);
t = performance.now();
const run = await runSampling(pool, params, { month: values.month, through: monthEnd });
const sampleSeconds = (performance.now() - t) / 1000;
log(
  `sampling: ${sampleSeconds.toFixed(2)} s — ${run.selected.toLocaleString('en')} selected for ${run.agents} agents ${JSON.stringify(run.byReason)}`,
);
t = performance.now();
const rerun = await runSampling(pool, params, { month: values.month, through: monthEnd });
log(
  `incremental re-run (nothing new): ${((performance.now() - t) / 1000).toFixed(2)} s, selected ${rerun.selected}`,
);

await database.close();
if (!process.env.KEEP) await rm(dir, { recursive: true, force: true });
log(
  `RESULT calls=${calls} agents=${agents} ingest_calls_per_s=${Math.round(ingestRate)} sampling_s=${sampleSeconds.toFixed(2)}`,
);
