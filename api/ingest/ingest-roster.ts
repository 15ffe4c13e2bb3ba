import type pg from 'pg';
import { upsertAgents, upsertTeams, type AgentRow, type TeamRow } from '../../models/agent-repository.ts';
import { writeBatch } from '../../models/batch-write.ts';
import { FIELD_RULES, readTextField } from '../../models/call-record.ts';
import { clip, problem, type Problem } from '../../models/ingest-problem.ts';
import { refusedByDatabase, type Rejection } from './ingest-file.ts';
import { readRecords, type Encoding } from './read-records.ts';

export const ROSTER_COLUMNS = {
  required: ['agent_id'],
  known: ['agent_id', 'agent_name', 'team', 'supervisor', 'active'],
};

export interface RosterSummary {
  agents: number;
  teams: number;
  rejected: Rejection[];
}

interface RosterEntry {
  line: number;
  agent: AgentRow;
}

/**
 * Loads agents and teams from a roster (CSV or JSONL). Agents and teams also
 * appear from call records; the roster adds names, supervisors and leavers.
 * Fields follow the call records' rules; a row PostgreSQL still refuses is
 * rejected alone, with its team left out unless another row brought it.
 */
export async function ingestRoster(
  pool: pg.Pool,
  path: string,
  options: { encoding?: Encoding } = {},
): Promise<RosterSummary> {
  const agents = new Map<string, RosterEntry>();
  const teams = new Map<string, TeamRow>();
  const rejected: Rejection[] = [];
  for await (const item of readRecords(path, { columns: ROSTER_COLUMNS, encoding: options.encoding })) {
    if ('problem' in item) {
      rejected.push({ line: item.line, problems: [item.problem] });
      continue;
    }
    const problems: Problem[] = [];
    const get = (field: 'agent_id' | 'agent_name' | 'team' | 'supervisor') => {
      const result = readTextField(item.raw[field], field, FIELD_RULES[field]);
      if (result.problem) problems.push(result.problem);
      return result.value;
    };
    const agentId = get('agent_id');
    const agentName = get('agent_name');
    const team = get('team');
    const supervisor = get('supervisor');
    const active = readTextField(item.raw.active, 'active', { max: 16 });
    if (active.problem) problems.push(active.problem);
    if (agentId === undefined && !problems.some((p) => p.params?.field === 'agent_id')) {
      problems.push(problem('field_missing', { field: 'agent_id' }));
    }
    if (active.value !== undefined && !/^(true|false|yes|no|1|0)$/i.test(active.value)) {
      problems.push(problem('active_unknown', { value: clip(active.value) }));
    }
    if (problems.length > 0) {
      rejected.push({ line: item.line, problems });
      continue;
    }
    if (team) teams.set(team, { teamId: team, supervisor: supervisor ?? teams.get(team)?.supervisor });
    agents.set(agentId!, {
      line: item.line,
      agent: {
        agentId: agentId!,
        agentName,
        teamId: team,
        active: active.value === undefined ? undefined : /^(true|yes|1)$/i.test(active.value),
      },
    });
  }
  const entries = [...agents.values()];
  const { refused } = await writeBatch(
    pool,
    entries,
    async (tx, part) => {
      const partTeams = new Set(part.map((e) => e.agent.teamId).filter((t): t is string => !!t));
      await upsertTeams(
        tx,
        [...partTeams].map((t) => teams.get(t)!),
      );
      await upsertAgents(
        tx,
        part.map((e) => e.agent),
      );
    },
    () => undefined,
  );
  for (const r of refused) {
    const { line } = entries[r.index];
    rejected.push({ line, problems: [refusedByDatabase(r.sqlstate)] });
  }
  rejected.sort((a, b) => a.line - b.line);
  const landed = entries.filter((_, i) => !refused.some((r) => r.index === i));
  return {
    agents: landed.length,
    teams: new Set(landed.map((e) => e.agent.teamId).filter(Boolean)).size,
    rejected,
  };
}
