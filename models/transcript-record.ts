import { MAX_DURATION_S } from './call-record.ts';
import { hasUnsafeCharacter, idProblem, MAX_ID_LENGTH } from './input-checks.ts';
import type { Speaker, Transcript, TranscriptSegment } from './transcript.ts';

/**
 * A transcript made elsewhere (many call centres already have them), as
 * imported through `callqa import-transcripts` or POST /calls/:id/transcript,
 * and the one place its limits are checked. Pure: the call's duration, when
 * known, is passed in.
 *
 * The limits are sized from the longest call worth scoring, two hours: Mandarin
 * runs at about 4 characters a second and ASR or diarisation cuts an utterance
 * every 2–5 s, so a dense two-hour call is ~3,600 segments and ~30,000
 * characters. 20,000 segments (one every 0.36 s for two hours) and 200,000
 * characters leave five times that and more, while keeping one transcript well
 * under the scoring engine's and the request body's budgets.
 */
export const TRANSCRIPT_LIMITS = {
  maxSegments: 20_000,
  /** A Whisper window is 30 s (~250 characters); an utterance this long is a broken export. */
  maxSegmentChars: 2_000,
  maxTotalChars: 200_000,
  /** Times may run this far past the call's recorded duration (switches round it down). */
  durationSlackS: 5,
  maxLanguageLength: 16,
  /**
   * One transcript as JSON: a JSONL line of `callqa import-transcripts` or the
   * body of POST /calls/:id/transcript. A transcript at every limit above is
   * about 2 MB; this leaves room for a file that breaks one of them to be
   * read and refused with its code rather than skipped unread.
   */
  maxJsonBytes: 20 * 1024 * 1024,
} as const;

/** At most this many problems are reported per transcript; a broken export repeats one mistake. */
const MAX_PROBLEMS = 10;

const SPEAKERS: readonly Speaker[] = ['agent', 'customer', 'unknown'];
const LANGUAGE = /^[a-z]{2,3}([-_][A-Za-z0-9]{1,8})*$/;

export type TranscriptProblemCode =
  | 'transcript_not_object'
  | 'transcript_missing_call_id'
  | 'transcript_invalid_call_id'
  | 'transcript_invalid_language'
  | 'transcript_invalid_channel'
  | 'transcript_no_segments'
  | 'transcript_too_many_segments'
  | 'transcript_invalid_segment'
  | 'transcript_invalid_speaker'
  | 'transcript_invalid_time'
  | 'transcript_end_before_start'
  | 'transcript_beyond_call'
  | 'transcript_text_too_long'
  | 'transcript_too_much_text'
  | 'transcript_control_character'
  | 'transcript_invalid_confidence';

/** What is wrong, as a stable code with parameters; `describeTranscriptProblem` renders the words. */
export interface TranscriptProblem {
  code: TranscriptProblemCode;
  params: Record<string, string | number>;
}

export type ParsedTranscript =
  { ok: true; transcript: Transcript } | { ok: false; problems: TranscriptProblem[]; reason: string };

/**
 * Validates a transcript record. `callIdFromPath` (the API's :id) wins over a
 * `call_id`/`callId` field. Never throws, never recurses, never spreads the
 * segments into a call, so any JSON value is answered in time linear in its size.
 */
export function parseTranscriptRecord(raw: unknown, callIdFromPath?: string): ParsedTranscript {
  const problems: TranscriptProblem[] = [];
  const fail = (): ParsedTranscript => ({ ok: false, problems, reason: describeProblems(problems) });
  const add = (code: TranscriptProblemCode, params: TranscriptProblem['params'] = {}) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ code, params });
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    add('transcript_not_object');
    return fail();
  }
  const input = raw as Record<string, unknown>;

  const callId = callIdFromPath ?? input.call_id ?? input.callId;
  if (callId === undefined || callId === null || callId === '') add('transcript_missing_call_id');
  else if (typeof callId !== 'string' || idProblem(callId)) {
    add('transcript_invalid_call_id', { max: MAX_ID_LENGTH });
  }

  const language = input.language ?? 'zh';
  if (
    typeof language !== 'string' ||
    language.length > TRANSCRIPT_LIMITS.maxLanguageLength ||
    !LANGUAGE.test(language)
  ) {
    add('transcript_invalid_language', { max: TRANSCRIPT_LIMITS.maxLanguageLength });
  }

  // phone (a call, the default) or chat (an online chat session): the scorecard profile depends on it.
  const channel = input.channel ?? 'phone';
  if (channel !== 'phone' && channel !== 'chat') add('transcript_invalid_channel');

  const rawSegments = input.segments;
  if (!Array.isArray(rawSegments) || rawSegments.length === 0) {
    add('transcript_no_segments');
    return fail();
  }
  if (rawSegments.length > TRANSCRIPT_LIMITS.maxSegments) {
    add('transcript_too_many_segments', { max: TRANSCRIPT_LIMITS.maxSegments, found: rawSegments.length });
    return fail();
  }

  const segments: TranscriptSegment[] = [];
  let totalChars = 0;
  for (let index = 0; index < rawSegments.length && problems.length < MAX_PROBLEMS; index += 1) {
    const segment = checkSegment(rawSegments[index], index, add);
    if (segment) {
      segments.push(segment);
      totalChars += segment.text.length;
    }
  }
  if (totalChars > TRANSCRIPT_LIMITS.maxTotalChars) {
    add('transcript_too_much_text', { max: TRANSCRIPT_LIMITS.maxTotalChars, found: totalChars });
  }
  if (problems.length > 0) return fail();

  segments.sort((a, b) => a.start - b.start);
  let durationS = 0;
  let mono = false;
  for (const s of segments) {
    if (s.end > durationS) durationS = s.end;
    if (s.speaker === 'unknown') mono = true;
  }
  return {
    ok: true,
    transcript: {
      callId: callId as string,
      language: language as string,
      ...(channel === 'chat' ? { channel: 'chat' as const } : {}),
      durationS,
      speakerMode: mono ? 'mono' : 'stereo',
      speakerDecision: { method: 'imported', confidence: 1, note: 'speakers as given by the importer' },
      segments,
      source: 'import',
    },
  };
}

/** Times must fall within the call: its recorded duration plus a little slack. */
export function checkTranscriptAgainstCall(
  transcript: Transcript,
  callDurationS: number,
): TranscriptProblem | undefined {
  const max = callDurationS + TRANSCRIPT_LIMITS.durationSlackS;
  const index = transcript.segments.findIndex((s) => s.end > max);
  if (index < 0) return undefined;
  return { code: 'transcript_beyond_call', params: { index, end: transcript.segments[index].end, max } };
}

function checkSegment(
  raw: unknown,
  index: number,
  add: (code: TranscriptProblemCode, params?: TranscriptProblem['params']) => void,
): TranscriptSegment | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    add('transcript_invalid_segment', { index, field: 'segment' });
    return undefined;
  }
  const s = raw as Record<string, unknown>;
  let ok = true;
  if (!SPEAKERS.includes(s.speaker as Speaker)) {
    add('transcript_invalid_speaker', { index });
    ok = false;
  }
  for (const field of ['start', 'end'] as const) {
    const value = s[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_DURATION_S) {
      add('transcript_invalid_time', { index, field, max: MAX_DURATION_S });
      ok = false;
    }
  }
  if (ok && (s.end as number) < (s.start as number)) {
    add('transcript_end_before_start', { index });
    ok = false;
  }
  if (typeof s.text !== 'string') {
    add('transcript_invalid_segment', { index, field: 'text' });
    ok = false;
  } else if (s.text.length > TRANSCRIPT_LIMITS.maxSegmentChars) {
    add('transcript_text_too_long', { index, max: TRANSCRIPT_LIMITS.maxSegmentChars });
    ok = false;
  } else if (hasUnsafeCharacter(s.text)) {
    add('transcript_control_character', { index });
    ok = false;
  }
  const confidence = s.confidence;
  if (confidence !== undefined && (typeof confidence !== 'number' || !(confidence >= 0 && confidence <= 1))) {
    add('transcript_invalid_confidence', { index });
    ok = false;
  }
  if (!ok) return undefined;
  // Only the known fields are kept: whatever else a segment carries is not stored.
  return {
    speaker: s.speaker as Speaker,
    start: s.start as number,
    end: s.end as number,
    text: s.text as string,
    ...(confidence !== undefined ? { confidence: confidence as number } : {}),
  };
}

/** English words for a problem, for the API message and the CLI. */
export function describeTranscriptProblem({ code, params: p }: TranscriptProblem): string {
  const at = p.index === undefined ? '' : `segments[${p.index}]`;
  switch (code) {
    case 'transcript_not_object':
      return 'expected a JSON object with call_id, language and segments';
    case 'transcript_missing_call_id':
      return 'call_id is missing';
    case 'transcript_invalid_call_id':
      return `call_id must be 1–${p.max} characters without control characters`;
    case 'transcript_invalid_language':
      return `language must be a language code such as zh or zh-CN (at most ${p.max} characters)`;
    case 'transcript_invalid_channel':
      return 'channel must be phone or chat';
    case 'transcript_no_segments':
      return 'a transcript needs at least one segment';
    case 'transcript_too_many_segments':
      return `a transcript has at most ${p.max} segments; this one has ${p.found}`;
    case 'transcript_invalid_segment':
      return p.field === 'segment' ? `${at} is not an object` : `${at}.${p.field} is missing or not text`;
    case 'transcript_invalid_speaker':
      return `${at}.speaker must be agent, customer or unknown`;
    case 'transcript_invalid_time':
      return `${at}.${p.field} must be a number of seconds from 0 to ${p.max}`;
    case 'transcript_end_before_start':
      return `${at}: end is before start`;
    case 'transcript_beyond_call':
      return `${at}.end ${p.end} s is past the end of the call (${p.max} s with slack)`;
    case 'transcript_text_too_long':
      return `${at}.text is longer than ${p.max} characters`;
    case 'transcript_too_much_text':
      return `a transcript has at most ${p.max} characters of text; this one has ${p.found}`;
    case 'transcript_control_character':
      return `${at}.text holds a NUL or another control character`;
    case 'transcript_invalid_confidence':
      return `${at}.confidence must be a number from 0 to 1`;
  }
}

function describeProblems(problems: TranscriptProblem[]): string {
  return problems.map(describeTranscriptProblem).join('; ');
}
