-- A run's picks counted per agent and reason, kept as the picks are written, so
-- a page of GET /sampling/runs/:id reads a run's quota figures and totals from
-- a few thousand rows instead of counting its (tens of thousands of) picks.
-- Triggers keep the counts whoever writes sample_items (the sampler, a manual
-- pick, a replay's delete, a test's insert): one place, no writer can forget.
create table sampling_run_pick_counts (
  run_id    bigint not null,
  agent_id  text not null,
  reason    text not null,
  picks     integer not null check (picks > 0),
  primary key (run_id, agent_id, reason)
);
-- The same per run and reason: a page's totals without an agent or scope cut.
create table sampling_run_reason_counts (
  run_id    bigint not null,
  reason    text not null,
  picks     integer not null check (picks > 0),
  primary key (run_id, reason)
);

create function sampling_pick_counts_add() returns trigger language plpgsql as $$
begin
  insert into sampling_run_pick_counts (run_id, agent_id, reason, picks)
  select run_id, agent_id, reason, count(*) from added group by run_id, agent_id, reason
  -- Sorted so concurrent writers lock count rows in one order.
  order by run_id, agent_id, reason
  on conflict (run_id, agent_id, reason)
  do update set picks = sampling_run_pick_counts.picks + excluded.picks;
  insert into sampling_run_reason_counts (run_id, reason, picks)
  select run_id, reason, count(*) from added group by run_id, reason order by run_id, reason
  on conflict (run_id, reason) do update set picks = sampling_run_reason_counts.picks + excluded.picks;
  return null;
end $$;

create function sampling_pick_counts_remove() returns trigger language plpgsql as $$
begin
  -- Emptied counts go first, so the update below never sees a count it has already lowered.
  delete from sampling_run_pick_counts c
  using (select run_id, agent_id, reason, count(*)::int as n from removed group by run_id, agent_id, reason) g
  where c.run_id = g.run_id and c.agent_id = g.agent_id and c.reason = g.reason and c.picks <= g.n;
  update sampling_run_pick_counts c set picks = c.picks - g.n
  from (select run_id, agent_id, reason, count(*)::int as n from removed group by run_id, agent_id, reason) g
  where c.run_id = g.run_id and c.agent_id = g.agent_id and c.reason = g.reason and c.picks > g.n;
  delete from sampling_run_reason_counts c
  using (select run_id, reason, count(*)::int as n from removed group by run_id, reason) g
  where c.run_id = g.run_id and c.reason = g.reason and c.picks <= g.n;
  update sampling_run_reason_counts c set picks = c.picks - g.n
  from (select run_id, reason, count(*)::int as n from removed group by run_id, reason) g
  where c.run_id = g.run_id and c.reason = g.reason and c.picks > g.n;
  return null;
end $$;

create function sampling_pick_counts_clear() returns trigger language plpgsql as $$
begin
  truncate sampling_run_pick_counts, sampling_run_reason_counts;
  return null;
end $$;

create trigger sample_items_count_insert after insert on sample_items
  referencing new table as added for each statement execute function sampling_pick_counts_add();
create trigger sample_items_count_delete after delete on sample_items
  referencing old table as removed for each statement execute function sampling_pick_counts_remove();
-- An update may move a pick to another run, agent or reason: take it out as it was, add it as it is.
create trigger sample_items_count_update_old after update on sample_items
  referencing old table as removed for each statement execute function sampling_pick_counts_remove();
create trigger sample_items_count_update_new after update on sample_items
  referencing new table as added for each statement execute function sampling_pick_counts_add();
create trigger sample_items_count_truncate after truncate on sample_items
  for each statement execute function sampling_pick_counts_clear();

-- The picks already written.
insert into sampling_run_pick_counts (run_id, agent_id, reason, picks)
select run_id, agent_id, reason, count(*) from sample_items group by run_id, agent_id, reason;
insert into sampling_run_reason_counts (run_id, reason, picks)
select run_id, reason, count(*) from sample_items group by run_id, reason;
