import { parseArgs } from 'node:util';
import { samplingParamsFrom } from '../../../sampling/params.ts';
import { replayRun } from '../../../sampling/replay-run.ts';
import { runSampling } from '../../../sampling/run-sampling.ts';
import { getRun, listRuns } from '../../../sampling/run-repository.ts';
import { cliActor, EXIT, UsageError, withDatabase, type CliContext } from '../context.ts';
import { auditRunCreated } from '../../services/sampling-service.ts';

const USAGE = `usage:
  callqa sample --month YYYY-MM [--through ISO-TIME] [--seed TEXT]   run the sampler
  callqa sample list                                                  recent runs
  callqa sample show <run-id> [--agent ID]                            what a run picked and why
  callqa sample replay <run-id>                                       prove a run's sample`;

export async function sampleCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      month: { type: 'string' },
      through: { type: 'string' },
      seed: { type: 'string' },
      agent: { type: 'string' },
    },
  });
  const [action, id] = positionals;
  if (action === 'list') return withDatabase(list);
  if (action === 'show') return withDatabase((ctx) => show(ctx, runId(id), values.agent));
  if (action === 'replay') return withDatabase((ctx) => replay(ctx, runId(id)));
  if (action !== undefined || !values.month) throw new UsageError(USAGE);
  const through = values.through ? new Date(values.through) : undefined;
  if (through && Number.isNaN(through.getTime()))
    throw new UsageError(`--through "${values.through}" is not a date`);
  const month = values.month;
  return withDatabase(async ({ config, database, out }) => {
    const run = await runSampling(database.pool, samplingParamsFrom(config), {
      month,
      through,
      seed: values.seed,
      kind: 'on_demand',
      beforeCommit: (tx, runId) =>
        auditRunCreated(tx, cliActor(), runId, {
          month,
          through: values.through ?? null,
          seed: values.seed ?? null,
        }),
    });
    out(
      `run ${run.runId}: ${month} through ${run.through.toISOString()} (seed "${run.seed}") in ${(run.elapsedMs / 1000).toFixed(1)} s`,
    );
    out(`  ${run.agents} agents, ${run.selected} calls selected`);
    for (const [reason, n] of Object.entries(run.byReason)) out(`  ${reason.padEnd(16)} ${n}`);
    out(`see: callqa sample show ${run.runId}`);
    return EXIT.ok;
  });
}

async function list({ database, out }: CliContext): Promise<number> {
  for (const r of await listRuns(database.pool, 50)) {
    out(
      `${String(r.runId).padStart(6)}  ${r.month.slice(0, 7)}  through ${r.through.toISOString()}  ${r.kind.padEnd(9)}  ${r.selected} selected`,
    );
  }
  return EXIT.ok;
}

async function show({ database, out }: CliContext, id: number, agent?: string): Promise<number> {
  const run = await getRun(database.pool, id, { agent, itemLimit: agent ? 10_000 : 200 });
  if (!run) {
    out(`run ${id} does not exist`);
    return EXIT.failed;
  }
  out(
    `run ${run.runId} (${run.kind}) for ${run.month.slice(0, 7)} through ${run.through.toISOString()}, seed "${run.seed}"`,
  );
  out('agent       mode        prev  month  score  quota  target  picked');
  for (const a of run.agents ?? []) {
    const picked = Object.entries(a.picked)
      .map(([k, v]) => `${k}:${v}`)
      .join(' ');
    out(
      `${a.agentId.padEnd(10)}  ${a.mode.padEnd(10)}  ${String(a.prevMonthCalls).padStart(4)}  ${String(a.monthCalls).padStart(5)}  ` +
        `${String(a.lastScore ?? '-').padStart(5)}  ${String(a.quota).padStart(5)}  ${String(a.randomTarget).padStart(6)}  ${picked}`,
    );
  }
  out('');
  for (const item of run.items) {
    out(
      `${item.callId}  ${item.agentId}  ${item.startedAt.toISOString()}  ${String(item.durationS).padStart(7)} s  ${item.reason}  ${item.detail ? JSON.stringify(item.detail) : ''}`,
    );
  }
  if (run.itemsTruncated)
    out(`… showing ${run.items.length} of ${run.selected}; use --agent ID for one agent's picks`);
  return EXIT.ok;
}

async function replay({ database, out }: CliContext, id: number): Promise<number> {
  const report = await replayRun(database.pool, id);
  out(
    `run ${id}: stored ${report.stored} picks, replay decided ${report.replayed}: ${report.matches ? 'MATCHES' : 'DIFFERS'}`,
  );
  for (const d of report.differences)
    out(`  ${d.callId}: stored ${d.stored ?? '-'}, replayed ${d.replayed ?? '-'}`);
  if (report.quotaMismatches.length > 0) out(`  quotas differ for: ${report.quotaMismatches.join(', ')}`);
  return report.matches ? EXIT.ok : EXIT.failed;
}

function runId(text: string | undefined): number {
  const n = Number(text);
  if (!text || !Number.isInteger(n) || n <= 0) throw new UsageError(USAGE);
  return n;
}
