import { parseArgs } from 'node:util';
import { withTransaction } from '../../../models/db.ts';
import { ApiError } from '../../api-error.ts';
import { MONTH, planBody, type PlanProgress } from '../../contracts/review.ts';
import { planProgress, setPlan } from '../../services/plan-service.ts';
import { cliActor, EXIT, UsageError, withDatabase } from '../context.ts';

const USAGE = `usage: callqa plan set --month YYYY-MM --reviewer USER:QUOTA [--reviewer USER:QUOTA …]
       callqa plan show --month YYYY-MM`;

/** A month's QA plan (质检计划) from the operator's seat: the same service as PUT /review/plans/:month. */
export async function planCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { month: { type: 'string' }, reviewer: { type: 'string', multiple: true } },
  });
  const [action, ...rest] = positionals;
  const month = values.month;
  if (rest.length > 0 || !month || !MONTH.test(month)) throw new UsageError(USAGE);
  if (action === 'show') {
    return withDatabase(async ({ database, out }) => {
      const plan = await planProgress(database.pool, month);
      if (!plan) {
        process.stderr.write(`there is no QA plan for ${month} [plan_not_found]\n`);
        return EXIT.failed;
      }
      printPlan(plan, out);
      return EXIT.ok;
    });
  }
  if (action !== 'set' || !values.reviewer?.length) throw new UsageError(USAGE);
  const reviewers = values.reviewer.map((spec) => {
    const match = /^(.+):(\d{1,6})$/.exec(spec);
    if (!match) throw new UsageError(`--reviewer ${spec}: expected USER:QUOTA\n${USAGE}`);
    return { username: match[1], quota: Number(match[2]) };
  });
  const body = planBody.safeParse({ reviewers });
  if (!body.success) throw new UsageError(`${body.error.issues[0].message}\n${USAGE}`);
  return withDatabase(async ({ database, out }) => {
    try {
      const plan = await withTransaction(database.pool, (tx) =>
        setPlan({ audit: cliActor(), tx }, month, body.data),
      );
      printPlan(plan, out);
      return EXIT.ok;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      process.stderr.write(`${error.message} [${error.code}]\n`);
      return EXIT.failed;
    }
  });
}

function printPlan(plan: PlanProgress, out: (line?: string) => void) {
  out(`QA plan ${plan.month} (set by ${plan.createdBy} at ${plan.createdAt})`);
  out('reviewer\tquota\tassigned\treviewed');
  for (const r of plan.reviewers) out(`${r.username}\t${r.quota}\t${r.assigned}\t${r.reviewed}`);
  const t = plan.totals;
  out(`sampled ${t.sampled}, scored ${t.scored}, assigned ${t.assigned}, reviewed ${t.reviewed}`);
}
