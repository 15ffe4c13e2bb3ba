-- Daily runs spread the random quota over the month by a per-agent hash cut-off
-- (sampling/spread.ts): each run records the volumes it sized the cut-off on and
-- the cut-off itself, so a run's picks can be re-derived from its row.
alter table sampling_run_agents
  add column prev_eligible_calls  integer,  -- previous month's calls the random draw could pick
  add column eligible_calls       integer,  -- this month's, up to the run's through
  add column expected_calls       integer,  -- the month's eligible calls the cut-off was sized for; null when the run closes the month
  add column hash_cutoff          bigint;   -- every eligible call so far with hashtextextended(call_id, seed) below it is picked; null before this rule
-- From here on random_target is the count a run tops up to: the quota when it
-- closes the month, 0 on a daily run (its picks come from the cut-off alone).
