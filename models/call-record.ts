/**
 * One call detail record (话单) as it arrives from a CSV row, a JSONL line or
 * the API, and its validation. Pure: no I/O, the clock is passed in.
 *
 * Every field has one rule here (type, length bound, allowed characters), used
 * by the call ingest, the API and the roster alike.
 */
import { clip, problem, type Problem } from './ingest-problem.ts';
import { codePointLength, forbiddenCharacter, hasLoneSurrogate, MAX_ID_LENGTH } from './input-checks.ts';

export type Direction = 'inbound' | 'outbound';
export type AgentChannel = 'left' | 'right' | 'mono';

export interface CallRecord {
  callId: string;
  agentId: string;
  agentName?: string;
  team?: string;
  startedAt: Date;
  durationS: number;
  direction: Direction;
  recording?: string;
  agentChannel: AgentChannel;
}

export type ParsedRecord = { ok: true; record: CallRecord } | { ok: false; problems: Problem[] };

export const CALL_FIELDS = [
  'call_id',
  'agent_id',
  'agent_name',
  'team',
  'started_at',
  'duration_s',
  'direction',
  'recording',
  'agent_channel',
] as const;

/** A day is the longest call any switch records; longer means a broken export. */
export const MAX_DURATION_S = 24 * 3600;

export interface TextRule {
  /** Longest value in characters (code points), after trimming. */
  max: number;
  /** JSON numbers are taken as their decimal text (工号 1001 in a JSONL file); never objects or arrays. */
  numbers?: boolean;
}

/**
 * The bounds of every text field. Ids are compared byte for byte with the
 * switch's own records; names and teams are shown to people. 200 characters is
 * far above any real value and far below PostgreSQL's btree limit (~2,700
 * bytes per index entry), so a primary key never fails in the database.
 */
export const FIELD_RULES = {
  call_id: { max: MAX_ID_LENGTH, numbers: true },
  agent_id: { max: MAX_ID_LENGTH, numbers: true },
  agent_name: { max: 200 },
  team: { max: 200, numbers: true },
  supervisor: { max: 200 },
  started_at: { max: 64 },
  duration_s: { max: 32, numbers: true },
  direction: { max: 32 },
  agent_channel: { max: 32 },
  recording: { max: 2048 },
} as const satisfies Record<string, TextRule>;

export type FieldResult = { value?: string; problem?: Problem };

/**
 * Reads one text field. Values are trimmed and otherwise stored as given: no
 * Unicode normalisation, because NFC rewrites CJK compatibility ideographs
 * (U+F900–U+FAFF) that some people's names are written with, and ids must keep
 * matching the source system byte for byte.
 */
export function readTextField(value: unknown, field: string, rule: TextRule): FieldResult {
  if (value === undefined || value === null) return {};
  let text: string;
  if (typeof value === 'string') text = value;
  else if (rule.numbers && typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else {
    const type = Array.isArray(value) ? 'array' : typeof value;
    return { problem: problem('field_not_text', { field, type }) };
  }
  // The UTF-16 length bounds the code points from above, so a 50 MB value is refused without scanning it.
  if (text.length > rule.max * 2 + 1024)
    return { problem: problem('field_too_long', { field, max: rule.max }) };
  text = text.trim();
  if (text === '') return {};
  if (text.length > rule.max && codePointLength(text) > rule.max) {
    return { problem: problem('field_too_long', { field, max: rule.max }) };
  }
  // One-line fields refuse what ids refuse (models/input-checks.ts): no field is multi-line.
  const bad = forbiddenCharacter(text);
  if (bad) return { problem: problem('control_character', { field, ...bad }) };
  if (hasLoneSurrogate(text)) return { problem: problem('malformed_text', { field }) };
  return { value: text };
}

const ISO_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Seconds as plain decimal text: no sign, exponent, hex/binary prefix, Infinity or NaN. */
const PLAIN_DECIMAL = /^-?(?:\d+(?:\.\d*)?|\.\d+)$/;

const DIRECTIONS: Record<string, Direction> = {
  inbound: 'inbound',
  in: 'inbound',
  呼入: 'inbound',
  outbound: 'outbound',
  out: 'outbound',
  呼出: 'outbound',
};

const CHANNELS: Record<string, AgentChannel> = {
  left: 'left',
  right: 'right',
  mono: 'mono',
  l: 'left',
  r: 'right',
};

/** Accepts snake_case (files) or camelCase (API) field names. */
export function parseCallRecord(raw: unknown, now: Date): ParsedRecord {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, problems: [problem('not_an_object')] };
  }
  const input = raw as Record<string, unknown>;
  const problems: Problem[] = [];
  const get = (field: keyof typeof FIELD_RULES): string | undefined => {
    const camel = field.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const result = readTextField(input[field] ?? input[camel], field, FIELD_RULES[field]);
    if (result.problem) problems.push(result.problem);
    return result.value;
  };
  const required = (field: keyof typeof FIELD_RULES): string | undefined => {
    const before = problems.length;
    const value = get(field);
    if (value === undefined && problems.length === before) problems.push(problem('field_missing', { field }));
    return value;
  };

  const callId = required('call_id');
  const agentId = required('agent_id');
  const agentName = get('agent_name');
  const team = get('team');
  const recording = get('recording');

  const startedText = required('started_at');
  let startedAt: Date | undefined;
  if (startedText !== undefined) {
    const result = parseTimestamp(startedText, now);
    if ('code' in result) problems.push(result);
    else startedAt = result;
  }

  const durationText = required('duration_s');
  const durationS = Number(durationText);
  if (durationText !== undefined) {
    const value = clip(durationText);
    if (!PLAIN_DECIMAL.test(durationText)) problems.push(problem('duration_not_decimal', { value }));
    else if (durationS < 0) problems.push(problem('duration_negative', { value }));
    else if (durationS > MAX_DURATION_S) {
      problems.push(problem('duration_too_long', { value, max: MAX_DURATION_S }));
    }
  }

  const directionText = required('direction');
  const direction = directionText ? DIRECTIONS[directionText.toLowerCase()] : undefined;
  if (directionText && !direction)
    problems.push(problem('direction_unknown', { value: clip(directionText) }));

  const channelText = get('agent_channel');
  const agentChannel = channelText ? CHANNELS[channelText.toLowerCase()] : 'mono';
  if (channelText && !agentChannel) problems.push(problem('channel_unknown', { value: clip(channelText) }));

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    record: {
      callId: callId!,
      agentId: agentId!,
      agentName,
      team,
      startedAt: startedAt!,
      durationS: Math.round(durationS * 1000) / 1000,
      direction: direction!,
      recording,
      agentChannel: agentChannel!,
    },
  };
}

function parseTimestamp(text: string, now: Date): Date | Problem {
  const value = clip(text);
  const match = ISO_WITH_OFFSET.exec(text);
  if (!match) return problem('timestamp_format', { field: 'started_at', value });
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const date = new Date(text.replace(' ', 'T'));
  const calendar = new Date(Date.UTC(y, mo - 1, d));
  const validCalendar = calendar.getUTCMonth() === mo - 1 && calendar.getUTCDate() === d;
  if (Number.isNaN(date.getTime()) || !validCalendar || h > 23 || mi > 59 || (s ?? 0) > 59) {
    return problem('timestamp_not_real', { field: 'started_at', value });
  }
  if (y < 2000) return problem('timestamp_too_early', { field: 'started_at', value });
  if (date.getTime() > now.getTime() + 24 * 3600 * 1000) {
    return problem('timestamp_in_future', { field: 'started_at', value });
  }
  return date;
}
