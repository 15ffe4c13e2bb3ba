/**
 * A process with one slow shutdown step, for ordered-shutdown.test.ts:
 * prints "ready", then shuts down on SIGINT/SIGTERM as the servers do.
 */
import { shutdownOnSignals } from '../../workers/ordered-shutdown.ts';

const stepMs = Number(process.argv[2] ?? 1500);
shutdownOnSignals(
  [{ name: 'a slow step', run: () => new Promise((resolve) => setTimeout(resolve, stepMs)) }],
  { log: (line) => process.stdout.write(`${line}\n`), forceAfterMs: 30_000 },
);
setInterval(() => {}, 1000);
process.stdout.write('ready\n');
