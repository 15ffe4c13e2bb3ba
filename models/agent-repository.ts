import type { Queryable } from './db.ts';

export interface AgentRow {
  agentId: string;
  agentName?: string;
  teamId?: string;
  active?: boolean;
}

/** Creates missing agents; for known ones, only the fields given change. */
export async function upsertAgents(db: Queryable, agents: AgentRow[]): Promise<void> {
  const params = [
    agents.map((a) => a.agentId),
    agents.map((a) => a.agentName ?? null),
    agents.map((a) => a.teamId ?? null),
    agents.map((a) => a.active ?? null),
  ];
  await db.query(
    `insert into agents (agent_id, agent_name, team_id, active)
     select id, coalesce(name, id), team, coalesce(active, true)
     from unnest($1::text[], $2::text[], $3::text[], $4::boolean[]) as u(id, name, team, active)
     on conflict (agent_id) do nothing`,
    params,
  );
  await db.query(
    `update agents a set agent_name = coalesce(u.name, a.agent_name), team_id = coalesce(u.team, a.team_id),
            active = coalesce(u.active, a.active), updated_at = now()
     from unnest($1::text[], $2::text[], $3::text[], $4::boolean[]) as u(id, name, team, active)
     where a.agent_id = u.id
       and (a.agent_name, a.team_id, a.active) is distinct from
           (coalesce(u.name, a.agent_name), coalesce(u.team, a.team_id), coalesce(u.active, a.active))`,
    params,
  );
}

export interface TeamRow {
  teamId: string;
  name?: string;
  supervisor?: string;
}

/** Creates missing teams (named after their id unless a name is given); updates only given fields. */
export async function upsertTeams(db: Queryable, teams: TeamRow[]): Promise<void> {
  if (teams.length === 0) return;
  await db.query(
    `insert into teams as t (team_id, name, supervisor)
     select id, coalesce(name, id), supervisor
     from unnest($1::text[], $2::text[], $3::text[]) as u(id, name, supervisor)
     on conflict (team_id) do update set
       name = coalesce(nullif(excluded.name, excluded.team_id), t.name),
       supervisor = coalesce(excluded.supervisor, t.supervisor)`,
    [teams.map((t) => t.teamId), teams.map((t) => t.name ?? null), teams.map((t) => t.supervisor ?? null)],
  );
}
