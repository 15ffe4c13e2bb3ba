import { parseArgs } from 'node:util';
import { isMonth } from '../../../models/input-checks.ts';
import { runDemo, type DemoRun } from '../../demo/run-demo.ts';
import { demoProgress, scoreDemoCalls, serverIsUp } from '../../demo/score-demo-calls.ts';
import { cliActor, EXIT, UsageError, withDatabase } from '../context.ts';
import { Progress } from '../progress.ts';

const USAGE = `usage: callqa demo [--agents 10] [--teams 3] [--calls-per-day 20] [--seed 1]
                  [--months YYYY-MM,YYYY-MM] [--reset-passwords] [--wait-s 300]`;

/** How often the progress of a running server's pipeline is read. */
const POLL_MS = 1000;

/**
 * `callqa demo`: a small centre's two months, sampled, transcribed, scored,
 * with users for every role and the month's QA plan (api/demo/run-demo.ts).
 */
export async function demoCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      agents: { type: 'string', default: '10' },
      teams: { type: 'string', default: '3' },
      'calls-per-day': { type: 'string', default: '20' },
      seed: { type: 'string', default: '1' },
      months: { type: 'string' },
      'reset-passwords': { type: 'boolean', default: false },
      'wait-s': { type: 'string', default: '300' },
    },
  });
  if (positionals.length > 0) throw new UsageError(USAGE);
  const months = values.months?.split(',').map((m) => m.trim());
  if (months && (months.length !== 2 || !months.every(isMonth)))
    throw new UsageError(`--months takes two months, the sampled one last: 2026-09,2026-10\n${USAGE}`);
  const waitS = count(values['wait-s'], '--wait-s');
  return withDatabase(async ({ config, database, out }) => {
    const started = performance.now();
    const pool = database.pool;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}/app/`;
    const server = await serverIsUp(config);
    const result = await runDemo(
      {
        pool,
        config,
        audit: cliActor(),
        untilScored: async (month) => {
          const progress = new Progress(server ? `scoring (by the server at ${url})` : 'scoring here');
          if (!server) {
            out(`no callqa server answers at ${url}: scoring the demo's calls here`);
            await scoreDemoCalls(pool, config, month, (done, total) =>
              progress.update(done, total, done, 'calls'),
            );
          } else {
            const deadline = Date.now() + waitS * 1000;
            for (;;) {
              const p = await demoProgress(pool, month);
              progress.update(p.scored + p.failed, p.total, p.scored + p.failed, 'calls');
              if (p.scored + p.failed >= p.total || Date.now() > deadline) break;
              await new Promise((resolve) => setTimeout(resolve, POLL_MS));
            }
          }
          progress.finish();
        },
      },
      {
        months,
        agents: count(values.agents, '--agents'),
        teams: count(values.teams, '--teams'),
        callsPerDay: count(values['calls-per-day'], '--calls-per-day'),
        seed: count(values.seed, '--seed'),
        resetPasswords: values['reset-passwords'],
      },
    );
    report(result, url, out);
    out(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return EXIT.ok;
  });
}

function report(r: DemoRun, url: string, out: (line?: string) => void): void {
  const i = r.ingest;
  out(
    `calls: ${i.rows} rows — inserted ${i.inserted}, updated ${i.updated}, unchanged ${i.unchanged}, rejected ${i.rejected.length}`,
  );
  const reasons = Object.entries(r.run.byReason)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  out(`sampled ${r.month}: run ${r.run.runId} picked ${r.run.selected} (${reasons || 'nothing new'})`);
  out(
    `transcripts imported with the picks: ${r.transcribed} (${r.audioCalls.length} demo calls have a recording)`,
  );
  const p = r.progress;
  out(
    `pipeline: ${p.scored} of ${p.total} sampled calls scored, ${p.failed} failed — ${p.needsReview} need review, ${p.notPassed} fail QA`,
  );
  if (p.scored + p.failed < p.total)
    out(`  ${p.total - p.scored - p.failed} still waiting: \`callqa status\` shows where they are`);
  const plan = r.plan.reviewers.map((x) => `${x.username} ${x.assigned}`).join(', ');
  out(`QA plan ${r.month}: ${plan} calls assigned`);
  out('');
  out(`Sign in at ${url}`);
  out(`${'user'.padEnd(17)}${'role'.padEnd(12)}${'password'.padEnd(26)}sees`);
  for (const u of r.users) {
    const password = u.password ?? '(unchanged)';
    out(`${u.username.padEnd(17)}${u.role.padEnd(12)}${password.padEnd(26)}${u.scope}`);
  }
  if (r.users.some((u) => u.password)) out('Passwords are shown this once.');
  if (r.users.some((u) => u.existed && !u.password))
    out('Existing demo users keep their passwords; `callqa demo --reset-passwords` gives them new ones.');
  out(`Calls with a recording: ${r.audioCalls.join(', ')}`);
}

function count(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`${flag} takes a positive whole number, not "${text}"`);
  return n;
}
