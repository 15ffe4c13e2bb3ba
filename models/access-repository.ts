import { CALL_COLUMNS, toCall, type Call } from './call-repository.ts';
import type { Queryable } from './db.ts';
import type { CallScope } from './permissions.ts';

/**
 * "May this actor see that call?" answered by PostgreSQL, never by loading
 * the call into Node first (immich's AccessRepository). A supervisor's teams
 * are the agents' current teams (agents.team_id); an agent sees the calls
 * booked to their 工号. A call outside the scope and a call that does not
 * exist give the same answer, so ids cannot be probed.
 */
export async function canSeeCall(db: Queryable, scope: CallScope, callId: string): Promise<boolean> {
  const { rows } = await db.query(
    `select exists (
       select 1 from calls c left join agents a using (agent_id)
       where c.call_id = $1 and ${callInScope('c', 'a', 2)}) as ok`,
    scopeParams(scope, [callId]),
  );
  return rows[0].ok as boolean;
}

/**
 * The scope rule as a SQL predicate over a call row `c` and its agent row `a`
 * (left-joined), reading the three parameters scopeParams appends from
 * `$first` on: the one definition every statement that cuts calls to a
 * scope uses. Never null (a call of an agent without a team is simply out).
 */
export function callInScope(c: string, a: string, first: number): string {
  return `coalesce($${first}::boolean or ${c}.agent_id = $${first + 1}::text
            or ${a}.team_id = any($${first + 2}::text[]), false)`;
}

/** The call if the scope may see it; undefined when it may not or when it does not exist (one answer). */
export async function visibleCall(
  db: Queryable,
  scope: CallScope,
  callId: string,
): Promise<Call | undefined> {
  const { rows } = await db.query({
    name: 'visible-call',
    text: `select ${CALL_COLUMNS.map((column) => `c.${column}`).join(', ')}
     from calls c left join agents a using (agent_id)
     where c.call_id = $1 and ${callInScope('c', 'a', 2)}`,
    values: scopeParams(scope, [callId]),
  });
  return rows[0] ? toCall(rows[0]) : undefined;
}

/** Whether every one of these calls is in scope (a batch is refused whole when one is not). */
export async function canSeeCalls(db: Queryable, scope: CallScope, callIds: string[]): Promise<boolean> {
  if (scope.kind === 'all') return true;
  const { rows } = await db.query(
    `select count(*)::int as n from calls c left join agents a using (agent_id)
     where c.call_id = any($1::text[]) and ${callInScope('c', 'a', 2)}`,
    scopeParams(scope, [[...new Set(callIds)]]),
  );
  return rows[0].n === new Set(callIds).size;
}

/** The agents a supervisor's view of a sampling run is cut to; undefined means every agent. */
export async function agentsInScope(db: Queryable, scope: CallScope): Promise<string[] | undefined> {
  if (scope.kind === 'all') return undefined;
  if (scope.kind === 'agent') return [scope.agentId];
  const { rows } = await db.query<{ agent_id: string }>(
    `select agent_id from agents where team_id = any($1::text[])`,
    [scope.teams],
  );
  return rows.map((r) => r.agent_id);
}

/** `first` followed by the three parameters callInScope reads. */
export function scopeParams(scope: CallScope, first: unknown[]): unknown[] {
  return [
    ...first,
    scope.kind === 'all',
    scope.kind === 'agent' ? scope.agentId : null,
    scope.kind === 'teams' ? scope.teams : [],
  ];
}
