import type pg from 'pg';
import { upsertAgents, upsertTeams, type AgentRow, type TeamRow } from '../../models/agent-repository.ts';
import type { Rejection } from './ingest-file.ts';
import { readRecords } from './read-records.ts';

export const ROSTER_COLUMNS = {
  required: ['agent_id'],
  known: ['agent_id', 'agent_name', 'team', 'supervisor', 'active'],
};

export interface RosterSummary {
  agents: number;
  teams: number;
  rejected: Rejection[];
}

/**
 * Loads agents and teams from a roster (CSV or JSONL). Agents and teams also
 * appear from call records; the roster adds names, supervisors and leavers.
 */
export async function ingestRoster(pool: pg.Pool, path: string): Promise<RosterSummary> {
  const agents = new Map<string, AgentRow>();
  const teams = new Map<string, TeamRow>();
  const rejected: Rejection[] = [];
  for await (const item of readRecords(path, undefined, ROSTER_COLUMNS)) {
    if ('error' in item) {
      rejected.push({ line: item.line, reason: item.error });
      continue;
    }
    const get = (key: string) =>
      item.raw[key] == null ? undefined : String(item.raw[key]).trim() || undefined;
    const agentId = get('agent_id');
    const active = get('active');
    if (!agentId) {
      rejected.push({ line: item.line, reason: 'agent_id is missing' });
      continue;
    }
    if (active !== undefined && !/^(true|false|yes|no|1|0)$/i.test(active)) {
      rejected.push({ line: item.line, reason: `active "${active}" is not true or false` });
      continue;
    }
    const team = get('team');
    if (team) teams.set(team, { teamId: team, supervisor: get('supervisor') ?? teams.get(team)?.supervisor });
    agents.set(agentId, {
      agentId,
      agentName: get('agent_name'),
      teamId: team,
      active: active === undefined ? undefined : /^(true|yes|1)$/i.test(active),
    });
  }
  await upsertTeams(pool, [...teams.values()]);
  await upsertAgents(pool, [...agents.values()]);
  return { agents: agents.size, teams: teams.size, rejected };
}
