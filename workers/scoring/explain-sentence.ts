import type { CompiledScorecard } from './compile-scorecard.ts';
import { exceptionFor } from './evaluate-cond.ts';
import { CallView } from './call-view.ts';
import { explainIntent, type PatternExplanation } from './intent-pattern.ts';
import { normaliseText } from './normalise-text.ts';
import { renderException, type Locale } from './reason.ts';

/**
 * `callqa scorecard explain <card> "<sentence>"`: which of the card's intents
 * a sentence matches, with which pattern and where, which exceptions would
 * clear a violation there, and — for intents that do not match — how far
 * each pattern got and which part found nothing.
 */
export interface IntentExplanation {
  intent: string;
  matched: boolean;
  patterns: PatternExplanation[];
  /** Rules using this intent as a violation, and the exception that clears this sentence's hit. */
  excusedBy?: string;
}

export interface SentenceExplanation {
  sentence: string;
  normalised: string;
  intents: IntentExplanation[];
}

export function explainSentence(
  compiled: CompiledScorecard,
  sentence: string,
  options: { intent?: string; companies?: string[] } = {},
): SentenceExplanation {
  const normalised = normaliseText(sentence);
  const view = new CallView({
    callId: 'explain',
    language: compiled.card.language,
    durationS: 1,
    speakerMode: 'stereo',
    speakerDecision: { method: 'imported', confidence: 1 },
    segments: [{ speaker: 'agent', start: 0, end: 1, text: sentence }],
    source: 'import',
  });
  view.companies = options.companies ?? [];
  const exceptionsFor = new Map<string, ReturnType<typeof exceptionsOfViolations>[number]['unless']>();
  for (const { intents, unless } of exceptionsOfViolations(compiled)) {
    for (const name of intents) exceptionsFor.set(name, unless);
  }
  const intents = [...compiled.intents.values()]
    .filter((intent) => options.intent === undefined || intent.name === options.intent)
    .map((intent): IntentExplanation => {
      const patterns = explainIntent(intent, normalised, view.companies);
      const first = patterns.find((p) => p.matched);
      const unless = exceptionsFor.get(intent.name);
      const excuse =
        first && unless && first.from !== undefined && first.to !== undefined
          ? exceptionFor(view, 0, first.from, first.to, unless)
          : undefined;
      return {
        intent: intent.name,
        matched: first !== undefined,
        patterns,
        ...(excuse ? { excusedBy: excuse.name } : {}),
      };
    });
  return { sentence, normalised, intents };
}

function exceptionsOfViolations(compiled: CompiledScorecard) {
  return compiled.items.flatMap(({ rule }) =>
    rule.kind === 'violation' ? [{ intents: rule.intents.map((i) => i.name), unless: rule.unless }] : [],
  );
}

export function formatExplanation(explanation: SentenceExplanation, locale: Locale = 'en'): string {
  const lines = [`"${explanation.sentence}" → ${explanation.normalised}`];
  const matched = explanation.intents.filter((i) => i.matched);
  for (const intent of matched) {
    const hit = intent.patterns.find((p) => p.matched);
    if (!hit) continue;
    const parts = (hit.parts ?? []).filter((p) => p.text !== '').map((p) => `${p.token}=${p.text}`);
    const excuse = intent.excusedBy ? ` — ${renderException(intent.excusedBy, locale)}` : '';
    lines.push(`  ✓ ${intent.intent}: "${hit.text}" at ${hit.from}–${hit.to} by ${hit.pattern}${excuse}`);
    if (parts.length > 0) lines.push(`      ${parts.join('  ')}`);
  }
  const unmatched = explanation.intents.filter((i) => !i.matched);
  if (unmatched.length > 0 && explanation.intents.length === 1) {
    for (const p of unmatched[0].patterns) {
      lines.push(
        `  ✗ ${unmatched[0].intent}: ${p.pattern} — ${p.matchedTokens ?? 0} part(s) matched, nothing for ${p.missing}`,
      );
    }
  } else if (unmatched.length > 0) {
    lines.push(`  no match: ${unmatched.map((i) => i.intent).join(', ')} (--intent NAME says why)`);
  }
  return lines.join('\n');
}
