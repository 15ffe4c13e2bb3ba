-- Where a transcript came from: a phone call (recorded, or imported from another ASR) or an
-- online chat session (imported). The scorecard profile is chosen by it.
alter table transcripts
  add column channel text not null default 'phone' check (channel in ('phone', 'chat'));
