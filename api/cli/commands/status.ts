import { parseArgs } from 'node:util';
import { pipelineCounts, failedCalls } from '../../../models/pipeline-repository.ts';
import { retryFailed } from '../../../models/pipeline-repository.ts';
import { EXIT, withDatabase } from '../context.ts';

/** `callqa status`: where sampled calls are in the pipeline, and why failed ones failed. `--retry` re-queues them. */
export async function statusCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { retry: { type: 'boolean', default: false }, limit: { type: 'string', default: '50' } },
  });
  return withDatabase(async ({ database, out }) => {
    if (values.retry) {
      const n = await retryFailed(database.pool, positionals.length > 0 ? positionals : 'all');
      out(`${n} failed calls put back to pending; a running API or worker picks them up within seconds`);
      return EXIT.ok;
    }
    const counts = await pipelineCounts(database.pool);
    out(
      Object.entries(counts)
        .map(([state, n]) => `${state} ${n}`)
        .join('  ') || 'no sampled calls in the pipeline yet',
    );
    for (const f of await failedCalls(database.pool, Number(values.limit))) {
      out(
        `  failed ${f.callId} at ${f.stage ?? '?'} [${f.code}] after ${f.attempts} attempt(s): ${f.reason}`,
      );
    }
    return EXIT.ok;
  });
}
