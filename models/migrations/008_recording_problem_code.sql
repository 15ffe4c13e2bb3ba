-- Why a call's recording was flagged at ingest, as the stable code (path_escape, url_not_allowed,
-- not_found, …) beside the message, so a failed call says which problem it has without parsing text.
alter table calls add column recording_problem_code text;
