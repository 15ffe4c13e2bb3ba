import type { FastifyRequest } from 'fastify';
import type { Queryable } from '../../models/db.ts';
import type { Actor } from '../../models/permissions.ts';
import { actorOf } from '../auth/access.ts';

/**
 * Who is acting, as the audit log names them: a signed-in user, or the
 * operator at the CLI (`cli:<os user>`, no user id — the CLI works on the
 * database directly, which is what lets it create the first admin).
 */
export interface AuditActor {
  userId: number | null;
  name: string;
  ip?: string;
}

/** What every service takes: the actor (for scope and the audit row) and the transaction to work in. */
export interface ServiceContext {
  actor: Actor;
  audit: AuditActor;
  tx: Queryable;
}

export function auditActorOf(request: FastifyRequest): AuditActor {
  const actor = actorOf(request);
  return { userId: actor.userId, name: actor.username, ip: request.ip };
}

export function auditFields(audit: AuditActor) {
  return { actorUserId: audit.userId, actor: audit.name, ...(audit.ip ? { ip: audit.ip } : {}) };
}
