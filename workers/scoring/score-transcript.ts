import type { Transcript } from '../../models/transcript.ts';
import { audioMetrics, callSpans } from './audio-metrics.ts';
import { evaluateAudioRule } from './audio-rules.ts';
import type { CallScore, ItemResult, RuleHit, ScoringContext } from './call-score.ts';
import { CallView, toRuleHit, type EvidenceSettings } from './call-view.ts';
import type { CompiledItem, CompiledScorecard } from './compile-scorecard.ts';
import { assignRoles, needsRoles, type RoleAssignment } from './assign-roles.ts';
import { correctOpeningSlips } from './opening-slip.ts';
import type { ItemOutcome } from './item-outcome.ts';
import { evaluatePhraseRule } from './phrase-rules.ts';
import { reason, type Reason } from './reason.ts';
import type { Severity } from './scorecard-schema.ts';
import { totalScore } from './total-score.ts';

/** Speaker roles decided below this confidence are themselves a reason for a human to listen. */
const MIN_ROLE_CONFIDENCE = 0.6;
const SEVERITY_RANK: Record<Severity, number> = { minor: 0, major: 1, critical: 2 };

function notApplicable(
  item: CompiledItem['item'],
  transcript: Transcript,
  context: ScoringContext,
): Reason | null {
  const na = item.na;
  if (!na) return null;
  if (na.shorterThanS !== undefined && transcript.durationS < na.shorterThanS) {
    return reason('call_shorter_than', { seconds: na.shorterThanS });
  }
  if (na.noAgentSpeech && !transcript.segments.some((s) => s.speaker === 'agent' && s.text.trim() !== '')) {
    return reason('no_agent_speech');
  }
  if (na.directions && context.direction && na.directions.includes(context.direction)) {
    return reason('not_for_direction', { direction: context.direction });
  }
  if (na.speakerModes?.includes(transcript.speakerMode))
    return reason('not_for_speaker_mode', { mode: transcript.speakerMode });
  return null;
}

/**
 * Builds the result object literally rather than by spreading a base object:
 * this runs for every item of every call, and spreads were a visible cost.
 * Key order is the same as ever (metrics, when present, right after evidence).
 */
function itemResult(
  item: CompiledItem['item'],
  outcome: ItemOutcome,
  evidence: RuleHit[],
  verdict: {
    status: ItemResult['status'];
    deduction: number;
    autoFail: boolean;
    severity?: Severity;
    reason?: Reason;
  },
): ItemResult {
  const { id: itemId, title, category } = item;
  const severity = verdict.severity ?? item.severity;
  const reason = verdict.reason ?? outcome.reason;
  const { status, deduction, autoFail } = verdict;
  return outcome.metrics
    ? {
        itemId,
        title,
        category,
        severity,
        reason,
        evidence,
        metrics: outcome.metrics,
        status,
        deduction,
        autoFail,
      }
    : { itemId, title, category, severity, reason, evidence, status, deduction, autoFail };
}

/**
 * Uncertain evidence goes to a human: a failure resting only on low-similarity
 * or low-confidence hits (or, for an absence, on low-confidence segments)
 * becomes `review` and costs nothing until someone listens.
 */
function toItemResult(
  compiled: CompiledScorecard,
  view: CallView,
  entry: CompiledItem,
  outcome: ItemOutcome,
  settings: EvidenceSettings,
): ItemResult {
  const { item } = entry;
  const evidence = outcome.evidence.map((e) => toRuleHit(view, e.hit, item.id, settings, e));
  // Metric hits go after the phrase hits, so evidence[i] stays the hit of outcome.evidence[i].
  for (const m of outcome.metricHits ?? []) {
    evidence.push({
      ...m,
      scorecardId: settings.scorecardId,
      scorecardVersion: settings.scorecardVersion,
      itemId: item.id,
    });
  }
  const itemPoints = compiled.card.scoring === 'weighted' ? (item.weight ?? 0) : (item.points ?? 0);
  if (outcome.status !== 'fail') {
    return itemResult(item, outcome, evidence, { status: outcome.status, deduction: 0, autoFail: false });
  }

  if (outcome.violations && outcome.evidence.length > 0) {
    const certain = outcome.evidence.filter((e, i) => !evidence[i].uncertain && e.excusedBy === undefined);
    if (certain.length === 0) {
      return itemResult(item, outcome, evidence, {
        status: 'review',
        deduction: 0,
        autoFail: false,
        reason: reason('uncertain_evidence', undefined, outcome.reason),
      });
    }
    const points =
      compiled.card.scoring === 'weighted'
        ? itemPoints
        : certain.reduce((most, e) => Math.max(most, e.points ?? itemPoints), -Infinity);
    const severity = certain.reduce<Severity>(
      (worst, e) => (e.severity && SEVERITY_RANK[e.severity] > SEVERITY_RANK[worst] ? e.severity : worst),
      item.severity,
    );
    const autoFail = item.autoFail || certain.some((e) => e.autoFail === true);
    return itemResult(item, outcome, evidence, { status: 'fail', deduction: points, autoFail, severity });
  }
  if (outcome.absenceUncertain) {
    return itemResult(item, outcome, evidence, {
      status: 'review',
      deduction: 0,
      autoFail: false,
      reason: reason('low_asr_confidence', undefined, outcome.reason),
    });
  }
  return itemResult(item, outcome, evidence, {
    status: 'fail',
    deduction: itemPoints,
    autoFail: item.autoFail,
  });
}

/**
 * Transcript segment indexes where a forbidden or flat-no item counted a
 * violation, or found one that an exception cleared (如果还不行的话,
 * 您是说不知道是吗): the rules have judged those words already, and a
 * learned rule leaves them out. `results` follow the card's items; a null one
 * (a learned item) is skipped.
 */
export function judgedSegments(compiled: CompiledScorecard, results: Array<ItemResult | null>): Set<number> {
  const judged = new Set<number>();
  results.forEach((item, i) => {
    if (!item || (item.category !== 'forbidden' && compiled.items[i].rule.kind !== 'flat-no')) return;
    for (const hit of item.evidence) {
      if (hit.segmentIndex !== null && (item.status === 'fail' || hit.excusedBy !== undefined))
        judged.add(hit.segmentIndex);
    }
  });
  return judged;
}

export function scoreTranscript(
  compiled: CompiledScorecard,
  transcript: Transcript,
  context: ScoringContext = {},
): CallScore {
  const { card } = compiled;
  const reviewReasons: Reason[] = [];
  let call = transcript;
  let readings: RoleAssignment['readings'] | undefined;
  if (context.detectMonoAgent !== false && needsRoles(call)) {
    // Who said what is decided before any rule runs: the customer's words must never count as the agent's.
    const roles = assignRoles(compiled, call, {
      direction: context.direction,
      companies: context.companyNames,
    });
    call = roles.transcript;
    readings = roles.readings;
    if (roles.decision.confidence < MIN_ROLE_CONFIDENCE) {
      reviewReasons.push(
        reason('speaker_roles_uncertain', {
          confidence: roles.decision.confidence,
          note: roles.decision.note ?? '',
        }),
      );
    }
  }
  // The agent's greeting an export or a diariser credited to the customer is the agent's.
  call = correctOpeningSlips(compiled, call, context.companyNames);
  if (call.segments.some((s) => s.speaker === 'unknown')) {
    // Only when role assignment was switched off: agent items would be N/A and the call would pass unheard.
    reviewReasons.push(reason('speaker_roles_unknown'));
  }
  const view = new CallView(call, compiled.phraseIndex, readings);
  view.companies = context.companyNames ?? [];
  const spans = callSpans(call);
  const settings: EvidenceSettings = {
    scorecardId: card.id,
    scorecardVersion: card.version,
    minSimilarity: card.review.minSimilarity,
    minConfidence: card.review.minConfidence,
  };
  const companies = context.companyNames ?? [];
  const deadAirItem = compiled.items.find((e) => e.rule.kind === 'dead-air')?.rule;
  const overtalkItem = compiled.items.find((e) => e.rule.kind === 'overtalk')?.rule;
  const metrics = audioMetrics(
    call,
    spans,
    deadAirItem?.kind === 'dead-air' ? deadAirItem.maxSilenceS : 10,
    overtalkItem?.kind === 'overtalk' ? overtalkItem.minOverlapS : 0.5,
  );

  const evaluate = (entry: (typeof compiled.items)[number]): ItemResult => {
    const na = notApplicable(entry.item, call, context);
    const outcome: ItemOutcome = na
      ? { status: 'na', reason: na, evidence: [], violations: false }
      : (evaluatePhraseRule(compiled, view, entry.rule, companies) ??
        evaluateAudioRule(view, spans, metrics, entry.rule) ?? {
          status: 'na',
          reason: reason('unknown_rule'),
          evidence: [],
          violations: false,
        });
    return toItemResult(compiled, view, entry, outcome, settings);
  };
  // A learned rule runs last and leaves out the turns a forbidden or flat-no item already judged:
  // it is a second opinion for what the rules missed, not a second count of what they found, nor
  // a second guess at what an exception cleared.
  const firstPass = compiled.items.map((entry) => (entry.rule.kind === 'learned' ? null : evaluate(entry)));
  if (firstPass.includes(null)) {
    const judged = judgedSegments(compiled, firstPass);
    view.judgedViolations = new Set([...judged].map((segment) => view.viewIndexOf(segment)));
  }
  const items = firstPass.map((item, i) => item ?? evaluate(compiled.items[i]));

  const { score, passed, autoFailed } = totalScore(
    card,
    items.map((item, i) => ({
      status: item.status,
      deduction: item.deduction,
      autoFail: item.autoFail,
      weight: compiled.items[i].item.weight,
    })),
  );
  const reviewItems = items.filter((item) => item.status === 'review').map((item) => item.itemId);
  if (reviewItems.length > 0)
    reviewReasons.push(reason('uncertain_items', { items: reviewItems.join(', ') }));

  return {
    callId: call.callId,
    scorecardId: card.id,
    scorecardVersion: card.version,
    score,
    passThreshold: card.passThreshold,
    passed,
    autoFailed,
    needsReview: reviewReasons.length > 0,
    reviewReasons,
    items,
    metrics,
    speakerDecision: call.speakerDecision,
  };
}
