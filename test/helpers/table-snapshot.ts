import type { Queryable } from '../../models/db.ts';

const TABLES = [
  'teams',
  'agents',
  'calls',
  'agent_month_score_events',
  'call_outcome_events',
  'sampling_runs',
  'sampling_run_agents',
  'sample_items',
  'call_processing',
  'transcripts',
  'scorecards',
  'call_scores',
];

/**
 * Every row of every table, as one digest per table: two snapshots are equal
 * exactly when nothing was inserted, updated or deleted in between.
 */
export async function snapshotTables(db: Queryable): Promise<Record<string, string>> {
  const snapshot: Record<string, string> = {};
  for (const table of TABLES) {
    const { rows } = await db.query(
      `select count(*)::int || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as digest
       from ${table} t`,
    );
    snapshot[table] = rows[0].digest;
  }
  return snapshot;
}
