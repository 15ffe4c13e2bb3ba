import type { Queryable } from '../../models/db.ts';
import { writeAudit } from '../../models/audit-repository.ts';
import { insertManualPick } from '../../sampling/run-repository.ts';
import { auditFields, type AuditActor, type ServiceContext } from './service-context.ts';

/**
 * The audit row of a sampling run, written by runSampling's beforeCommit hook:
 * in the run's own transaction, so a run is never recorded without its row
 * (nor a row without its run). `selected` is read from the run just written.
 */
export async function auditRunCreated(
  tx: Queryable,
  audit: AuditActor,
  runId: number,
  request: { month: string; through: string | null; seed: string | null },
): Promise<void> {
  const { rows } = await tx.query<{ selected: number | null }>(
    `select (summary ->> 'selected')::int as selected from sampling_runs where run_id = $1`,
    [runId],
  );
  await writeAudit(tx, {
    ...auditFields(audit),
    action: 'sampling_run_created',
    target: `run:${runId}`,
    after: { ...request, selected: rows[0]?.selected ?? null },
  });
}

/** A call added to the sample by hand, with its audit row, in the caller's transaction. */
export async function addManualPickAudited(
  { audit, tx }: Pick<ServiceContext, 'audit' | 'tx'>,
  input: { callId: string; note: string | undefined; timeZone: string },
): Promise<{ runId: number }> {
  const { runId } = await insertManualPick(tx, input.callId, input.note, input.timeZone);
  await writeAudit(tx, {
    ...auditFields(audit),
    action: 'manual_pick_added',
    target: `call:${input.callId}`,
    before: null,
    after: { runId, reason: 'manual', note: input.note ?? null },
  });
  return { runId };
}
