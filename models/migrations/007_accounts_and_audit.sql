-- People: users with a role, their teams, browser sessions, API tokens, login
-- attempts (rate limit and lock-out) and the append-only audit log.

create table users (
  user_id        bigserial primary key,
  username       text not null unique,
  role           text not null check (role in ('agent', 'qa', 'supervisor', 'admin')),
  -- An agent user sees the calls of this agent (工号). No foreign key: an
  -- account may be made before the agent's first call record arrives.
  agent_id       text,
  -- 'scrypt$N$r$p$<salt base64>$<hash base64>'; null means no password login (token only).
  password_hash  text,
  disabled_at    timestamptz,
  created_at     timestamptz not null default now(),
  check ((role = 'agent') = (agent_id is not null))
);

-- The teams a supervisor oversees (no foreign key, for the same reason as agent_id).
create table user_teams (
  user_id  bigint not null references users on delete cascade,
  team_id  text not null,
  primary key (user_id, team_id)
);

-- Only the SHA-256 of a session id is stored: a leaked table opens no session.
create table sessions (
  session_hash  bytea primary key,
  user_id       bigint not null references users on delete cascade,
  created_at    timestamptz not null default now(),
  expires_at    timestamptz not null
);
create index sessions_user on sessions (user_id);

-- Only the SHA-256 of a token is stored; the token is shown once when it is made.
create table api_tokens (
  token_id      bigserial primary key,
  user_id       bigint not null references users on delete cascade,
  token_hash    bytea not null unique,
  created_at    timestamptz not null default now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);

-- Every login attempt, by the username typed (known or not) and the client address.
create table login_attempts (
  attempt_id  bigserial primary key,
  username    text not null,
  ip          text not null,
  succeeded   boolean not null,
  at          timestamptz not null default now()
);
create index login_attempts_username on login_attempts (username, at);
create index login_attempts_ip on login_attempts (ip, at) where not succeeded;

-- Who did what, when, with the state before and after. Append-only: the
-- trigger below refuses updates and deletes whoever asks.
create table audit_log (
  audit_id       bigserial primary key,
  at             timestamptz not null default now(),
  actor_user_id  bigint,
  actor          text not null,          -- username, or 'cli:<os user>' for the operator CLI
  action         text not null,          -- a stable code: login, calls_ingested, user_added, …
  target         text,                   -- what it was done to: 'call:<id>', 'user:<name>', …
  before         jsonb,
  after          jsonb,
  ip             text
);
create index audit_log_at on audit_log (at, audit_id);
create index audit_log_actor on audit_log (actor, audit_id);
create index audit_log_action on audit_log (action, audit_id);

create function audit_log_is_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only' using errcode = '42501';
end $$;
create trigger audit_log_append_only before update or delete or truncate on audit_log
  for each statement execute function audit_log_is_append_only();
