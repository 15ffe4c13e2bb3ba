-- The review workspace: QA plans per month (质检计划), the review queue with
-- its assignments, and reviews as append-only versions.

-- A month's plan: who set it and when (a re-set keeps created_*, moves updated_*).
create table qa_plans (
  month       date primary key check (extract(day from month) = 1),
  created_by  text not null,
  created_at  timestamptz not null default now(),
  updated_by  text not null,
  updated_at  timestamptz not null default now()
);

-- The reviewers of a month and how many calls each takes. Replaced whole when a plan is re-set;
-- the audit row (qa_plan_set) keeps what it replaced.
create table qa_plan_reviewers (
  month     date not null references qa_plans on delete cascade,
  user_id   bigint not null references users,
  position  integer not null,            -- the order the plan lists them: who is offered a call first
  quota     integer not null check (quota >= 0),
  primary key (month, user_id)
);

-- The review queue: one row per sampled call that has a score, i.e. what a
-- reviewer can open. It carries the sort and filter keys of the queue page
-- (needs review first, then start time and call id), so a page is an index
-- range scan at any volume instead of a join and sort over the month's
-- sample. Rows come from triggers below (a score saved for a sampled call; an
-- outcome recorded), from plan-set (a call picked after it was scored), and
-- from the backfill at the end; the assignment of a call to a reviewer lives
-- here too (assigned_to), as does the latest review version.
create table review_queue (
  call_id         text primary key references calls,
  month           date not null,
  agent_id        text not null,
  reason          text not null,
  started_at      timestamptz not null,
  needs_review    boolean not null,
  review_first    smallint generated always as (case when needs_review then 0 else 1 end) stored,
  auto_score      numeric(6, 2) not null,
  auto_passed     boolean not null,
  -- the outcome in force (effective_outcome): a review outranks an import outranks the machine
  score           numeric(6, 2) not null,
  passed          boolean not null,
  review_version  integer not null default 0,
  assigned_to     bigint references users,
  assigned_at     timestamptz,
  assigned_by     text
);
create index review_queue_page on review_queue (month, review_first, started_at, call_id);
create index review_queue_assignee on review_queue (assigned_to, month, review_first, started_at, call_id)
  where assigned_to is not null;

-- One row per review version of a call. Append-only (the trigger below): a
-- change of mind is version n + 1, and every earlier verdict stays readable.
create table call_reviews (
  review_id          bigserial primary key,
  call_id            text not null references calls,
  version            integer not null check (version >= 1),
  reviewer_user_id   bigint references users,
  reviewer           text not null,
  scorecard_id       text not null,
  scorecard_version  integer not null,
  items              jsonb not null,     -- the reviewer's decisions per item (contract ReviewSubmission.items)
  added_deductions   jsonb not null,
  comment            text not null,
  computed_score     numeric(6, 2) not null,
  final_score        numeric(6, 2) not null,
  passed             boolean not null,
  exemplary          boolean not null default false,
  exemplary_note     text,
  -- the outcome event this review recorded (source 'review'), which the sampler's rules read
  outcome_event_id   bigint not null references call_outcome_events,
  created_at         timestamptz not null default clock_timestamp(),
  unique (call_id, version),
  foreign key (scorecard_id, scorecard_version) references scorecards
);
create index call_reviews_exemplary on call_reviews (created_at) where exemplary;

create trigger call_reviews_append_only before update or delete on call_reviews
  for each row execute function refuse_score_event_change();
create trigger call_reviews_no_truncate before truncate on call_reviews
  for each statement execute function refuse_score_event_change();

-- A score saved for a sampled call puts it in (or refreshes it in) the queue.
create function review_queue_on_score() returns trigger language plpgsql as $$
begin
  insert into review_queue (call_id, month, agent_id, reason, started_at, needs_review, auto_score, auto_passed,
                            score, passed)
  select s.call_id, s.month, s.agent_id, s.reason, c.started_at, new.needs_review, new.score, new.passed,
         coalesce(o.score, new.score), coalesce(o.passed, new.passed)
  from sample_items s
  join calls c on c.call_id = s.call_id
  left join lateral effective_outcome(s.call_id, 'infinity') o on true
  where s.call_id = new.call_id
  on conflict (call_id) do update set
    needs_review = excluded.needs_review, auto_score = excluded.auto_score, auto_passed = excluded.auto_passed,
    score = excluded.score, passed = excluded.passed;
  return null;
end $$;
create trigger call_scores_review_queue after insert or update on call_scores
  for each row execute function review_queue_on_score();

-- Any outcome recorded (automatic, imported, review) moves the queue's value in force.
create function review_queue_on_outcome() returns trigger language plpgsql as $$
begin
  update review_queue q set score = o.score, passed = o.passed
  from effective_outcome(new.call_id, 'infinity') o
  where q.call_id = new.call_id and (q.score, q.passed) is distinct from (o.score, o.passed);
  return null;
end $$;
create trigger call_outcome_events_review_queue after insert on call_outcome_events
  for each row execute function review_queue_on_outcome();

-- Backfill: every sampled call already scored, with its newest score.
insert into review_queue (call_id, month, agent_id, reason, started_at, needs_review, auto_score, auto_passed,
                          score, passed)
select s.call_id, s.month, s.agent_id, s.reason, c.started_at, cs.needs_review, cs.score, cs.passed,
       coalesce(o.score, cs.score), coalesce(o.passed, cs.passed)
from sample_items s
join calls c on c.call_id = s.call_id
cross join lateral (
  select needs_review, score, passed from call_scores x where x.call_id = s.call_id
  order by x.created_at desc, x.scorecard_version desc limit 1) cs
left join lateral effective_outcome(s.call_id, 'infinity') o on true;
