import type { Speaker, Transcript } from '../../models/transcript.ts';
import { CallView } from './call-view.ts';
import type { CompiledCond, CompiledScorecard, PhraseSetLeaf } from './compile-scorecard.ts';

export interface AgentDetection {
  /** The label (as diarised) that is the agent. */
  agentLabel: Speaker;
  /** 0..1: how clearly the agent's early speech beat the other speaker's at matching the greeting. */
  confidence: number;
  /** Greeting match (0..1, mean over hello / identify / offer) per label. */
  scores: Partial<Record<Speaker, number>>;
  note: string;
}

function bestSimilarity(view: CallView, cond: CompiledCond, segments: number[]): number {
  let best = 0;
  if (cond.op === 'set') {
    for (const group of cond.groups) {
      for (const phrase of group) {
        for (const index of segments) best = Math.max(best, view.match(phrase, index)?.similarity ?? 0);
      }
    }
  } else if (cond.op === 'regex') {
    if (segments.some((index) => cond.re.test(view.text(index).text))) best = 1;
  } else if (cond.op === 'or' || cond.op === 'and') {
    for (const part of cond.parts) best = Math.max(best, bestSimilarity(view, part, segments));
  }
  return best;
}

/**
 * Mono calls are diarised into two anonymous speakers; the agent is the one
 * whose first utterances match the scorecard's greeting best. Confidence is
 * the margin between the two scores relative to the winner's.
 */
export function detectMonoAgent(compiled: CompiledScorecard, transcript: Transcript): AgentDetection {
  const greeting = compiled.greeting;
  const labels = [...new Set(transcript.segments.map((s) => s.speaker))];
  if (!greeting || labels.length === 0) {
    return { agentLabel: 'agent', confidence: 0, scores: {}, note: 'no greeting template or no speech' };
  }
  const view = new CallView(transcript);
  const first = greeting.window.first ?? { utterances: 2, seconds: 20 };
  const scores: Partial<Record<Speaker, number>> = {};
  for (const label of labels) {
    const own = view.segments.map((_, i) => i).filter((i) => view.segments[i].speaker === label);
    const origin = view.segments[own[0]].start;
    const early = own
      .slice(0, first.utterances ?? own.length)
      .filter((i) => first.seconds === undefined || view.segments[i].start < origin + first.seconds);
    const parts: Array<PhraseSetLeaf | CompiledCond> = [greeting.hello, greeting.identify, greeting.offer];
    scores[label] = parts.reduce((sum, part) => sum + bestSimilarity(view, part, early), 0) / parts.length;
  }
  const ranked = labels.sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0) || (a === 'agent' ? -1 : 1));
  const best = scores[ranked[0]] ?? 0;
  const second = ranked.length > 1 ? (scores[ranked[1]] ?? 0) : 0;
  const confidence = best > 0 ? Math.round(((best - second) / best) * 1000) / 1000 : 0;
  const note =
    best === 0
      ? 'no speaker matches the greeting; labels kept'
      : `${ranked[0]} label matches the greeting ${best.toFixed(2)} vs ${second.toFixed(2)}`;
  return { agentLabel: best > 0 ? ranked[0] : 'agent', confidence, scores, note };
}

/** Relabels a transcript so the detected agent label becomes 'agent' and the other speaker 'customer'. */
export function assignAgent(transcript: Transcript, detection: AgentDetection): Transcript {
  const relabel = (speaker: Speaker): Speaker => {
    if (detection.agentLabel === 'agent') return speaker;
    if (speaker === detection.agentLabel) return 'agent';
    return speaker === 'agent' ? 'customer' : speaker;
  };
  return {
    ...transcript,
    segments: transcript.segments.map((segment) => ({ ...segment, speaker: relabel(segment.speaker) })),
    speakerDecision: {
      method: detection.confidence > 0 ? 'greeting_match' : 'default',
      confidence: detection.confidence,
      note: detection.note,
    },
  };
}
