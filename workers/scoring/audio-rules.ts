import type { SpeechSpans } from '../../models/transcript.ts';
import { gapsBetween, intersectSpans, totalOf, type CallSpans } from './audio-metrics.ts';
import type { AudioMetrics } from './call-score.ts';
import type { CallView, RawHit } from './call-view.ts';
import type { CompiledRule, PhraseSetLeaf } from './compile-scorecard.ts';
import { findPhrase } from './evaluate-cond.ts';
import { naOutcome, type ItemOutcome } from './item-outcome.ts';
import { reason } from './reason.ts';

/** Rules decided by timing: hold etiquette, dead air, overtalk, speech rate, talk ratio. */

type MetricHit = NonNullable<ItemOutcome['metricHits']>[number];

const round = (value: number): number => Math.round(value * 100) / 100;

function metricHit(what: string, span: [number, number], speaker: MetricHit['speaker'] = 'both'): MetricHit {
  return {
    phrase: what,
    matchedText: `${what} ${round(span[1] - span[0])} s`,
    similarity: 1,
    method: 'metric',
    speaker,
    segmentIndex: null,
    start: round(span[0]),
    end: round(span[1]),
    uncertain: false,
  };
}

/** First hit of the leaf in agent segments whose time satisfies `near`. */
function phraseAround(
  view: CallView,
  leaf: PhraseSetLeaf,
  near: (start: number, end: number) => boolean,
): RawHit | null {
  for (const index of view.inScope('agent')) {
    const segment = view.segments[index];
    if (!near(segment.start, segment.end)) continue;
    for (const group of leaf.groups) {
      for (const phrase of group) {
        const hit = findPhrase(view, phrase, index, leaf.threshold, leaf.except);
        if (hit) return hit;
      }
    }
  }
  return null;
}

const SLACK_S = 0.5;

function holdEtiquette(
  view: CallView,
  spans: CallSpans,
  rule: Extract<CompiledRule, { kind: 'hold-etiquette' }>,
): ItemOutcome {
  const silences = gapsBetween(spans.all).filter(([s, e]) => e - s >= rule.minSilenceS);
  if (silences.length === 0) return naOutcome(reason('no_long_silence', { seconds: rule.minSilenceS }));
  const evidence: ItemOutcome['evidence'] = [];
  const metricHits: MetricHit[] = [];
  const problems: number[] = [];
  for (const [start, end] of silences) {
    const before = phraseAround(
      view,
      rule.before,
      (s, e) => e >= start - rule.withinS && s <= start + SLACK_S,
    );
    const after = phraseAround(view, rule.after, (s) => s >= end - SLACK_S && s <= end + rule.withinS);
    if (before) evidence.push({ hit: before });
    if (after) evidence.push({ hit: after });
    if (!before || !after) {
      metricHits.push(metricHit('hold', [start, end]));
      problems.push(round(start));
    }
  }
  if (problems.length === 0) {
    return {
      status: 'pass',
      reason: reason('holds_ok', { count: silences.length }),
      evidence,
      violations: false,
    };
  }
  return {
    status: 'fail',
    reason: reason('hold_problems', { count: problems.length, at: problems[0] }),
    evidence,
    violations: false,
    metricHits,
  };
}

function deadAir(
  view: CallView,
  spans: CallSpans,
  rule: Extract<CompiledRule, { kind: 'dead-air' }>,
): ItemOutcome {
  const long = gapsBetween(spans.all).filter(([s, e]) => e - s > rule.maxSilenceS);
  const holdPhrases = rule.holdPhrases;
  const unexplained = holdPhrases
    ? long.filter(
        ([start]) => !phraseAround(view, holdPhrases, (s, e) => e >= start - 15 && s <= start + SLACK_S),
      )
    : long;
  const longest = long.reduce((max, [s, e]) => Math.max(max, e - s), 0);
  const metrics = { longestS: round(longest), count: unexplained.length };
  if (unexplained.length === 0) {
    const why =
      long.length > 0 ? reason('silences_announced', { count: long.length }) : reason('no_dead_air');
    return { status: 'pass', reason: why, evidence: [], violations: false, metrics };
  }
  return {
    status: 'fail',
    reason: reason('dead_air', { count: unexplained.length, maxS: rule.maxSilenceS }),
    evidence: [],
    violations: false,
    metricHits: unexplained.map((span) => metricHit('dead air', span)),
    metrics,
  };
}

function overtalk(spans: CallSpans, rule: Extract<CompiledRule, { kind: 'overtalk' }>): ItemOutcome {
  if (!spans.separateChannels) return naOutcome(reason('no_separate_channels'));
  const overlaps: SpeechSpans = intersectSpans(spans.agent, spans.customer).filter(
    ([s, e]) => e - s >= rule.minOverlapS,
  );
  const total = totalOf(overlaps);
  const metrics = { totalS: round(total), count: overlaps.length };
  const tooLong = rule.maxTotalS !== undefined && total > rule.maxTotalS;
  const tooMany = rule.maxCount !== undefined && overlaps.length > rule.maxCount;
  if (!tooLong && !tooMany) {
    return {
      status: 'pass',
      reason: reason('overtalk', { totalS: metrics.totalS, count: overlaps.length }),
      evidence: [],
      violations: false,
      metrics,
    };
  }
  return {
    status: 'fail',
    reason: reason('overtalk', { totalS: metrics.totalS, count: overlaps.length }),
    evidence: [],
    violations: false,
    metricHits: overlaps.map((span) => metricHit('overtalk', span)),
    metrics,
  };
}

function within(value: number, min?: number, max?: number): boolean {
  return (min === undefined || value >= min) && (max === undefined || value <= max);
}

export function evaluateAudioRule(
  view: CallView,
  spans: CallSpans,
  callMetrics: AudioMetrics,
  rule: CompiledRule,
): ItemOutcome | null {
  switch (rule.kind) {
    case 'hold-etiquette':
      return holdEtiquette(view, spans, rule);
    case 'dead-air':
      return deadAir(view, spans, rule);
    case 'overtalk':
      return overtalk(spans, rule);
    case 'speech-rate': {
      const { agentCharsPerMinute: cpm, agentSpeechS } = callMetrics;
      // Under ten seconds of agent speech says nothing about pace.
      if (agentSpeechS < 10) return naOutcome(reason('little_agent_speech'));
      const metrics = { charsPerMinute: cpm, agentSpeechS };
      const ok = within(cpm, rule.minCpm, rule.maxCpm);
      const why = reason('speech_rate', {
        cpm,
        within: ok ? 1 : 0,
        min: rule.minCpm ?? 0,
        max: rule.maxCpm ?? '∞',
      });
      if (ok) return { status: 'pass', reason: why, evidence: [], violations: false, metrics };
      return {
        status: 'fail',
        reason: why,
        evidence: [],
        violations: false,
        metrics,
        metricHits: [metricHit('speech rate', [0, agentSpeechS], 'agent')],
      };
    }
    case 'talk-ratio': {
      const { agentTalkShare: share, agentSpeechS, customerSpeechS } = callMetrics;
      if (agentSpeechS + customerSpeechS === 0) return naOutcome(reason('no_speech'));
      const metrics = { agentShare: share };
      const ok = within(share, rule.minAgentShare, rule.maxAgentShare);
      const why = reason('talk_share', { percent: Math.round(share * 100) });
      return { status: ok ? 'pass' : 'fail', reason: why, evidence: [], violations: false, metrics };
    }
    default:
      return null;
  }
}
