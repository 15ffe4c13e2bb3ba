-- The processing pipeline of sampled calls. Postgres holds the state; queues only carry call ids.

-- When a run's picks entered the pipeline: each run is admitted once, so the
-- dispatcher never rescans the whole sample.
alter table sampling_runs add column admitted_at timestamptz;
create index sampling_runs_not_admitted on sampling_runs (run_id) where admitted_at is null;

create table call_processing (
  call_id          text primary key references calls,
  state            text not null default 'pending'
                   check (state in ('pending', 'transcribing', 'transcribed', 'scoring', 'scored', 'failed')),
  attempts         integer not null default 0,
  failure_code     text,
  failure_reason   text,
  failed_stage     text,
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now()
);
create index call_processing_open on call_processing (state) where state not in ('scored', 'failed');

create table transcripts (
  call_id           text primary key references calls,
  source            text not null check (source in ('asr', 'import')),
  language          text not null,
  speaker_mode      text not null check (speaker_mode in ('stereo', 'mono')),
  speaker_decision  jsonb not null,
  duration_s        numeric(10, 3) not null,
  segments          jsonb not null,
  speech            jsonb,
  model             text,
  timings           jsonb,
  created_at        timestamptz not null default now()
);
