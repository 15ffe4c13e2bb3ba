import { openBenchDatabase } from './bench-database.ts';
const database = await openBenchDatabase('/tmp/api-perf/full');
const c = await database.pool.connect();
const orig = c.query.bind(c);
(c as any).query = async (q: any, v?: any) => {
  const text = typeof q === 'string' ? q : q.text; const values = typeof q === 'string' ? v : q.values;
  if (!text.startsWith("set")) for (let i = 0; i < 3; i++) await orig(text, values);
  if (text.startsWith("set")) return orig(text);
  const r = await orig(`explain (analyze, buffers) ${text}`, values);
  console.log(r.rows.map((x: any) => x['QUERY PLAN']).join('\n'));
  return orig(text, values);
};
const mod = await import(process.argv[2]);
await mod.run(c);
c.release(); await database.close();
