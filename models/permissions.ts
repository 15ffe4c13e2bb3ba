/**
 * Who may do what, as data: one table from role to the actions it may take.
 * Routes name the action they perform; nothing else decides by role name, so
 * changing what a role may do is an edit of this table alone. Which calls an
 * actor may see (their scope) is a separate question, answered in SQL by
 * access-repository.ts.
 */
export const ROLES = ['agent', 'qa', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'calls.read', // a call, its transcript and scores — within the actor's scope
  'calls.ingest', // POST /calls
  'recordings.upload',
  'transcripts.import',
  'scores.import', // month scores and QA outcomes: QA's results
  'scores.review', // a reviewer's verdict on a call or a month score (outranks machine and import)
  'sampling.read', // runs (a supervisor's view is cut to their teams)
  'sampling.run', // start a run, replay one
  'sampling.pick', // add a call to the sample by hand
  'pipeline.read',
  'audit.read',
  'reviews.read', // the review queue and QA plans (a supervisor's view is cut to their teams)
  'plans.manage', // set a month's QA plan: reviewers, quotas, assignments
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * qa reviews every call: it imports transcripts and outcomes, records month
 * scores and picks calls by hand, but does not register calls,
 * upload recordings, start or replay sampling runs — those are the operator's (admin)
 * jobs, done by scripts with an admin token. A supervisor reads their teams;
 * an agent reads their own calls and nothing else.
 */
export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set(PERMISSIONS),
  qa: new Set([
    'calls.read',
    'transcripts.import',
    'scores.import',
    'scores.review',
    'sampling.read',
    'sampling.pick',
    'pipeline.read',
    'reviews.read',
  ]),
  supervisor: new Set(['calls.read', 'sampling.read', 'reviews.read']),
  agent: new Set(['calls.read']),
};

/** Whose calls an actor sees: every call, the calls of some teams' agents, or one agent's. */
export type CallScope =
  { kind: 'all' } | { kind: 'teams'; teams: readonly string[] } | { kind: 'agent'; agentId: string };

export interface Actor {
  userId: number;
  username: string;
  role: Role;
  agentId?: string;
  teams: readonly string[];
  /** How the request proved who it is; cookie requests must pass the CSRF check. */
  via: 'session' | 'token';
}

export function may(actor: Pick<Actor, 'role'>, permission: Permission): boolean {
  return ROLE_PERMISSIONS[actor.role].has(permission);
}

export function callScopeOf(actor: Pick<Actor, 'role' | 'agentId' | 'teams'>): CallScope {
  if (actor.role === 'agent') return { kind: 'agent', agentId: actor.agentId ?? '' };
  if (actor.role === 'supervisor') return { kind: 'teams', teams: actor.teams };
  return { kind: 'all' };
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
