import { writeAudit } from '../../models/audit-repository.ts';
import type { Queryable } from '../../models/db.ts';
import { isRole, may } from '../../models/permissions.ts';
import {
  assignMonth,
  fillQueue,
  getPlan,
  monthTotals,
  planReviewers,
  reviewerCandidates,
  savePlan,
} from '../../models/plan-repository.ts';
import type { PlanBody, PlanProgress } from '../contracts/review.ts';
import { ApiError } from '../api-error.ts';
import { auditFields, type ServiceContext } from './service-context.ts';

/**
 * A month's QA plan (质检计划). Setting it names the reviewers and their
 * quotas and hands the month's scored, unassigned picks to them; setting it
 * again keeps every assignment made and fills up to the new quotas. Who may
 * is the route's (plans.manage) or the operator's at the CLI.
 */
export async function setPlan(
  ctx: Pick<ServiceContext, 'audit' | 'tx'>,
  month: string,
  body: PlanBody,
): Promise<PlanProgress> {
  const names = body.reviewers.map((r) => r.username);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate) throw new ApiError(400, 'plan_invalid', `reviewer ${duplicate} is listed twice`);
  const found = new Map((await reviewerCandidates(ctx.tx, names)).map((u) => [u.username, u]));
  for (const name of names) {
    const user = found.get(name);
    if (!user) throw new ApiError(400, 'plan_invalid', `reviewer ${name} is not a user`);
    if (user.disabled) throw new ApiError(400, 'plan_invalid', `reviewer ${name} is disabled`);
    if (!isRole(user.role) || !may({ role: user.role }, 'scores.review')) {
      throw new ApiError(400, 'plan_invalid', `reviewer ${name} (${user.role}) may not review calls`);
    }
  }
  const before = await planReviewers(ctx.tx, month);
  const plan = body.reviewers.map((r) => ({ userId: found.get(r.username)!.userId, quota: r.quota }));
  await savePlan(ctx.tx, month, ctx.audit.name, plan);
  await fillQueue(ctx.tx, month);
  const assigned = await assignMonth(ctx.tx, month, ctx.audit.name);
  await writeAudit(ctx.tx, {
    ...auditFields(ctx.audit),
    action: 'qa_plan_set',
    target: `plan:${month}`,
    before:
      before.length > 0 ? { reviewers: before.map(({ username, quota }) => ({ username, quota })) } : null,
    after: { reviewers: body.reviewers, newlyAssigned: assigned },
  });
  return (await planProgress(ctx.tx, month))!;
}

export async function planProgress(db: Queryable, month: string): Promise<PlanProgress | undefined> {
  const plan = await getPlan(db, month);
  if (!plan) return undefined;
  return {
    month,
    createdBy: plan.createdBy,
    createdAt: plan.createdAt.toISOString(),
    reviewers: plan.reviewers.map(({ username, quota, assigned, reviewed }) => ({
      username,
      quota,
      assigned,
      reviewed,
    })),
    totals: await monthTotals(db, month),
  };
}

export async function requirePlan(db: Queryable, month: string): Promise<PlanProgress> {
  const plan = await planProgress(db, month);
  if (!plan) throw new ApiError(404, 'plan_not_found', `there is no QA plan for ${month}`);
  return plan;
}
