-- Versioned scorecards and per-call scores. Re-scoring under a new version adds rows; old results stay.

create table scorecards (
  scorecard_id  text not null,
  version       integer not null,
  name          text not null,
  language      text not null,
  applies_to    jsonb,
  source        text not null,     -- the scorecard file as loaded, so any result can be explained later
  sha256        text not null,
  created_at    timestamptz not null default now(),
  primary key (scorecard_id, version)
);

create table call_scores (
  call_id            text not null references calls,
  scorecard_id       text not null,
  scorecard_version  integer not null,
  score              numeric(6, 2) not null,
  passed             boolean not null,
  auto_failed        boolean not null,
  needs_review       boolean not null,
  result             jsonb not null, -- items with evidence, audio metrics, speaker decision
  created_at         timestamptz not null default now(),
  primary key (call_id, scorecard_id, scorecard_version),
  foreign key (scorecard_id, scorecard_version) references scorecards
);
create index call_scores_created on call_scores (created_at);
