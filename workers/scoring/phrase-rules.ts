import type { CallView, RawHit } from './call-view.ts';
import type { CompiledCond, CompiledRule, CompiledScorecard } from './compile-scorecard.ts';
import {
  evaluateCond,
  findIntentHits,
  findPhrase,
  type CondResult,
  type IntentHits,
  type LookedSegments,
} from './evaluate-cond.ts';
import type { CompiledIntent } from './intent-pattern.ts';
import { naOutcome, type EvidenceHit, type ItemOutcome } from './item-outcome.ts';
import { noiseLevel } from './known-pairs.ts';
import { normalisedClauses } from './normalise-text.ts';
import { violationProbability } from './violation-model.ts';
import { reason, type ReasonParams } from './reason.ts';
import { hasAnyKey, heardKeys, soundKey } from './sound-text.ts';

/** Rules decided by what was said: match, conditional, greeting, closing, forbidden, flat-no. */

/** Conditions are compiled once per card, and every call's reasons name them: each is described once. */
const descriptions = new WeakMap<CompiledCond, string>();

function describe(cond: CompiledCond): string {
  let text = descriptions.get(cond);
  if (text === undefined) {
    text = describeOnce(cond);
    descriptions.set(cond, text);
  }
  return text;
}

function describeOnce(cond: CompiledCond): string {
  switch (cond.op) {
    case 'set': {
      const words = cond.groups.map((group) => group.map((p) => p.raw).join('/'));
      const shown = words.length > 4 ? `${words.slice(0, 4).join(', ')} …` : words.join(', ');
      const quantifier = cond.mode === 'any' ? 'any of' : cond.mode === 'all' ? 'all of' : `${cond.need} of`;
      return `${quantifier} [${shown}] (${cond.speaker})`;
    }
    case 'regex':
      return `/${cond.source}/ (${cond.speaker})`;
    case 'intent':
      return `intent ${cond.intents.map((i) => i.name).join(' / ')} (${cond.speaker})`;
    case 'not':
      return `not ${describe(cond.inner)}`;
    case 'and':
    case 'or':
      return cond.parts.map(describe).join(` ${cond.op} `);
    case 'near':
      return `${describe(cond.a)} near ${describe(cond.b)}`;
  }
}

function lowConfidence(view: CallView, looked: LookedSegments, minConfidence: number): boolean {
  for (let index = 0; index < view.segments.length; index += 1) {
    if (!looked.has(index)) continue;
    const confidence = view.segments[index].confidence;
    if (confidence !== undefined && confidence < minConfidence) return true;
  }
  return false;
}

function fromCond(
  view: CallView,
  cond: CompiledCond,
  result: CondResult,
  minConfidence: number,
): ItemOutcome {
  const violations = cond.op === 'not';
  const evidence = result.hits.map((hit): EvidenceHit => ({ hit }));
  if (result.holds)
    return { status: 'pass', reason: reason('found', { what: describe(cond) }), evidence, violations };
  return {
    status: 'fail',
    reason: violations
      ? reason('found_forbidden', { what: describe(cond.inner) })
      : reason('not_found', { what: describe(cond) }),
    evidence,
    violations,
    absenceUncertain: !violations && lowConfidence(view, result.looked, minConfidence),
  };
}

function identifyWithContext(
  compiled: CompiledScorecard,
  cond: CompiledCond,
  companies: string[],
): CompiledCond {
  if (!compiled.greeting?.companySlot || companies.length === 0 || cond.op !== 'or') return cond;
  const window = compiled.greeting.window;
  const first = cond.parts[0];
  const extra: CompiledCond = {
    op: 'set',
    mode: 'any',
    need: 1,
    groups: companies.map((name) => [compiled.phrase(name, compiled.greeting?.threshold)]),
    speaker: 'agent',
    window: first && (first.op === 'set' || first.op === 'regex') ? first.window : window,
    except: [],
    threshold: compiled.greeting.threshold,
  };
  return { op: 'or', parts: [...cond.parts, extra] };
}

function forbidden(view: CallView, rule: Extract<CompiledRule, { kind: 'forbidden' }>): ItemOutcome {
  const segments = view.inScope(rule.speaker, rule.window);
  const evidence: EvidenceHit[] = [];
  for (const entry of rule.phrases) {
    for (const index of segments) {
      const hit = findPhrase(view, entry.phrase, index, rule.threshold, entry.except);
      if (hit) {
        evidence.push({
          hit: { ...hit, phrase: entry.raw },
          points: entry.points,
          severity: entry.severity,
          autoFail: entry.autoFail,
        });
      }
    }
  }
  if (evidence.length === 0)
    return { status: 'pass', reason: reason('no_forbidden_phrase'), evidence, violations: true };
  const said = [...new Set(evidence.map((e) => e.hit.phrase))].join(', ');
  return {
    status: 'fail',
    reason: reason('forbidden_phrase', { phrases: said }),
    evidence,
    violations: true,
  };
}

/** A clause without its leading fillers (嗯, 那个) and trailing particles (的, 哦, 呢). */
function bareClause(clause: string, fillers: string[], particles: string): string {
  let bare = clause;
  for (let stripped = true; stripped;) {
    const filler = fillers.find((f) => f.length < bare.length && bare.startsWith(f));
    stripped = filler !== undefined;
    if (filler) bare = bare.slice(filler.length);
  }
  let end = bare.length;
  while (end > 1 && particles.includes(bare[end - 1])) end -= 1;
  return bare.slice(0, end);
}

/**
 * The sound key of 不: a bare refusal heard by sound starts with it (布行, 步能), and the
 * turns without one are skipped unsplit. (没办法 is the refusal family's; flat-no never
 * looked at turns without 不.)
 */
const BU = Int32Array.of(soundKey('不'.charCodeAt(0)));

/**
 * A bare clause that is, as a whole, a refusal heard through ASR noise: the
 * same syllables (布行的 / 步能 / 卜可以), trailing particles taken by sound too
 * (不行德). Only whole clauses: with a topic before it, a homophone is too
 * often another word (或者步行 is walking, not 不行). A refusal of three or
 * more characters may carry one stray character inside (不餐可以): two
 * characters with one between them (不太好, 不用谢) would take too much.
 */
function heardRefusal(bare: string, rule: Extract<CompiledRule, { kind: 'flat-no' }>): string | undefined {
  let end = bare.length;
  while (end > 2 && rule.particleKeys.has(soundKey(bare.charCodeAt(end - 1)))) end -= 1;
  // Longer than any refusal with one stray character: not one, whatever it sounds like.
  if (end > rule.longestHeard + 1) return undefined;
  const keys = heardKeys(bare.slice(0, end));
  if (keys === null) return undefined;
  const whole = rule.heard.get(keys);
  if (whole !== undefined) return whole;
  for (let i = 1; i < keys.length - 1; i += 1) {
    const found = rule.heard.get(keys.slice(0, i) + keys.slice(i + 1));
    if (found !== undefined && found.length >= 3) return found;
  }
  return undefined;
}

/**
 * The refusal a bare clause ends with, when at most `topic` characters come
 * before it — unless it is the second half of an A-not-A question (行不行,
 * 能不能, 可不可以), which asks rather than refuses.
 */
function refusalAtEnd(bare: string, phrases: Set<string>, topic: number): string | undefined {
  for (let cut = 0; cut <= Math.min(topic, bare.length - 1); cut += 1) {
    const refusal = bare.slice(cut);
    if (!phrases.has(refusal)) continue;
    const asks = refusal.length > 1 && cut > 0 && bare[cut - 1] === refusal[1];
    return asks ? undefined : refusal;
  }
  return undefined;
}

/** The customer's turn just before `index` (normalised), when the one before it is the customer's. */
function askedBefore(view: CallView, index: number): string | undefined {
  const before = index - 1;
  return before >= 0 && view.speakerOf(before) === 'customer' ? view.text(before).text : undefined;
}

/**
 * 不能退 answering 能退吗: an echo refusal (`echo`) followed by one to three
 * characters the customer's turn just before holds — the very thing asked
 * for, refused flat. Not the second half of an A-not-A question (能不能退).
 */
function echoRefusal(
  bare: string,
  rule: Extract<CompiledRule, { kind: 'flat-no' }>,
  asked: string | undefined,
): string | undefined {
  if (asked === undefined) return undefined;
  for (const refusal of rule.echo) {
    const at = bare.indexOf(refusal);
    if (at < 0 || at > rule.topic) continue;
    const verb = bare.slice(at + refusal.length);
    if (verb.length < 1 || verb.length > 3 || !asked.includes(verb)) continue;
    const asks = refusal.length > 1 && at > 0 && bare[at - 1] === refusal[1];
    if (!asks) return refusal + verb;
  }
  return undefined;
}

/**
 * Turns the card's learned model reads as violations, for a human to judge:
 * review, never a deduction (the rules say why a turn is a violation; the
 * model only that it reads like one).
 */
function learned(view: CallView, rule: Extract<CompiledRule, { kind: 'learned' }>): ItemOutcome {
  const inScope = view.inScope(rule.speaker);
  const threshold = learnedThreshold(view, rule, inScope);
  const evidence: EvidenceHit[] = [];
  for (const index of inScope) {
    if (view.judgedViolations?.has(index)) continue;
    const { text } = view.text(index);
    const probability = violationProbability(rule.model, text);
    if (probability < threshold) continue;
    evidence.push({
      hit: {
        phrase: rule.model.id,
        segmentIndex: index,
        from: 0,
        to: text.length,
        similarity: Math.round(probability * 1000) / 1000,
        method: 'model',
      },
    });
  }
  if (evidence.length === 0)
    return { status: 'pass', reason: reason('no_suspected_violation'), evidence, violations: true };
  const params: ReasonParams = { count: evidence.length };
  if (threshold < rule.threshold) params.threshold = Math.round(threshold * 1000) / 1000;
  return {
    status: 'review',
    reason: reason('suspected_violation', params),
    evidence,
    violations: true,
  };
}

/**
 * The threshold for this transcript: the card's, or on a transcript that
 * reads as noisy ASR (the model's known-pairs gauge, over the turns the rule
 * reads, normalised as it reads them) a step towards `noisyThreshold` as far
 * as the gauge says, reaching it at 20 % CER. Noise breaks the grams a
 * violation is read by, so without it a noisy transcript's violations sink
 * under the clean threshold.
 */
function learnedThreshold(
  view: CallView,
  rule: Extract<CompiledRule, { kind: 'learned' }>,
  inScope: readonly number[],
): number {
  if (rule.noisyThreshold === undefined || rule.model.pairs === undefined) return rule.threshold;
  const level = noiseLevel(
    rule.model.pairs,
    inScope.map((index) => view.text(index).text),
  );
  return rule.threshold + (rule.noisyThreshold - rule.threshold) * level;
}

function flatNo(view: CallView, rule: Extract<CompiledRule, { kind: 'flat-no' }>): ItemOutcome {
  const evidence: EvidenceHit[] = [];
  for (const index of view.inScope(rule.speaker)) {
    // Every bare refusal holds 不 or, heard through ASR noise, its syllable; most utterances are skipped unsplit.
    if (!view.text(index).text.includes('不') && !hasAnyKey(view.soundKeys(index), BU)) continue;
    for (const clause of normalisedClauses(view.segments[index].text)) {
      const bare = bareClause(clause, rule.fillers, rule.particles);
      if (rule.notRefusals.has(bare)) continue;
      const refusal =
        refusalAtEnd(bare, rule.phrases, rule.topic) ??
        heardRefusal(bare, rule) ??
        echoRefusal(bare, rule, askedBefore(view, index));
      if (refusal === undefined) continue;
      const from = view.text(index).text.indexOf(clause);
      const hit: RawHit = {
        phrase: refusal,
        segmentIndex: index,
        from: Math.max(0, from),
        to: Math.max(0, from) + clause.length,
        similarity: 1,
        method: 'exact',
      };
      evidence.push({ hit });
      break;
    }
  }
  if (evidence.length === 0)
    return { status: 'pass', reason: reason('no_bare_refusal'), evidence, violations: true };
  return {
    status: 'fail',
    reason: reason('bare_refusal', { phrases: evidence.map((e) => e.hit.phrase).join(', ') }),
    evidence,
    violations: true,
  };
}

function violation(view: CallView, rule: Extract<CompiledRule, { kind: 'violation' }>): ItemOutcome {
  const found: IntentHits = { counted: [], excused: [] };
  for (const index of view.inScope(rule.speaker, rule.window)) {
    findIntentHits(view, rule.intents, rule.unless, index, found);
  }
  const evidence: EvidenceHit[] = [
    ...found.counted.map((hit) => ({ hit })),
    ...found.excused.map(({ hit, by }) =>
      by.review ? { hit, reviewBecause: by.name } : { hit, excusedBy: by.name },
    ),
  ];
  const counted = evidence.filter((e) => e.excusedBy === undefined);
  const names = (list: EvidenceHit[]) => [...new Set(list.map((e) => e.hit.phrase.split(':')[0]))].join(', ');
  if (counted.length === 0) {
    const why =
      evidence.length > 0
        ? reason('all_excused', { exceptions: [...new Set(evidence.map((e) => e.excusedBy))].join(', ') })
        : reason('no_violation');
    return { status: 'pass', reason: why, evidence, violations: true };
  }
  return {
    status: 'fail',
    reason: reason('violation', { intents: names(counted) }),
    evidence,
    violations: true,
  };
}

/** Per call, per reopen intent: the closing items of a card all ask the same question. */
const reopenings = new WeakMap<CallView, Map<CompiledIntent, number>>();

/** The last customer turn that reopened the conversation: closings before it do not count. */
function reopenedAt(view: CallView, reopen: CompiledIntent): number {
  let known = reopenings.get(view);
  if (!known) {
    known = new Map();
    reopenings.set(view, known);
  }
  let at = known.get(reopen);
  if (at === undefined) {
    at = lastReopening(view, reopen);
    known.set(reopen, at);
  }
  return at;
}

function lastReopening(view: CallView, reopen: CompiledIntent): number {
  const customer = view.scope('customer').order;
  for (let k = customer.length - 1; k >= 0; k -= 1) {
    if (reopen.find(view.sound(customer[k]), view.companies, view.soundKeys(customer[k]))) return customer[k];
  }
  return 0;
}

export function evaluatePhraseRule(
  compiled: CompiledScorecard,
  view: CallView,
  rule: CompiledRule,
  companies: string[],
): ItemOutcome | null {
  const { minConfidence } = compiled.card.review;
  switch (rule.kind) {
    case 'match': {
      const cond =
        rule.greetingPart === 'identify' ? identifyWithContext(compiled, rule.cond, companies) : rule.cond;
      view.floor = rule.reopen ? reopenedAt(view, rule.reopen) : 0;
      try {
        return fromCond(view, cond, evaluateCond(view, cond), minConfidence);
      } finally {
        view.floor = 0;
      }
    }
    case 'violation':
      return violation(view, rule);
    case 'conditional': {
      const trigger = evaluateCond(view, rule.if);
      if (!trigger.holds) return naOutcome(reason('not_triggered', { what: describe(rule.if) }));
      return fromCond(view, rule.then, evaluateCond(view, rule.then), minConfidence);
    }
    case 'forbidden':
      return forbidden(view, rule);
    case 'flat-no':
      return flatNo(view, rule);
    case 'learned':
      return learned(view, rule);
    default:
      return null;
  }
}
