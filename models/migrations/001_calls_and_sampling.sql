-- Calls in (call detail records, 话单), agents and teams, and the QA sample.

create table teams (
  team_id     text primary key,
  name        text not null,
  supervisor  text,
  created_at  timestamptz not null default now()
);

create table agents (
  agent_id    text primary key,            -- 工号
  agent_name  text not null,
  team_id     text references teams,
  active      boolean not null default true,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);

create table calls (
  call_id            text primary key,
  agent_id           text not null references agents,
  team_id            text references teams, -- the team at the time of the call
  started_at         timestamptz not null,
  duration_s         numeric(10, 3) not null check (duration_s >= 0),
  direction          text not null check (direction in ('inbound', 'outbound')),
  recording          text,                  -- path under the storage root, absolute path, or http(s) URL
  agent_channel      text not null default 'mono' check (agent_channel in ('left', 'right', 'mono')),
  recording_status   text not null default 'none'
                     check (recording_status in ('none', 'ok', 'remote', 'unreadable', 'uploaded')),
  recording_problem  text,
  ingested_at        timestamptz not null default now(),
  updated_at         timestamptz not null default now()
);
create index calls_agent_started on calls (agent_id, started_at, call_id);
-- Calls arrive roughly in time order, so a BRIN index finds a month's pages for almost nothing.
create index calls_started_brin on calls using brin (started_at);

-- The final QA score of an agent for a month (上月服务得分): imported, or
-- computed from scored calls once scoring runs. Drives adaptive quotas.
create table agent_month_scores (
  agent_id     text not null references agents,
  month        date not null check (extract(day from month) = 1),
  score        numeric(6, 2) not null,
  source       text not null default 'import' check (source in ('import', 'computed')),
  recorded_at  timestamptz not null default now(),
  primary key (agent_id, month)
);

-- The QA outcome of one reviewed call: drives the neighbour rule.
create table qa_outcomes (
  call_id      text primary key references calls,
  score        numeric(6, 2) not null,
  passed       boolean not null,
  source       text not null default 'import',
  recorded_at  timestamptz not null default now()
);

create table sampling_runs (
  run_id       bigserial primary key,
  kind         text not null check (kind in ('scheduled', 'on_demand', 'manual_pick')),
  month        date not null check (extract(day from month) = 1),
  through      timestamptz not null,      -- calls started before this instant were considered
  time_zone    text not null,
  seed         text not null,
  params       jsonb not null,
  created_at   timestamptz not null default now(),
  finished_at  timestamptz,
  summary      jsonb
);
create index sampling_runs_month on sampling_runs (month, run_id);

-- Why each agent got the quota it got in a run: the audit trail of the quota maths.
create table sampling_run_agents (
  run_id            bigint not null references sampling_runs on delete cascade,
  agent_id          text not null references agents,
  prev_month_calls  integer not null,
  month_calls       integer not null,
  last_score        numeric(6, 2),
  mode              text not null,
  multiplier        numeric(6, 3) not null,
  quota             integer not null,
  random_target     integer not null,
  random_before     integer not null,
  primary key (run_id, agent_id)
);

-- The sample. A call is sampled at most once (primary key), by one run, for one reason.
-- No foreign keys here on purpose: rows are only ever inserted by the sampler,
-- from calls, under the run it created in the same transaction, and never
-- deleted; per-row key checks would double the cost of storing a month's
-- sample (1.3M short and long calls at 10M calls a month).
create table sample_items (
  call_id     text primary key,
  run_id      bigint not null,
  agent_id    text not null,
  month       date not null,
  reason      text not null check (reason in
              ('random_quota', 'short_call', 'long_call', 'neighbour', 'exemption_month', 'manual')),
  detail      jsonb,
  created_at  timestamptz not null default now()
);
create index sample_items_run on sample_items (run_id);
