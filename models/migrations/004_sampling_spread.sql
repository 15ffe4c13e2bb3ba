-- Daily runs spread the random quota over the month by a per-agent hash cut-off
-- (sampling/spread.ts). Each run stores the cut-off and, on a daily run, the
-- volumes it was sized on, so a run's picks can be re-derived from its row.
alter table sampling_run_agents
  -- eligible calls (those the random draw may pick) last month and this month
  -- up to the run's through, and the month's eligible calls expected: daily
  -- runs only, null on a run that closes the month
  add column prev_eligible_calls  integer,
  add column eligible_calls       integer,
  add column expected_calls       integer,
  -- every eligible call so far with hashtextextended(call_id, seed) below it
  -- is picked; null on runs made before this rule
  add column hash_cutoff          bigint;
-- From here on random_target is the count a run tops up to: the quota when it
-- closes the month, 0 on a daily run (its picks come from the cut-off alone).
