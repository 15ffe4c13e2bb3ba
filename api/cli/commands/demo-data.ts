import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { CALL_FIELDS } from '../../../models/call-record.ts';
import { isMonth } from '../../../models/input-checks.ts';
import { generateDemoCalls, toCsvLine } from '../../demo/generate-calls.ts';
import { EXIT, UsageError } from '../context.ts';
import { ingestCommand } from './ingest.ts';

export async function demoDataCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      months: { type: 'string', default: defaultMonths().join(',') },
      agents: { type: 'string', default: '50' },
      teams: { type: 'string', default: '5' },
      'calls-per-day': { type: 'string', default: '40' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string', default: 'demo-calls.csv' },
      ingest: { type: 'boolean', default: false },
    },
  });
  const months = values.months.split(',').map((m) => m.trim());
  if (!months.every(isMonth)) throw new UsageError('--months takes YYYY-MM[,YYYY-MM…] (2000-01 to 2100-12)');
  const options = {
    months,
    agents: positiveInt(values.agents, '--agents'),
    teams: positiveInt(values.teams, '--teams'),
    callsPerDay: positiveInt(values['calls-per-day'], '--calls-per-day'),
    seed: positiveInt(values.seed, '--seed'),
    until: new Date(),
  };
  const count = await writeDemoCsv(values.out, options);
  process.stdout.write(
    `wrote ${count} calls for ${options.agents} agents in ${options.teams} teams (${months.join(', ')}) to ${values.out}\n`,
  );
  return values.ingest ? ingestCommand([values.out]) : EXIT.ok;
}

export async function writeDemoCsv(
  path: string,
  options: Parameters<typeof generateDemoCalls>[0],
): Promise<number> {
  const stream = createWriteStream(path);
  stream.write(CALL_FIELDS.join(',') + '\n');
  let count = 0;
  let buffer: string[] = [];
  for (const call of generateDemoCalls(options)) {
    buffer.push(toCsvLine(call));
    count += 1;
    if (buffer.length === 5000) {
      if (!stream.write(buffer.join('\n') + '\n')) await once(stream, 'drain');
      buffer = [];
    }
  }
  stream.end(buffer.length > 0 ? buffer.join('\n') + '\n' : '');
  await once(stream, 'finish');
  return count;
}

/** The previous and the current month: enough for quotas that look at last month. */
function defaultMonths(): string[] {
  const now = new Date();
  const previous = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return [previous, now].map((d) => d.toISOString().slice(0, 7));
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`${flag} takes a positive whole number, not "${text}"`);
  return n;
}
