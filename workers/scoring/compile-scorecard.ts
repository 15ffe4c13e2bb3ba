import { learnedModel } from './learned-models.ts';
import type { ViolationModel } from './violation-model.ts';
import { CompiledIntent } from './intent-pattern.ts';
import { heardKeys, soundKey } from './sound-text.ts';
import { buildPhraseIndex, compilePhrase, type CompiledPhrase, type PhraseIndex } from './phrase-matcher.ts';
import type {
  Cond,
  PositionWindow,
  Rule,
  Scorecard,
  ScorecardItem,
  Severity,
  SpeakerScope,
} from './scorecard-schema.ts';

/**
 * Compiling turns a validated scorecard into matcher-ready data once — phrases
 * normalised, their pinyin looked up, regexes built — so scoring a call does
 * no per-phrase preparation at all.
 */

export interface PhraseSetLeaf {
  op: 'set';
  mode: 'any' | 'all' | 'atLeast';
  need: number;
  /** Each group is one "word" with its accepted alternatives. */
  groups: CompiledPhrase[][];
  speaker: SpeakerScope;
  window?: PositionWindow;
  except: CompiledPhrase[];
  threshold: number;
}

/** A named exception, its pattern lists compiled as intents. */
export interface CompiledException {
  name: string;
  before?: CompiledIntent;
  after?: CompiledIntent;
  turn?: CompiledIntent;
  overlap?: CompiledIntent;
  within: number;
  review: boolean;
  /** Said right before the hit (within `blockWithin`), it keeps the hit counted. */
  blockedBy?: CompiledIntent;
  blockWithin: number;
}

export interface IntentLeaf {
  op: 'intent';
  intents: CompiledIntent[];
  speaker: SpeakerScope;
  window?: PositionWindow;
  unless: CompiledException[];
}

export type CompiledCond =
  | PhraseSetLeaf
  | IntentLeaf
  | { op: 'regex'; source: string; re: RegExp; speaker: SpeakerScope; window?: PositionWindow }
  | { op: 'not'; inner: CompiledCond }
  | { op: 'and'; parts: CompiledCond[] }
  | { op: 'or'; parts: CompiledCond[] }
  | { op: 'near'; a: CompiledCond; b: CompiledCond; chars?: number; seconds?: number };

export interface CompiledForbiddenPhrase {
  phrase: CompiledPhrase;
  raw: string;
  severity?: Severity;
  autoFail: boolean;
  points?: number;
  except: CompiledPhrase[];
}

export type CompiledRule =
  | {
      kind: 'match';
      cond: CompiledCond;
      greetingPart?: 'hello' | 'identify' | 'offer';
      /** Closing rules: the customer intent that reopens the conversation. */
      reopen?: CompiledIntent;
    }
  | {
      kind: 'violation';
      intents: CompiledIntent[];
      unless: CompiledException[];
      speaker: SpeakerScope;
      window?: PositionWindow;
    }
  | { kind: 'conditional'; if: CompiledCond; then: CompiledCond }
  | {
      kind: 'forbidden';
      phrases: CompiledForbiddenPhrase[];
      speaker: SpeakerScope;
      window?: PositionWindow;
      threshold: number;
    }
  | {
      kind: 'learned';
      model: ViolationModel;
      threshold: number;
      /** With a model that keeps its known pairs: the threshold on a transcript as noisy as 20 % CER. */
      noisyThreshold?: number;
      speaker: SpeakerScope;
    }
  | {
      kind: 'flat-no';
      phrases: Set<string>;
      /** The refusals of two or more Han characters by their sound keys (`heardKeys`), for ASR-noisy clauses. */
      heard: Map<string, string>;
      /** Length of the longest of them: a longer clause (with one stray character) cannot be one. */
      longestHeard: number;
      /** Refusals that stay bare followed by the verb the customer just asked about (normalised). */
      echo: string[];
      /** Whole clauses that sound like a refusal and are other words (normalised). */
      notRefusals: Set<string>;
      /** Sound keys of the particles (ASR's 德 for 的). */
      particleKeys: Set<number>;
      speaker: SpeakerScope;
      fillers: string[];
      particles: string;
      topic: number;
    }
  | {
      kind: 'hold-etiquette';
      minSilenceS: number;
      before: PhraseSetLeaf;
      after: PhraseSetLeaf;
      withinS: number;
    }
  | { kind: 'dead-air'; maxSilenceS: number; holdPhrases?: PhraseSetLeaf }
  | Extract<Rule, { kind: 'overtalk' | 'speech-rate' | 'talk-ratio' }>;

export interface CompiledItem {
  item: ScorecardItem;
  rule: CompiledRule;
}

export interface CompiledGreeting {
  hello: PhraseSetLeaf;
  identify: CompiledCond;
  offer: PhraseSetLeaf;
  /** Whether the template has a {company} slot, so context company names apply. */
  companySlot: boolean;
  window: PositionWindow;
  threshold: number;
}

export interface CompiledScorecard {
  card: Scorecard;
  items: CompiledItem[];
  greeting?: CompiledGreeting;
  /** The card's intents by name (for `scorecard explain` and mono agent detection). */
  intents: Map<string, CompiledIntent>;
  /** Prefilter index over every phrase the scorecard uses. */
  phraseIndex: PhraseIndex;
  /** Compiles an ad-hoc phrase with this scorecard's matching settings (e.g. context company names). */
  phrase(text: string, threshold?: number): CompiledPhrase;
}

/**
 * The intents a card only ever asks to be said (greeting, closing, hold
 * formulas): never a violation, an exception, a customer's reopening, nor
 * under `not`. Their words tolerate more ASR noise (intent-pattern.ts
 * `soundOf`): a formula lost to noise costs the agent points unheard, while
 * a violation must stay as said, so a noisy word never accuses anyone.
 */
export function scriptedIntents(card: Scorecard): Set<string> {
  const asked = new Set<string>();
  const strict = new Set<string>();
  const walk = (cond: Cond, negated: boolean): void => {
    if ('intent' in cond) for (const name of cond.intent) (negated ? strict : asked).add(name);
    else if ('not' in cond) walk(cond.not, !negated);
    else if ('and' in cond) cond.and.forEach((c) => walk(c, negated));
    else if ('or' in cond) cond.or.forEach((c) => walk(c, negated));
    else if ('near' in cond) cond.near.forEach((c) => walk(c, negated));
  };
  for (const { rule } of card.items) {
    if (rule.kind === 'match' || rule.kind === 'closing') walk(rule.cond, false);
    if (rule.kind === 'closing' && rule.reopen) strict.add(rule.reopen);
    if (rule.kind === 'conditional') {
      walk(rule.if, false);
      walk(rule.then, false);
    }
    if (rule.kind === 'violation') for (const name of rule.intents) strict.add(name);
  }
  return new Set([...asked].filter((name) => !strict.has(name)));
}

/**
 * Compiles a parsed card. `cardDir`, the directory of the card's file, is
 * where its own learned models may live (learned-models.ts).
 */
export function compileScorecard(card: Scorecard, options: { cardDir?: string } = {}): CompiledScorecard {
  const pinyin = card.language === 'zh' && card.matching.pinyin;
  const phrases = new Map<string, CompiledPhrase>();
  const phrase = (text: string, threshold = card.matching.threshold): CompiledPhrase => {
    const key = text;
    let compiled = phrases.get(key);
    if (!compiled) {
      compiled = compilePhrase(text, { pinyin, minPinyinChars: card.matching.minPinyinChars, threshold });
      phrases.set(key, compiled);
    }
    // Shared between uses: the prefilter must admit the most lenient one.
    compiled.prefilterThreshold = Math.min(compiled.prefilterThreshold, threshold);
    return compiled;
  };

  const leaf = (
    mode: PhraseSetLeaf['mode'],
    entries: Array<string | string[]>,
    need: number,
    options: {
      speaker?: SpeakerScope;
      window?: PositionWindow;
      except?: string[];
      threshold?: number;
      pinyin?: boolean;
    },
    defaultWindow?: PositionWindow,
  ): PhraseSetLeaf => {
    const threshold = options.threshold ?? card.matching.threshold;
    const toPhrase = (text: string): CompiledPhrase =>
      options.pinyin === false ? { ...phrase(text, threshold), pinyin: false } : phrase(text, threshold);
    return {
      op: 'set',
      mode,
      need,
      groups: entries.map((entry) => (Array.isArray(entry) ? entry : [entry]).map(toPhrase)),
      speaker: options.speaker ?? 'agent',
      window: options.window ?? defaultWindow,
      except: (options.except ?? []).map((text) => phrase(text, threshold)),
      threshold,
    };
  };

  const scripted = scriptedIntents(card);
  const intents = new Map<string, CompiledIntent>(
    Object.entries(card.intents).map(([name, patterns]) => [
      name,
      new CompiledIntent(name, patterns, card.companies, scripted.has(name)),
    ]),
  );
  // References were checked by the schema.
  const intentsOf = (names: string[]): CompiledIntent[] =>
    names.map((name) => intents.get(name) as CompiledIntent);
  const patternsOf = (name: string, part: string, patterns?: string[]) =>
    patterns ? new CompiledIntent(`${name}.${part}`, patterns, card.companies) : undefined;
  const exceptions = new Map<string, CompiledException>(
    Object.entries(card.exceptions).map(([name, spec]) => [
      name,
      {
        name,
        before: patternsOf(name, 'before', spec.before),
        after: patternsOf(name, 'after', spec.after),
        turn: patternsOf(name, 'turn', spec.turn),
        overlap: patternsOf(name, 'overlap', spec.overlap),
        within: spec.within,
        review: spec.review,
        blockedBy: patternsOf(name, 'blockedBy', spec.blockedBy),
        blockWithin: spec.blockWithin,
      },
    ]),
  );
  const exceptionsOf = (names: string[] = []): CompiledException[] =>
    names.map((name) => exceptions.get(name) as CompiledException);

  const cond = (source: Cond, defaultWindow?: PositionWindow): CompiledCond => {
    if ('intent' in source) {
      return {
        op: 'intent',
        intents: intentsOf(source.intent),
        speaker: source.speaker ?? 'agent',
        window: source.window ?? defaultWindow,
        unless: exceptionsOf(source.unless),
      };
    }
    if ('any' in source) return leaf('any', source.any, 1, source, defaultWindow);
    if ('all' in source) return leaf('all', source.all, source.all.length, source, defaultWindow);
    if ('atLeast' in source) return leaf('atLeast', source.of, source.atLeast, source, defaultWindow);
    if ('regex' in source) {
      return {
        op: 'regex',
        source: source.regex,
        re: new RegExp(source.regex, `u${source.flags ?? ''}`),
        speaker: source.speaker ?? 'agent',
        window: source.window ?? defaultWindow,
      };
    }
    if ('not' in source) return { op: 'not', inner: cond(source.not, defaultWindow) };
    if ('and' in source) return { op: 'and', parts: source.and.map((part) => cond(part, defaultWindow)) };
    if ('or' in source) return { op: 'or', parts: source.or.map((part) => cond(part, defaultWindow)) };
    return {
      op: 'near',
      a: cond(source.near[0], defaultWindow),
      b: cond(source.near[1], defaultWindow),
      chars: source.within.chars,
      seconds: source.within.seconds,
    };
  };

  const greeting = card.greeting ? compileGreeting(card, leaf) : undefined;

  const rule = (source: Rule): CompiledRule => {
    switch (source.kind) {
      case 'match':
        return { kind: 'match', cond: cond(source.cond) };
      case 'conditional':
        return { kind: 'conditional', if: cond(source.if), then: cond(source.then) };
      case 'greeting': {
        // Checked by the schema: greeting rules need the greeting block.
        const g = greeting as CompiledGreeting;
        const window = source.window ?? g.window;
        const part =
          source.part === 'identify' ? withWindow(g.identify, window) : withWindow(g[source.part], window);
        return { kind: 'match', cond: part, greetingPart: source.part };
      }
      case 'closing':
        return {
          kind: 'match',
          cond: cond(source.cond, source.window ?? card.closingWindow),
          reopen: source.reopen ? intents.get(source.reopen) : undefined,
        };
      case 'violation':
        return {
          kind: 'violation',
          intents: intentsOf(source.intents),
          unless: exceptionsOf(source.unless),
          speaker: source.speaker ?? 'agent',
          window: source.window,
        };
      case 'forbidden': {
        const threshold = source.threshold ?? card.matching.threshold;
        return {
          kind: 'forbidden',
          speaker: source.speaker ?? 'agent',
          window: source.window,
          threshold,
          phrases: source.phrases.map((entry) => {
            const spec = typeof entry === 'string' ? { text: entry } : entry;
            return {
              phrase: phrase(spec.text, threshold),
              raw: spec.text,
              severity: 'severity' in spec ? spec.severity : undefined,
              autoFail: 'autoFail' in spec ? spec.autoFail === true : false,
              points: 'points' in spec ? spec.points : undefined,
              except: [...(source.except ?? []), ...('except' in spec ? (spec.except ?? []) : [])].map(
                (text) => phrase(text, threshold),
              ),
            };
          }),
        };
      }
      case 'learned': {
        const model = learnedModel(source.model, options.cardDir);
        if (source.noisyThreshold !== undefined && model.pairs === undefined) {
          throw new Error(
            `learned model ${model.id} keeps no known pairs, so noisyThreshold cannot tell a noisy transcript: name a model trained with them (violation-ngrams@5 or later, or callqa scorecard train)`,
          );
        }
        return {
          kind: 'learned',
          model,
          threshold: source.threshold,
          ...(source.noisyThreshold === undefined ? {} : { noisyThreshold: source.noisyThreshold }),
          speaker: source.speaker ?? 'agent',
        };
      }
      case 'flat-no':
        return {
          kind: 'flat-no',
          speaker: source.speaker ?? 'agent',
          phrases: new Set(source.phrases.map((text) => phrase(text).text)),
          heard: new Map(
            source.phrases
              .map((text) => phrase(text).text)
              .filter((text) => text.length >= 2 && heardKeys(text) !== null)
              .map((text) => [heardKeys(text) as string, text]),
          ),
          longestHeard: Math.max(0, ...source.phrases.map((text) => phrase(text).text.length)),
          echo: (source.echo ?? []).map((text) => phrase(text).text),
          notRefusals: new Set((source.notRefusals ?? []).map((text) => phrase(text).text)),
          particleKeys: new Set(Array.from(source.particles ?? '', (ch) => soundKey(ch.charCodeAt(0)))),
          fillers: (source.fillers ?? []).map((text) => phrase(text).text),
          particles: source.particles ?? '',
          topic: source.topic,
        };
      case 'hold-etiquette':
        return {
          kind: 'hold-etiquette',
          minSilenceS: source.minSilenceS,
          withinS: source.withinS,
          before: leaf('any', source.before, 1, {}),
          after: leaf('any', source.after, 1, {}),
        };
      case 'dead-air':
        return {
          kind: 'dead-air',
          maxSilenceS: source.maxSilenceS,
          holdPhrases: source.holdPhrases ? leaf('any', source.holdPhrases, 1, {}) : undefined,
        };
      default:
        return source;
    }
  };

  const items = card.items.map((item) => ({ item, rule: rule(item.rule) }));
  // pinyin:false leaves copy their phrase, so index what the rules hold, not just the map.
  const all = new Set<CompiledPhrase>(phrases.values());
  const collect = (cond: CompiledCond): void => {
    if (cond.op === 'set') [...cond.groups.flat(), ...cond.except].forEach((p) => all.add(p));
    else if (cond.op === 'not') collect(cond.inner);
    else if (cond.op === 'and' || cond.op === 'or') cond.parts.forEach(collect);
    else if (cond.op === 'near') [cond.a, cond.b].forEach(collect);
  };
  for (const { rule: compiledRule } of items) {
    if (compiledRule.kind === 'match') collect(compiledRule.cond);
    if (compiledRule.kind === 'conditional') [compiledRule.if, compiledRule.then].forEach(collect);
    if (compiledRule.kind === 'hold-etiquette') [compiledRule.before, compiledRule.after].forEach(collect);
    if (compiledRule.kind === 'dead-air' && compiledRule.holdPhrases) collect(compiledRule.holdPhrases);
  }
  if (greeting) [greeting.hello, greeting.identify, greeting.offer].forEach(collect);
  const phraseIndex = buildPhraseIndex([...all]);
  // Phrases compiled later (context company names) are matched without the index.
  const adHoc = (text: string, threshold?: number): CompiledPhrase => {
    const known = phrases.get(text);
    if (known && (threshold === undefined || threshold >= known.prefilterThreshold)) return known;
    return compilePhrase(text, {
      pinyin,
      minPinyinChars: card.matching.minPinyinChars,
      threshold: threshold ?? card.matching.threshold,
    });
  };
  return { card, items, greeting, intents, phraseIndex, phrase: adHoc };
}

function withWindow(cond: CompiledCond, window: PositionWindow): CompiledCond {
  switch (cond.op) {
    case 'set':
    case 'regex':
    case 'intent':
      return { ...cond, window };
    case 'not':
      return { op: 'not', inner: withWindow(cond.inner, window) };
    case 'and':
    case 'or':
      return { op: cond.op, parts: cond.parts.map((part) => withWindow(part, window)) };
    case 'near':
      return { ...cond, a: withWindow(cond.a, window), b: withWindow(cond.b, window) };
  }
}

const CLAUSE_SPLIT = /[,,。.!!??、;;\s]+/u;

/**
 * The template (e.g. 您好,{company},{agent_no}号为您服务,请问有什么可以帮您)
 * gives the three parts scored separately: the first clause without a slot is
 * the hello, the last one the offer of help, and the slots the
 * self-identification (any one slot is enough: company and/or agent number).
 */
function compileGreeting(
  card: Scorecard,
  leaf: (
    mode: PhraseSetLeaf['mode'],
    entries: string[],
    need: number,
    options: { speaker?: SpeakerScope; threshold?: number },
  ) => PhraseSetLeaf,
): CompiledGreeting {
  const g = card.greeting as NonNullable<Scorecard['greeting']>;
  const threshold = g.threshold ?? card.matching.threshold;
  const clauses = g.template.split(CLAUSE_SPLIT).filter((clause) => clause.length > 0);
  const plain = clauses.filter((clause) => !clause.includes('{'));
  const hello = g.hello ?? plain.slice(0, 1);
  const offer = g.offer ?? plain.slice(-1);
  const companySlot = g.template.includes('{company}');
  const identifyParts: CompiledCond[] = [];
  if (companySlot && g.slots.company) identifyParts.push(leaf('any', g.slots.company, 1, { threshold }));
  if (g.template.includes('{agent_no}')) {
    const source = g.slots.agentNoPattern ?? '工号\\d{1,6}|\\d{1,6}号';
    identifyParts.push({ op: 'regex', source, re: new RegExp(source, 'u'), speaker: 'agent' });
  }
  return {
    hello: leaf('any', hello, 1, { threshold }),
    offer: leaf('any', offer, 1, { threshold }),
    // A template without slots has nothing to identify; an empty `or` never holds.
    identify: { op: 'or', parts: identifyParts },
    companySlot,
    window: g.window,
    threshold,
  };
}
