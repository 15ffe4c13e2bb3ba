import type { Speaker, Transcript, TranscriptSegment } from '../../models/transcript.ts';
import type { LabelledCall } from '../../workers/scoring/labelled-call.ts';

/**
 * Builds timed transcripts from scripted turns, the way the labelled-set
 * generator, the tests and the benchmark all need them: segment times follow
 * a speaking rate, gaps can be silences (holds, dead air) or negative
 * (overtalk), and the speech map is derived from the segments.
 */

export interface Turn {
  speaker: Speaker;
  text: string;
  /** Silence before this turn (s); negative = starts before the previous turn ends. */
  gap?: number;
  /** Characters per second for this turn. */
  rate?: number;
  confidence?: number;
}

export interface BuildOptions {
  callId?: string;
  language?: 'zh' | 'en';
  speakerMode?: 'stereo' | 'mono';
  /** Default characters (zh) or words×? (en: letters) per second. */
  agentRate?: number;
  customerRate?: number;
  random?: () => number;
  /** Extra seconds after the last turn (ringing down, hang-up). */
  tail?: number;
  lead?: number;
}

function units(text: string, language: 'zh' | 'en'): number {
  if (language === 'en') return text.split(/\s+/).filter(Boolean).length;
  return text.match(/\p{Script=Han}|[0-9]+/gu)?.length ?? 0;
}

const round = (value: number): number => Math.round(value * 100) / 100;

export function buildTranscript(turns: Turn[], options: BuildOptions = {}): Transcript {
  const language = options.language ?? 'zh';
  const random = options.random ?? (() => 0.5);
  const mode = options.speakerMode ?? 'stereo';
  // en rates are words per second.
  const agentRate = options.agentRate ?? (language === 'en' ? 2.5 : 4);
  const customerRate = options.customerRate ?? (language === 'en' ? 2.6 : 4.4);
  const segments: TranscriptSegment[] = [];
  let cursor = options.lead ?? 0.5;
  let lastEnd = cursor;
  for (const turn of turns) {
    const gap = turn.gap ?? 0.3 + random() * 0.7;
    const start = segments.length === 0 ? cursor : Math.max(0, lastEnd + gap);
    const rate = turn.rate ?? (turn.speaker === 'agent' ? agentRate : customerRate);
    const duration = Math.max(0.6, units(turn.text, language) / rate);
    const end = start + duration;
    segments.push({
      speaker: turn.speaker,
      start: round(start),
      end: round(end),
      text: turn.text,
      ...(turn.confidence !== undefined ? { confidence: turn.confidence } : {}),
    });
    cursor = end;
    lastEnd = Math.max(lastEnd, end);
  }
  const spans = (speaker: Speaker): Array<[number, number]> =>
    segments.filter((s) => s.speaker === speaker).map((s): [number, number] => [s.start, s.end]);
  const mixed = mergeAll(segments.map((s): [number, number] => [s.start, s.end]));
  return {
    callId: options.callId ?? 'call',
    language,
    durationS: round(lastEnd + (options.tail ?? 1)),
    speakerMode: mode,
    speakerDecision:
      mode === 'stereo' ? { method: 'channel', confidence: 1 } : { method: 'default', confidence: 0 },
    segments,
    speech: mode === 'stereo' ? { agent: spans('agent'), customer: spans('customer') } : { mixed },
    source: 'asr',
  };
}

function mergeAll(spans: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** Swaps agent/customer labels (a mono call whose diariser guessed the wrong way round). */
export function swapSpeakers(transcript: Transcript): Transcript {
  const swap = (speaker: Speaker): Speaker =>
    speaker === 'agent' ? 'customer' : speaker === 'customer' ? 'agent' : speaker;
  return { ...transcript, segments: transcript.segments.map((s) => ({ ...s, speaker: swap(s.speaker) })) };
}

export function toLabelled(
  id: string,
  transcript: Transcript,
  expected: LabelledCall['expected'],
  extra: Pick<LabelledCall, 'scorecard' | 'note' | 'context'> = {},
): LabelledCall {
  const { language, speakerMode, durationS, segments, speech } = transcript;
  return {
    id,
    ...extra,
    transcript: { language, speakerMode, durationS, segments, ...(speech ? { speech } : {}) },
    expected,
  };
}
