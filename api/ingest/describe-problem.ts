import type { IngestProblemCode, Problem, ProblemParams } from '../../models/ingest-problem.ts';
import { describeTranscriptProblem, type TranscriptProblem } from '../../models/transcript-record.ts';

/** Quoted with escapes, so a control character in a value shows as \u0000 rather than breaking the line. */
const q = (value: string | number | undefined) => JSON.stringify(String(value ?? ''));

const TEXT: Record<IngestProblemCode, (p: ProblemParams) => string> = {
  not_an_object: () => 'expected an object with call fields',
  malformed_json: (p) => `malformed JSON: ${p.detail}`,
  csv_unterminated_quote: () =>
    'unreadable CSV: a quoted field is not closed on this line (records are one line each)',
  csv_stray_quote: (p) => `unreadable CSV: unexpected character after the closing quote of field ${p.column}`,
  column_count: (p) => `expected ${p.expected} columns, found ${p.found}`,
  line_too_long: (p) => `line is longer than ${p.max} bytes; skipped without reading it`,
  undecodable_line: (p) =>
    `bytes at offset ${p.offset} are not valid ${p.encoding}; the line was not stored (use --encoding to choose)`,
  field_missing: (p) => `${p.field} is missing`,
  field_not_text: (p) => `${p.field} is ${p.type === 'object' ? 'an object' : `a ${p.type}`}, not text`,
  field_too_long: (p) => `${p.field} is longer than ${p.max} characters`,
  control_character: (p) => `${p.field} contains control character ${p.codePoint} at position ${p.position}`,
  malformed_text: (p) => `${p.field} contains an unpaired UTF-16 surrogate`,
  timestamp_format: (p) =>
    `${p.field} ${q(p.value)} is not ISO 8601 with a UTC offset (e.g. 2026-10-08T09:15:00+08:00)`,
  timestamp_not_real: (p) => `${p.field} ${q(p.value)} is not a real date and time`,
  timestamp_too_early: (p) => `${p.field} ${q(p.value)} is before the year 2000`,
  timestamp_in_future: (p) => `${p.field} ${q(p.value)} is in the future`,
  duration_not_decimal: (p) => `duration_s ${q(p.value)} is not a number (plain decimal seconds, e.g. 65.5)`,
  duration_negative: (p) => `duration_s ${p.value} is negative`,
  duration_too_long: (p) => `duration_s ${p.value} is over 24 hours`,
  direction_unknown: (p) => `direction ${q(p.value)} is not inbound or outbound`,
  channel_unknown: (p) => `agent_channel ${q(p.value)} is not left, right or mono`,
  active_unknown: (p) => `active ${q(p.value)} is not true or false`,
  month_invalid: (p) => `month ${q(p.value)} is not YYYY-MM (2000-01 to 2100-12)`,
  score_invalid: (p) => `score ${q(p.value)} is not 0–100`,
  passed_invalid: (p) => `passed ${q(p.value)} is not true or false`,
  duplicate_call_id: (p) =>
    p.firstLine !== undefined
      ? `duplicate call_id ${p.callId} (first on line ${p.firstLine}); the first one was kept`
      : `duplicate call_id ${p.callId} in this request`,
  call_not_found: (p) => `call ${p.callId} is not registered; ingest its call record first`,
  agent_not_found: (p) => `agent ${p.agentId} is not known; load calls or a roster first`,
  database_rejected: (p) => `PostgreSQL refused the row (SQLSTATE ${p.sqlstate})`,
};

/** English text for one problem (the CLI line, the API's `reason`). */
export function describeProblem(problem: Problem): string {
  if (isTranscriptProblem(problem)) return describeTranscriptProblem(problem);
  return TEXT[problem.code](problem.params ?? {});
}

const isTranscriptProblem = (problem: Problem): problem is TranscriptProblem =>
  problem.code.startsWith('transcript_');

/** All of a row's problems on one line. */
export function describeProblems(problems: readonly Problem[]): string {
  return problems.map(describeProblem).join('; ');
}
