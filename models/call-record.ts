/**
 * One call detail record (话单) as it arrives from a CSV row, a JSONL line or
 * the API, and its validation. Pure: no I/O, the clock is passed in.
 */
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

export type ParsedRecord = { ok: true; record: CallRecord } | { ok: false; reason: string };

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

const ISO_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

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
    return { ok: false, reason: 'expected an object with call fields' };
  }
  const input = raw as Record<string, unknown>;
  const get = (snake: string): string | undefined => {
    const camel = snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const value = input[snake] ?? input[camel];
    if (value === undefined || value === null) return undefined;
    const text = String(value).trim();
    return text === '' ? undefined : text;
  };

  const problems: string[] = [];
  const callId = get('call_id');
  const agentId = get('agent_id');
  if (!callId) problems.push('call_id is missing');
  else if (callId.length > 200) problems.push('call_id is longer than 200 characters');
  if (!agentId) problems.push('agent_id is missing');
  else if (agentId.length > 100) problems.push('agent_id is longer than 100 characters');

  const startedText = get('started_at');
  let startedAt: Date | undefined;
  if (!startedText) problems.push('started_at is missing');
  else {
    const result = parseTimestamp(startedText, now);
    if (typeof result === 'string') problems.push(result);
    else startedAt = result;
  }

  const durationText = get('duration_s');
  const durationS = Number(durationText);
  if (durationText === undefined) problems.push('duration_s is missing');
  else if (!Number.isFinite(durationS)) problems.push(`duration_s "${durationText}" is not a number`);
  else if (durationS < 0) problems.push(`duration_s ${durationS} is negative`);
  else if (durationS > MAX_DURATION_S) problems.push(`duration_s ${durationS} is over 24 hours`);

  const directionText = get('direction');
  const direction = directionText ? DIRECTIONS[directionText.toLowerCase()] : undefined;
  if (!directionText) problems.push('direction is missing');
  else if (!direction) problems.push(`direction "${directionText}" is not inbound or outbound`);

  const channelText = get('agent_channel');
  const agentChannel = channelText ? CHANNELS[channelText.toLowerCase()] : 'mono';
  if (!agentChannel) problems.push(`agent_channel "${channelText}" is not left, right or mono`);

  if (problems.length > 0) return { ok: false, reason: problems.join('; ') };
  return {
    ok: true,
    record: {
      callId: callId!,
      agentId: agentId!,
      agentName: get('agent_name'),
      team: get('team'),
      startedAt: startedAt!,
      durationS: Math.round(durationS * 1000) / 1000,
      direction: direction!,
      recording: get('recording'),
      agentChannel: agentChannel!,
    },
  };
}

function parseTimestamp(text: string, now: Date): Date | string {
  const match = ISO_WITH_OFFSET.exec(text);
  if (!match) {
    return `started_at "${text}" is not ISO 8601 with a UTC offset (e.g. 2026-10-08T09:15:00+08:00)`;
  }
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const date = new Date(text.replace(' ', 'T'));
  const calendar = new Date(Date.UTC(y, mo - 1, d));
  const validCalendar = calendar.getUTCMonth() === mo - 1 && calendar.getUTCDate() === d;
  if (Number.isNaN(date.getTime()) || !validCalendar || h > 23 || mi > 59 || (s ?? 0) > 59) {
    return `started_at "${text}" is not a real date and time`;
  }
  if (y < 2000) return `started_at "${text}" is before the year 2000`;
  if (date.getTime() > now.getTime() + 24 * 3600 * 1000) return `started_at "${text}" is in the future`;
  return date;
}
