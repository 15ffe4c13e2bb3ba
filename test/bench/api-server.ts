/**
 * The API as `npm start` serves it (api/main.ts: config from the environment,
 * the database, buildApp, listen), without the daily sampler and the
 * in-process jobs: bench:api runs it in its own process so the server's CPU
 * time and memory can be read apart from the load generator's. Prints
 * `listening <url>` on stdout once it accepts connections; SIGTERM closes it.
 */
import { buildApp } from '../../api/app.ts';
import { loadConfig } from '../../models/config.ts';
import { openDatabase } from '../../models/database.ts';

const config = loadConfig();
const database = await openDatabase(config);
const app = await buildApp({ pool: database.pool, config });
const url = await app.listen({ host: config.host, port: config.port });
process.stdout.write(`listening ${url}\n`);

process.once('SIGTERM', () => {
  void (async () => {
    await app.close();
    await database.close();
    process.exit(0);
  })();
});
