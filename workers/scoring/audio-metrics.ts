import type { SpeechSpans, Transcript } from '../../models/transcript.ts';
import type { AudioMetrics } from './call-score.ts';

/**
 * Audio metrics from the workers' speech/silence map. Imported transcripts
 * have no map, so segment times stand in for it (and `source` says so).
 */

export interface CallSpans {
  source: AudioMetrics['source'];
  agent: SpeechSpans;
  customer: SpeechSpans;
  /** Anyone speaking: the union of both channels, or the mono `mixed` map. */
  all: SpeechSpans;
  /** Whether agent and customer spans are separate channels (needed for overtalk). */
  separateChannels: boolean;
}

/**
 * Sorts and merges overlapping or touching spans. Spans are read by index, not
 * destructured: a call merges ~150 of them, and destructuring went through
 * the array iterator (most of this function's time).
 */
export function mergeSpans(spans: SpeechSpans): SpeechSpans {
  // filter already copies the list: sorting the copy leaves the caller's order alone.
  const sorted = spans.filter((span) => span[1] > span[0]).sort((a, b) => a[0] - b[0]);
  const out: SpeechSpans = [];
  for (let i = 0; i < sorted.length; i += 1) {
    const start = sorted[i][0];
    const end = sorted[i][1];
    const last = out[out.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out;
}

export function totalOf(spans: SpeechSpans): number {
  let total = 0;
  for (let i = 0; i < spans.length; i += 1) total += spans[i][1] - spans[i][0];
  return total;
}

/** Intersections of two sorted, merged span lists. */
export function intersectSpans(a: SpeechSpans, b: SpeechSpans): SpeechSpans {
  const out: SpeechSpans = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const start = Math.max(a[i][0], b[j][0]);
    const end = Math.min(a[i][1], b[j][1]);
    if (end > start) out.push([start, end]);
    if (a[i][1] < b[j][1]) i += 1;
    else j += 1;
  }
  return out;
}

/** Silences between the first and the last speech (ringing before and hang-up after are not dead air). */
export function gapsBetween(spans: SpeechSpans): SpeechSpans {
  const out: SpeechSpans = [];
  for (let i = 1; i < spans.length; i += 1) {
    if (spans[i][0] > spans[i - 1][1]) out.push([spans[i - 1][1], spans[i][0]]);
  }
  return out;
}

export function callSpans(transcript: Transcript): CallSpans {
  const speech = transcript.speech;
  const fromSegments = (speaker: 'agent' | 'customer'): SpeechSpans =>
    mergeSpans(
      transcript.segments.filter((s) => s.speaker === speaker).map((s): [number, number] => [s.start, s.end]),
    );
  if (speech?.agent || speech?.customer) {
    const agent = mergeSpans(speech.agent ?? []);
    const customer = mergeSpans(speech.customer ?? []);
    return {
      source: 'speech-map',
      agent,
      customer,
      all: mergeSpans([...agent, ...customer]),
      separateChannels: true,
    };
  }
  const agent = fromSegments('agent');
  const customer = fromSegments('customer');
  if (speech?.mixed) {
    return { source: 'speech-map', agent, customer, all: mergeSpans(speech.mixed), separateChannels: false };
  }
  const all = mergeSpans(transcript.segments.map((s): [number, number] => [s.start, s.end]));
  return { source: 'segments', agent, customer, all, separateChannels: transcript.speakerMode === 'stereo' };
}

/** Counts Han characters and Latin words: what "characters per minute" means for zh and en alike. */
export function spokenUnits(text: string): number {
  let units = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    const wordChar =
      (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 39;
    if (wordChar && !inWord) units += 1;
    inWord = wordChar;
    if ((code >= 0x3400 && code <= 0x9fff) || (code >= 0xf900 && code <= 0xfaff)) units += 1;
  }
  return units;
}

export function audioMetrics(
  transcript: Transcript,
  spans: CallSpans,
  deadAirS: number,
  minOverlapS: number,
): AudioMetrics {
  const gaps = gapsBetween(spans.all).filter((gap) => gap[1] - gap[0] > deadAirS);
  const overlaps = spans.separateChannels
    ? intersectSpans(spans.agent, spans.customer).filter((overlap) => overlap[1] - overlap[0] >= minOverlapS)
    : [];
  const agentSpeechS = totalOf(spans.agent);
  const customerSpeechS = totalOf(spans.customer);
  const agentUnits = transcript.segments
    .filter((s) => s.speaker === 'agent')
    .reduce((sum, s) => sum + spokenUnits(s.text), 0);
  const round = (value: number): number => Math.round(value * 100) / 100;
  return {
    source: spans.source,
    deadAirLongestS: round(gaps.reduce((max, gap) => Math.max(max, gap[1] - gap[0]), 0)),
    deadAirCount: gaps.length,
    overtalkTotalS: round(totalOf(overlaps)),
    overtalkCount: overlaps.length,
    agentSpeechS: round(agentSpeechS),
    customerSpeechS: round(customerSpeechS),
    agentCharsPerMinute: agentSpeechS > 0 ? round((agentUnits * 60) / agentSpeechS) : 0,
    agentTalkShare:
      agentSpeechS + customerSpeechS > 0 ? round(agentSpeechS / (agentSpeechS + customerSpeechS)) : 0,
  };
}
