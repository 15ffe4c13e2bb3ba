-- Scores as history, not overwrites. A call's QA outcome and an agent's month
-- score are facts people can correct, so every value ever recorded is an
-- append-only event, and the value in force is derived by one precedence rule
-- (a human review beats an import, an import beats the machine; within a
-- source the latest wins), readable as of any instant. A sampling run and its
-- replay then read exactly what existed when the run started, and a human
-- override never erases the machine's result.

create table call_outcome_events (
  event_id     bigserial primary key,
  call_id      text not null references calls,
  source       text not null check (source in ('automatic', 'imported', 'review')),
  score        numeric(6, 2) not null,
  passed       boolean not null,
  -- clock_timestamp, not now(): two events of one transaction keep their order
  recorded_at  timestamptz not null default clock_timestamp(),
  -- who: a reviewer's account id; null for the scorer and imports
  recorded_by  text,
  -- why, as a stable code plus parameters ({"code": …, "params": {…}}), rendered at the edge
  reason       jsonb,
  check (source <> 'review' or recorded_by is not null)
);
create index call_outcome_events_call on call_outcome_events (call_id, recorded_at);

create table agent_month_score_events (
  event_id     bigserial primary key,
  agent_id     text not null references agents,
  month        date not null check (extract(day from month) = 1),
  source       text not null check (source in ('computed', 'imported', 'review')),
  score        numeric(6, 2) not null,
  recorded_at  timestamptz not null default clock_timestamp(),
  recorded_by  text,
  reason       jsonb,
  check (source <> 'review' or recorded_by is not null)
);
create index agent_month_score_events_key on agent_month_score_events (agent_id, month, recorded_at);

-- Append-only, enforced where every writer must pass: a correction is a new event.
create function refuse_score_event_change() returns trigger language plpgsql as $$
begin
  raise exception '% is append-only: record a new event instead of %', tg_table_name, lower(tg_op)
    using errcode = 'restrict_violation', hint = 'score_history_append_only';
end $$;
create trigger call_outcome_events_append_only before update or delete on call_outcome_events
  for each row execute function refuse_score_event_change();
create trigger call_outcome_events_no_truncate before truncate on call_outcome_events
  for each statement execute function refuse_score_event_change();
create trigger agent_month_score_events_append_only before update or delete on agent_month_score_events
  for each row execute function refuse_score_event_change();
create trigger agent_month_score_events_no_truncate before truncate on agent_month_score_events
  for each statement execute function refuse_score_event_change();

-- The precedence rule, in one place: the higher rank wins; within a rank, the latest event.
create function score_source_rank(source text) returns integer language sql immutable as $$
  select case source when 'review' then 3 when 'imported' then 2 else 1 end
$$;

-- One call's outcome in force at `as_of` (events recorded after it are invisible). Per key, so a
-- caller joining it laterally reads a few index rows per call, never every event ever recorded.
create function effective_outcome(of_call text, as_of timestamptz)
returns table (call_id text, score numeric, passed boolean, source text, recorded_at timestamptz,
               recorded_by text, event_id bigint)
language sql stable as $$
  select e.call_id, e.score, e.passed, e.source, e.recorded_at, e.recorded_by, e.event_id
  from call_outcome_events e
  where e.call_id = of_call and e.recorded_at <= as_of
  order by score_source_rank(e.source) desc, e.recorded_at desc, e.event_id desc
  limit 1
$$;

-- One agent's month score in force at `as_of`.
create function effective_month_score(of_agent text, of_month date, as_of timestamptz)
returns table (agent_id text, month date, score numeric, source text, recorded_at timestamptz,
               recorded_by text, event_id bigint)
language sql stable as $$
  select e.agent_id, e.month, e.score, e.source, e.recorded_at, e.recorded_by, e.event_id
  from agent_month_score_events e
  where e.agent_id = of_agent and e.month = of_month and e.recorded_at <= as_of
  order by score_source_rank(e.source) desc, e.recorded_at desc, e.event_id desc
  limit 1
$$;

-- Every call's and every agent-month's value in force at `as_of`, by the same rule.
create function effective_outcomes(as_of timestamptz)
returns table (call_id text, score numeric, passed boolean, source text, recorded_at timestamptz,
               recorded_by text, event_id bigint)
language sql stable as $$
  select o.* from (select distinct call_id from call_outcome_events where recorded_at <= as_of) k
  cross join lateral effective_outcome(k.call_id, as_of) o
$$;
create function effective_month_scores(as_of timestamptz)
returns table (agent_id text, month date, score numeric, source text, recorded_at timestamptz,
               recorded_by text, event_id bigint)
language sql stable as $$
  select s.* from (select distinct agent_id, month from agent_month_score_events where recorded_at <= as_of) k
  cross join lateral effective_month_score(k.agent_id, k.month, as_of) s
$$;

-- Backfill: what the old tables held becomes the first events, at its own recorded_at. The
-- machine's earlier results survive in call_scores (one row per scorecard version), so the
-- automatic history comes from there; qa_outcomes adds the imported outcomes (which scoring
-- never overwrote) and any machine outcome without a call_scores row.
insert into call_outcome_events (call_id, source, score, passed, recorded_at)
select call_id, 'automatic', score, passed, created_at from call_scores
union all
select o.call_id, case o.source when 'scoring' then 'automatic' else 'imported' end, o.score, o.passed, o.recorded_at
from qa_outcomes o
where o.source <> 'scoring' or not exists (select 1 from call_scores cs where cs.call_id = o.call_id)
order by 5;

insert into agent_month_score_events (agent_id, month, source, score, recorded_at)
select agent_id, month, case source when 'computed' then 'computed' else 'imported' end, score, recorded_at
from agent_month_scores
order by recorded_at;

-- The old names stay, as read-only views of the value in force now, so every existing reader
-- (reports, ad-hoc SQL, the chaos check) keeps working; writers append events instead.
drop table qa_outcomes;
drop table agent_month_scores;
create view qa_outcomes as
  select call_id, score, passed, source, recorded_at from effective_outcomes('infinity');
create view agent_month_scores as
  select agent_id, month, score, source, recorded_at from effective_month_scores('infinity');
