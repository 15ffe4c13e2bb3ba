import { readFile } from 'node:fs/promises';
import { openBenchDatabase } from './bench-database.ts';

const database = await openBenchDatabase('/tmp/api-perf/full');
const client = await database.pool.connect();
const pid = (await client.query('select pg_backend_pid() as p')).rows[0].p;
async function cpu() {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}
const probes = (await import(process.argv[2])).probes as Array<{ label: string; run: (c: typeof client, i: number) => Promise<unknown> }>;
for (const p of probes) {
  const n = Number(process.argv[3] ?? 1000);
  for (let i = 0; i < 20; i++) await p.run(client, i);
  const before = await cpu();
  const t = performance.now();
  for (let i = 0; i < n; i++) await p.run(client, i);
  const wall = performance.now() - t;
  console.log(`${p.label}: backend CPU ${(((await cpu()) - before) / n).toFixed(3)} ms, wall ${(wall / n).toFixed(3)} ms`);
}
client.release();
await database.close();
