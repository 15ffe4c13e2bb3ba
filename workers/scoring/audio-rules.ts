import type { SpeechSpans } from '../../models/transcript.ts';
import { gapsBetween, intersectSpans, totalOf, type CallSpans } from './audio-metrics.ts';
import type { AudioMetrics } from './call-score.ts';
import type { CallView, RawHit } from './call-view.ts';
import type { CompiledRule, PhraseSetLeaf } from './compile-scorecard.ts';
import { findPhrase } from './evaluate-cond.ts';
import { naOutcome, type ItemOutcome } from './item-outcome.ts';

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
  if (silences.length === 0) return naOutcome(`no silence of ${rule.minSilenceS} s or more`);
  const evidence: ItemOutcome['evidence'] = [];
  const metricHits: MetricHit[] = [];
  const problems: string[] = [];
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
      const missing = [
        !before ? 'no hold announcement before' : '',
        !after ? 'no thanks for waiting after' : '',
      ]
        .filter(Boolean)
        .join(' and ');
      problems.push(`${round(end - start)} s silence at ${round(start)} s: ${missing}`);
    }
  }
  if (problems.length === 0) {
    return {
      status: 'pass',
      reason: `${silences.length} hold(s) announced and closed`,
      evidence,
      violations: false,
    };
  }
  return { status: 'fail', reason: problems.join('; '), evidence, violations: false, metricHits };
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
    const reason = long.length > 0 ? `${long.length} long silence(s), all announced holds` : 'no dead air';
    return { status: 'pass', reason, evidence: [], violations: false, metrics };
  }
  return {
    status: 'fail',
    reason: `${unexplained.length} silence(s) over ${rule.maxSilenceS} s`,
    evidence: [],
    violations: false,
    metricHits: unexplained.map((span) => metricHit('dead air', span)),
    metrics,
  };
}

function overtalk(spans: CallSpans, rule: Extract<CompiledRule, { kind: 'overtalk' }>): ItemOutcome {
  if (!spans.separateChannels) return naOutcome('mono call: overtalk needs separate channels');
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
      reason: `overtalk ${metrics.totalS} s in ${overlaps.length}`,
      evidence: [],
      violations: false,
      metrics,
    };
  }
  return {
    status: 'fail',
    reason: `overtalk ${metrics.totalS} s in ${overlaps.length} overlap(s)`,
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
      if (agentSpeechS < 10) return naOutcome('under 10 s of agent speech');
      const metrics = { charsPerMinute: cpm, agentSpeechS };
      const ok = within(cpm, rule.minCpm, rule.maxCpm);
      const range = `${rule.minCpm ?? 0}–${rule.maxCpm ?? '∞'}`;
      const reason = `${cpm} characters/min (${ok ? 'within' : 'outside'} ${range})`;
      if (ok) return { status: 'pass', reason, evidence: [], violations: false, metrics };
      return {
        status: 'fail',
        reason,
        evidence: [],
        violations: false,
        metrics,
        metricHits: [metricHit('speech rate', [0, agentSpeechS], 'agent')],
      };
    }
    case 'talk-ratio': {
      const { agentTalkShare: share, agentSpeechS, customerSpeechS } = callMetrics;
      if (agentSpeechS + customerSpeechS === 0) return naOutcome('no speech');
      const metrics = { agentShare: share };
      const ok = within(share, rule.minAgentShare, rule.maxAgentShare);
      const reason = `agent talks ${Math.round(share * 100)}% of the time`;
      return { status: ok ? 'pass' : 'fail', reason, evidence: [], violations: false, metrics };
    }
    default:
      return null;
  }
}
