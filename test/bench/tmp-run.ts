import { openBenchDatabase } from './bench-database.ts';
const database = await openBenchDatabase('/tmp/api-perf/full');
const c = await database.pool.connect();
await (await import(process.argv[2])).run(c);
c.release();
await database.close();
