import type { Queryable } from './db.ts';

export interface AuditEntry {
  actorUserId?: number | null;
  actor: string;
  /** A stable code: login, login_failed, login_locked, logout, user_added, calls_ingested, … */
  action: string;
  target?: string;
  before?: unknown;
  after?: unknown;
  ip?: string;
}

/** Appends one row; pass the transaction of the change so both land or neither. */
export async function writeAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.query(
    `insert into audit_log (actor_user_id, actor, action, target, before, after, ip)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    [
      entry.actorUserId ?? null,
      entry.actor,
      entry.action,
      entry.target ?? null,
      entry.before === undefined ? null : JSON.stringify(entry.before),
      entry.after === undefined ? null : JSON.stringify(entry.after),
      entry.ip ?? null,
    ],
  );
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  from?: Date;
  to?: Date;
  /** Page backwards: entries older than this id. */
  before?: number;
  limit: number;
}

export interface AuditRow {
  auditId: number;
  at: Date;
  actor: string;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
}

/** Newest first; `next` is the `before` of the following page, when there is one. */
export async function listAudit(
  db: Queryable,
  filter: AuditFilter,
): Promise<{ entries: AuditRow[]; next?: number }> {
  const { rows } = await db.query(
    `select audit_id, at, actor, action, target, before, after, ip from audit_log
     where ($1::text is null or actor = $1) and ($2::text is null or action = $2)
       and ($3::timestamptz is null or at >= $3) and ($4::timestamptz is null or at < $4)
       and ($5::bigint is null or audit_id < $5)
     order by audit_id desc limit $6`,
    [
      filter.actor ?? null,
      filter.action ?? null,
      filter.from ?? null,
      filter.to ?? null,
      filter.before ?? null,
      filter.limit + 1,
    ],
  );
  const entries = rows.slice(0, filter.limit).map((r) => ({
    auditId: r.audit_id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    before: r.before,
    after: r.after,
    ip: r.ip,
  }));
  return rows.length > filter.limit ? { entries, next: entries[entries.length - 1].auditId } : { entries };
}
