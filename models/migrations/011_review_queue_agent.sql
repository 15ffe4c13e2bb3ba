-- The review queue filtered to one agent (GET /review/queue?agent=): an index range in the
-- queue's order, instead of walking the month's whole queue for that agent's few calls
-- (a 1M-call seed: a parallel seq scan of 100k rows, 57 ms, against 0.3 ms here).
create index review_queue_agent on review_queue (agent_id, month, review_first, started_at, call_id);
