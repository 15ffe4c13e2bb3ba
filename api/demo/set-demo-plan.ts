import type pg from 'pg';
import { withTransaction } from '../../models/db.ts';
import { setPlan } from '../services/plan-service.ts';
import type { AuditActor } from '../services/service-context.ts';

/**
 * The month's QA plan for the demo's reviewers, through the plan service (the
 * same as `PUT /review/plans/:month` and `callqa plan set`): the sample split
 * evenly between them. Setting it hands out the calls scored so far, so the
 * demo sets it once its calls are scored; re-running keeps what was assigned.
 */
export async function setDemoPlan(
  pool: pg.Pool,
  audit: AuditActor,
  month: string,
  reviewers: string[],
  sampled: number,
): Promise<{ assigned: number; reviewers: Array<{ username: string; quota: number; assigned: number }> }> {
  const quota = Math.max(1, Math.ceil(sampled / reviewers.length));
  const plan = await withTransaction(pool, (tx) =>
    setPlan({ audit, tx }, month, { reviewers: reviewers.map((username) => ({ username, quota })) }),
  );
  return { assigned: plan.totals.assigned, reviewers: plan.reviewers };
}
