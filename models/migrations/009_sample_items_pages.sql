-- Keyset paging of a run's picks (GET /sampling/runs/:id): (agent_id, call_id)
-- after a cursor, within one run, without sorting the run's picks per page.
create index sample_items_run_page on sample_items (run_id, agent_id, call_id);
