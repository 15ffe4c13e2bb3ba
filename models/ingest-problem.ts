import type { TranscriptProblem, TranscriptProblemCode } from './transcript-record.ts';

/**
 * Why an input row (a CSV/JSONL line, an item of POST /calls) was rejected: a
 * stable code plus parameters. Words are rendered at the edge (CLI line, API
 * message) by api/ingest/describe-problem.ts, so the codes can be counted,
 * filtered and translated.
 */
export type IngestProblemCode =
  // the row's shape
  | 'not_an_object'
  | 'malformed_json'
  | 'csv_unterminated_quote'
  | 'csv_stray_quote'
  | 'column_count'
  | 'line_too_long'
  | 'undecodable_line'
  // one field
  | 'field_missing'
  | 'field_not_text'
  | 'field_too_long'
  | 'control_character'
  | 'malformed_text'
  | 'timestamp_format'
  | 'timestamp_not_real'
  | 'timestamp_too_early'
  | 'timestamp_in_future'
  | 'duration_not_decimal'
  | 'duration_negative'
  | 'duration_too_long'
  | 'direction_unknown'
  | 'channel_unknown'
  | 'active_unknown'
  | 'month_invalid'
  | 'score_invalid'
  | 'passed_invalid'
  // the row against the others and the database
  | 'duplicate_call_id'
  | 'call_not_found'
  | 'agent_not_found'
  | 'database_rejected';

/** A transcript line's own checks are models/transcript-record.ts's, with its codes. */
export type ProblemCode = IngestProblemCode | TranscriptProblemCode;

export type ProblemParams = Readonly<Record<string, string | number>>;

export type Problem = { code: IngestProblemCode; params?: ProblemParams } | TranscriptProblem;

export const problem = (code: IngestProblemCode, params?: ProblemParams): Problem =>
  params ? { code, params } : { code };

/** Values echoed back in a reason are clipped: a 50 MB name is not repeated in a report. */
export function clip(value: string, max = 60): string {
  return value.length <= max ? value : `${value.slice(0, max)}…`;
}
