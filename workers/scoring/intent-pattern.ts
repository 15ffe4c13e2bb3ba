import { HARD_CHARACTERS } from './hard-characters.ts';
import { requirementGates, untestedEnds, wordGates } from './key-gates.ts';
import { normaliseText } from './normalise-text.ts';
import { holdsIn, needsProgram, type NeedsProgram, type Requirement } from './pattern-prefilter.ts';
import {
  CHAR_CLASS,
  HAN_KEY_CLASS,
  hex,
  isHard,
  isSoft,
  KEY_CLASS,
  OTHER_KEY,
  soundClass,
  soundKey,
  soundKeys,
  soundText,
  type KeySet,
} from './sound-text.ts';

/**
 * Intent patterns: how a QA lead writes "the ways people say it" as data.
 *
 *   [还有|另外] … [其他|别的|什么] … [帮|需要|问题|咨询|业务] … [吗|呢|么]
 *
 * - plain text is said as written, heard by sound (再见 also finds ASR's 在见)
 *   when it has two or more Han characters besides the hard ones (negators,
 *   您/你), which are always exact; a word with one such character (懂, 得,
 *   喂) is matched by character, since its sound alone says too little —
 *   unless written with `~` (`~您好`), which hears it by sound all the same;
 * - `=word` is said exactly, never heard by sound (`=实在`: 是在 is another word);
 * - `[a|b|c]` is one of the alternatives; an empty one (`[的|]`) makes it optional;
 * - `…` (or `...`) lets up to 6 other characters come between; `…12` up to 12;
 * - `{digits}` a number, `{name}` one to three Han characters, `{company}` a
 *   company name (the scorecard's and the call's);
 * - `^` / `$` pin the pattern to the start / end of the turn;
 * - spaces only separate, they match nothing.
 *
 * A pattern compiles to one regular expression over the paired sound text
 * (sound-text.ts), so matching a turn is one regex scan, never a loop over
 * phrases. Offsets reported are those of the normalised text.
 */

export type PatternToken =
  | { kind: 'text'; raw: string; heard?: boolean; heardHard?: boolean; literal?: boolean }
  | { kind: 'choice'; options: PatternToken[][]; raw: string }
  | { kind: 'gap'; max: number; raw: string }
  | { kind: 'slot'; name: SlotName; raw: string }
  | { kind: 'start'; raw: string }
  | { kind: 'end'; raw: string };

export const SLOT_NAMES = ['digits', 'name', 'company'] as const;
export type SlotName = (typeof SLOT_NAMES)[number];
export const DEFAULT_GAP = 6;
const MAX_GAP = 40;

export class PatternError extends Error {}

const SPECIAL = new Set(['[', ']', '|', '{', '}', '^', '$', '…', '~', '=', ' ', '\t']);

/** Parses one pattern; throws PatternError with the position and the problem. */
export function parsePattern(source: string): PatternToken[] {
  let at = 0;
  const fail = (message: string): never => {
    throw new PatternError(`${message} at character ${at + 1} of "${source}"`);
  };

  const gap = (): PatternToken => {
    const start = at;
    at += source.startsWith('...', at) ? 3 : 1;
    let digits = '';
    while (at < source.length && /[0-9]/.test(source[at])) digits += source[at++];
    const max = digits === '' ? DEFAULT_GAP : Number(digits);
    if (max < 1 || max > MAX_GAP) fail(`a gap must allow 1 to ${MAX_GAP} characters`);
    return { kind: 'gap', max, raw: source.slice(start, at) };
  };

  const slot = (): PatternToken => {
    const close = source.indexOf('}', at);
    if (close < 0) fail('"{" without "}"');
    const name = source.slice(at + 1, close);
    if (!(SLOT_NAMES as readonly string[]).includes(name)) {
      fail(`unknown slot {${name}} (known: ${SLOT_NAMES.map((s) => `{${s}}`).join(', ')})`);
    }
    const raw = source.slice(at, close + 1);
    at = close + 1;
    return { kind: 'slot', name: name as SlotName, raw };
  };

  const text = (): PatternToken => {
    const heard = source[at] === '~';
    const literal = source[at] === '=';
    if (heard || literal) at += 1;
    const start = at;
    while (at < source.length && !SPECIAL.has(source[at]) && !source.startsWith('...', at)) at += 1;
    if ((heard || literal) && at === start) fail(`"${heard ? '~' : '='}" must come before a word`);
    return {
      kind: 'text',
      raw: source.slice(start, at),
      ...(heard ? { heard } : {}),
      ...(literal ? { literal } : {}),
    };
  };

  const choice = (): PatternToken => {
    const start = at;
    at += 1;
    const options: PatternToken[][] = [[]];
    while (at < source.length && source[at] !== ']') {
      const ch = source[at];
      if (ch === '|') {
        options.push([]);
        at += 1;
      } else if (ch === '[') fail('alternatives cannot be nested');
      else if (ch === '{') options[options.length - 1].push(slot());
      else if (ch === ' ' || ch === '\t') at += 1;
      else if (ch === '…' || source.startsWith('...', at)) fail('a gap cannot be an alternative');
      else if (ch === '^' || ch === '$') fail(`"${ch}" belongs outside the alternatives`);
      else if ((ch === '~' || ch === '=') && (source[at + 1] === '|' || source[at + 1] === ']'))
        fail(`"${ch}" must come before a word`);
      else options[options.length - 1].push(text());
    }
    if (at >= source.length) fail('"[" without "]"');
    at += 1;
    if (options.every((option) => option.length === 0)) fail('alternatives are all empty');
    return { kind: 'choice', options, raw: source.slice(start, at) };
  };

  const tokens: PatternToken[] = [];
  while (at < source.length) {
    const ch = source[at];
    if (ch === ' ' || ch === '\t') at += 1;
    else if (ch === '[') tokens.push(choice());
    else if (ch === '{') tokens.push(slot());
    else if (ch === '…' || source.startsWith('...', at)) tokens.push(gap());
    else if (ch === '^') {
      if (tokens.length > 0) fail('"^" must come first');
      tokens.push({ kind: 'start', raw: '^' });
      at += 1;
    } else if (ch === '$') {
      tokens.push({ kind: 'end', raw: '$' });
      at += 1;
      if (source.slice(at).trim() !== '') fail('"$" must come last');
    } else if (ch === ']' || ch === '|' || ch === '}') fail(`unexpected "${ch}"`);
    else tokens.push(text());
  }
  const matching = tokens.filter((t) => t.kind === 'text' || t.kind === 'choice' || t.kind === 'slot');
  if (matching.length === 0) fail('nothing to match');
  if (matching.length > 1) markLoneHard(tokens);
  if (tokens[0]?.kind === 'gap' || tokens[tokens.length - 1]?.kind === 'gap') {
    at = 0;
    fail('a gap at either end matches nothing more');
  }
  return tokens;
}

/**
 * A word that is one hard character (你, 没, 不) among other words of a
 * pattern is heard by its syllable, like a hard character inside a word (ASR's
 * 腻找 is still 你找): the other words say enough. A pattern of that character
 * alone (ni-address: 你) stays exact — 泥 or 拟 is no 你.
 */
function markLoneHard(tokens: PatternToken[]): void {
  for (const token of tokens) {
    const words = token.kind === 'text' ? [token] : token.kind === 'choice' ? token.options.flat() : [];
    for (const word of words) {
      if (word.kind !== 'text') continue;
      const text = normaliseText(word.raw);
      if (text.length === 1 && isHard(text.charCodeAt(0))) word.heardHard = true;
    }
  }
}

const escape = (text: string): string => text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/** 您: in a scripted intent it is heard within its accent group (泞/林), never as 你. */
const NIN = '您'.charCodeAt(0);

/** Normalised text as paired units that ask for these very characters. */
const saidUnits = (text: string): string[] =>
  Array.from(text, (ch) => hex(soundKey(ch.charCodeAt(0))) + escape(ch));

/** `=word`: these very characters, never another by sound (实在 is not the 是在 of 这不是在给你解释). */
const literalOf = (raw: string): string => saidUnits(normaliseText(raw)).join('');

const PAIR = `${KEY_CLASS}${CHAR_CLASS}`;

/**
 * A stray character ASR put inside a scripted word: any Han character but a
 * hard one or its homophone (再不见 is no 再见).
 */
let stray: string | undefined;
function strayPair(): string {
  stray ??= `(?!${[...new Set(Array.from(HARD_CHARACTERS, (ch) => hex(soundKey(ch.charCodeAt(0)))))].join('|')})${HAN_KEY_CLASS}${CHAR_CLASS}`;
  return stray;
}

/**
 * Written text as a regex over paired sound text. A word with two or more
 * ordinary Han characters is heard: each matches its accent group, a hard
 * character its own syllable (不 also as ASR's 部, never 你 as 您), and — as
 * ASR adds characters — a word of three or more characters may have one stray
 * character in it: one edit at most, listed as alternatives. It is never
 * completed when it lost one: a word short of a character is too often
 * another word that was really said (打错电话了 without 错 is 打电话了, 你说什么
 * without 说 is 你什么车), and noise must not accuse anyone. In shorter words
 * (懂, 得, 喂, 不懂, 没法) the ordinary character must be exact: its sound
 * alone says too little (不动产 is not 不懂, 没发货 not 没法). Their hard
 * character is still heard by its own syllable: ASR's 每法 keeps the sound of
 * 没, and with it the negation. A word of one hard character is heard so only
 * among other words of its pattern (`markLoneHard`).
 */
function soundOf(
  raw: string,
  alwaysHeard = false,
  tolerant = false,
  heardHard = false,
  scripted = false,
): string {
  const text = normaliseText(raw);
  let soft = 0;
  for (let i = 0; i < text.length; i += 1) if (isSoft(text.charCodeAt(i))) soft += 1;
  const heard = soft >= 2 || (alwaysHeard && soft >= 1);
  const units: string[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (heard && isSoft(code)) units.push(soundClass(code) + CHAR_CLASS);
    else if (isHard(code) && (heard || heardHard || text.length > 1))
      units.push((scripted && code === NIN ? soundClass(code) : hex(soundKey(code))) + CHAR_CLASS);
    else units.push(hex(soundKey(code)) + escape(text[i]));
  }
  const exact = units.join('');
  // A `~` word of a scripted intent (您好, 再见) may also have one stray character inside when it
  // has two, or lose its middle one when it has three — with the characters themselves kept, not
  // only their sound: a formula lost to noise costs the agent points, yet two sounds with a gap
  // would take far too much (在软件 for 再见).
  const said = saidUnits(text);
  if (tolerant && text.length === 2) return `(?:${exact}|${said[0]}${strayPair()}${said[1]})`;
  if (!heard || text.length < 3) return exact;
  const variants = [exact];
  if (tolerant && text.length === 3 && isSoft(text.charCodeAt(1))) variants.push(said[0] + said[2]);
  for (let gap = 1; gap < units.length; gap += 1) {
    variants.push([...units.slice(0, gap), PAIR, ...units.slice(gap)].join(''));
  }
  return `(?:${variants.join('|')})`;
}

/**
 * The keys a transcript must hold wherever the word matches, one set per
 * character every variant `soundOf` tolerates keeps: every character but the
 * middle one of a tolerant (scripted `~`) word of three. Requiring the inner
 * 不 of 办不了, and not only 办 and 了, is what keeps most turns from running
 * the word's regex at all.
 */
function wordKeys(raw: string, alwaysHeard = false, tolerant = false, scripted = false): Int32Array[] | null {
  const text = normaliseText(raw);
  if (text.length === 0) return null;
  let soft = 0;
  for (let i = 0; i < text.length; i += 1) if (isSoft(text.charCodeAt(i))) soft += 1;
  const heard = soft >= 2 || (alwaysHeard && soft >= 1);
  const keysAt = (i: number): Int32Array => {
    const code = text.charCodeAt(i);
    // A scripted 您 may sound like its accent group (soundOf); more keys only let more turns through.
    const group = (heard && isSoft(code)) || (scripted && code === NIN);
    return Int32Array.from(group ? soundKeys(code) : [soundKey(code)]);
  };
  if (text.length === 1) return [keysAt(0)];
  const kept: Int32Array[] = [keysAt(0)];
  // soundOf lets only a tolerant word of three lose a character: its middle one, an ordinary one.
  const mayDrop = heard && tolerant && text.length === 3;
  for (let i = 1; i < text.length - 1; i += 1) {
    if (!mayDrop || !isSoft(text.charCodeAt(i))) kept.push(keysAt(i));
  }
  kept.push(keysAt(text.length - 1));
  return kept;
}

/**
 * What a pattern needs to find in a turn before its regex is worth running:
 * for every token that must match, its alternatives, each as the key sets of
 * its word's two ends. A turn holding neither end of any alternative of one
 * token cannot match, which rules out most (turn, intent) pairs for the
 * price of a few set lookups.
 */

function requirements(tokens: PatternToken[], scripted: boolean, values?: SlotValues): Requirement[] {
  const needs: Requirement[] = [];
  for (const token of tokens) {
    if (token.kind === 'slot' && token.name === 'company' && values) needs.push(companyEnds(values));
    else if (token.kind === 'text') {
      const ends = wordKeys(token.raw, token.heard, scripted && token.heard, scripted);
      if (ends) needs.push([ends]);
    } else if (token.kind === 'choice') {
      const options: Int32Array[][] = [];
      for (const option of token.options) {
        const first = option[0];
        // An alternative that may be empty or starts with a slot needs nothing we can check.
        // The first word of an alternative must match whole, whatever follows it.
        const lead =
          first?.kind === 'text' ? wordKeys(first.raw, first.heard, scripted && first.heard, scripted) : null;
        if (lead) options.push(lead);
        else {
          options.length = 0;
          break;
        }
      }
      if (options.length > 0) needs.push(options);
    }
  }
  return needs;
}

/**
 * The ends of every company name, as one requirement: `{company}` matches one
 * of them whole, as `slotSource` spells it (`soundOf` with its defaults). No
 * names, no alternative: the slot's `(?!)` never matches either.
 */
function companyEnds(values: SlotValues): Int32Array[][] {
  return values.company.map((name) => wordKeys(name)).filter((ends): ends is Int32Array[] => ends !== null);
}

export interface SlotValues {
  company: string[];
  /** Words of a scripted intent tolerate more ASR noise (`soundOf`). */
  scripted?: boolean;
}

function slotSource(name: SlotName, values: SlotValues): string {
  switch (name) {
    case 'digits':
      return `(?:${hex(OTHER_KEY)}[0-9])+`;
    case 'name':
      // Han characters, or digits and letters (小7 — 七 became a digit in normalisation).
      return `(?:${HAN_KEY_CLASS}${CHAR_CLASS}|${hex(OTHER_KEY)}[0-9a-z]){1,3}`;
    case 'company': {
      const names = values.company.map((name) => soundOf(name)).filter((s) => s.length > 0);
      return names.length > 0 ? `(?:${names.join('|')})` : '(?!)';
    }
  }
}

function tokenSource(token: PatternToken, values: SlotValues): string {
  switch (token.kind) {
    case 'text':
      if (token.literal) return literalOf(token.raw);
      return soundOf(
        token.raw,
        token.heard,
        token.heard && values.scripted === true,
        token.heardHard,
        values.scripted === true,
      );
    case 'choice':
      return `(?:${token.options.map((option) => option.map((t) => tokenSource(t, values)).join('')).join('|')})`;
    case 'gap':
      return `(?:${PAIR}){0,${token.max}}?`;
    case 'slot':
      return slotSource(token.name, values);
    case 'start':
      return '^';
    case 'end':
      return '$';
  }
}

/**
 * A regex over paired sound text, without the `u` flag: V8 tests a sticky
 * one about 1.6× as fast without it. The flag changes no match here: every
 * other code unit of a sound text is a key (U+E000–U+EFFF), so no two
 * adjacent units ever form a surrogate pair, and each literal and class of a
 * pattern meets the text one code unit at a time either way.
 */
export function soundRegex(source: string, flags = ''): RegExp {
  return new RegExp(source, flags);
}

/** One regular expression for the pattern; `capture` wraps each token in a group (for explaining). */
export function patternSource(tokens: PatternToken[], values: SlotValues, capture = false): string {
  return tokens.map((t) => (capture ? `(${tokenSource(t, values)})` : tokenSource(t, values))).join('');
}

export function usesCompany(tokens: PatternToken[]): boolean {
  return tokens.some(
    (t) =>
      (t.kind === 'slot' && t.name === 'company') ||
      (t.kind === 'choice' && t.options.some((o) => usesCompany(o))),
  );
}

export interface PatternHit {
  from: number;
  to: number;
  /** Index of the pattern (within its intent) that matched. */
  pattern: number;
}

/**
 * An intent: several patterns, one regex over all of them for scanning, one
 * per pattern to say which matched. Patterns with {company} are compiled per
 * set of company names (the call's context adds names), memoised.
 */
export class CompiledIntent {
  readonly tokens: PatternToken[][];
  private readonly combined = new Map<string, RegExp>();
  private readonly single = new Map<string, RegExp[]>();
  /** Per set of companies, what a scan runs (`ScanPlan`); the one plan of an intent without {company}. */
  private readonly plans = new Map<string, ScanPlan>();
  private plainPlan?: ScanPlan;
  readonly company: boolean;
  private readonly needs: NeedsProgram[];
  /** Per pattern, two bits its `needs` imply (`requirementGates`), four numbers each: checked before them. */
  private readonly patternGates: Int32Array;
  /** Patterns pinned to the start of the turn (`^`): their later scans need a slice, where `^` is the slice's start. */
  private readonly anchored: boolean[];
  /**
   * Patterns that are one list of words (`[没办法|办不了|…]`, most violation
   * families): each word's ends, so a turn runs the words it could hold, each
   * its own small regex. One regex of forty heard words is too big for V8 to
   * compile to machine code and took ~50 µs a turn; its words alone take well
   * under one.
   */
  private readonly wordEnds: Array<Array<Int32Array[] | null> | null>;
  /**
   * Patterns whose own prefilter is only "some word's ends are in the turn":
   * every word checks its own ends, so checking the pattern first would look
   * at each word twice (the prefilter is the hottest loop of a scan).
   */
  private readonly wordsOnly: boolean[];

  constructor(
    readonly name: string,
    readonly patterns: string[],
    private readonly cardCompanies: string[],
    /** A scripted intent (a formula the agent must say, never a violation): its words tolerate more noise. */
    readonly scripted = false,
  ) {
    this.tokens = patterns.map(parsePattern);
    this.company = this.tokens.some(usesCompany);
    const needs = this.tokens.map((tokens) => requirements(tokens, this.scripted));
    this.needs = needs.map(needsProgram);
    this.patternGates = Int32Array.from(needs.flatMap(requirementGates));
    this.anchored = this.tokens.map((tokens) => tokens[0].kind === 'start');
    this.wordEnds = this.tokens.map((tokens) => {
      const only = tokens[0];
      if (tokens.length !== 1 || only.kind !== 'choice') return null;
      return only.options.map((option) =>
        option.length === 1 && option[0].kind === 'text'
          ? wordKeys(option[0].raw, option[0].heard, this.scripted && option[0].heard, this.scripted)
          : null,
      );
    });
    this.wordsOnly = this.wordEnds.map((words) => words !== null && words.every((ends) => ends !== null));
  }

  /** Whether a turn holding these sound keys (`keysIn`) could match any pattern at all. */
  mayMatch(keys: KeySet): boolean {
    for (let p = 0; p < this.needs.length; p += 1) if (holdsIn(keys, this.needs[p])) return true;
    return false;
  }

  values(companies: string[]): SlotValues {
    return { company: [...this.cardCompanies, ...companies], scripted: this.scripted };
  }

  private key(companies: string[]): string {
    return this.company ? companies.join('\u0000') : '';
  }

  regex(companies: string[] = []): RegExp {
    const key = this.key(companies);
    let re = this.combined.get(key);
    if (!re) {
      const values = this.values(companies);
      re = soundRegex(this.tokens.map((t) => `(?:${patternSource(t, values)})`).join('|'));
      this.combined.set(key, re);
    }
    return re;
  }

  patternRegexes(companies: string[] = []): RegExp[] {
    const key = this.key(companies);
    let list = this.single.get(key);
    if (!list) {
      const values = this.values(companies);
      list = this.tokens.map((t) => soundRegex(patternSource(t, values)));
      this.single.set(key, list);
    }
    return list;
  }

  private planOf(companies: string[]): ScanPlan {
    // Most intents have no {company}: one plan, kept at hand (a turn is scanned by dozens of intents).
    if (!this.company) return (this.plainPlan ??= this.plan(this.values(companies)));
    const key = this.key(companies);
    let plan = this.plans.get(key);
    if (!plan) {
      plan = this.plan(this.values(companies));
      this.plans.set(key, plan);
    }
    return plan;
  }

  /**
   * One scanner per pattern, or per word of a one-list pattern, in the
   * order a scan ranks them; each gated by its word's two bits, or by its
   * pattern's when it is the whole pattern. A word of a list that is not
   * words alone also checks its pattern's requirements (none in the default
   * cards).
   */
  private plan(values: SlotValues): ScanPlan {
    const scanners: Scanner[] = [];
    const gates: number[] = [];
    this.tokens.forEach((tokens, pattern) => {
      const words = this.wordEnds[pattern];
      const only = tokens[0];
      const patternGates = Array.from(this.patternGates.subarray(4 * pattern, 4 * pattern + 4));
      if (!words || only.kind !== 'choice') {
        // A top-level {company} needs one of this plan's names: without them, a lone `{company}` ran on every turn.
        const needs = tokens.some((t) => t.kind === 'slot' && t.name === 'company')
          ? needsProgram(requirements(tokens, this.scripted, values))
          : this.needs[pattern];
        scanners.push(scanner(pattern, tokens, values, null, needs));
        gates.push(...patternGates);
        return;
      }
      const needs = this.wordsOnly[pattern] ? null : this.needs[pattern];
      only.options.forEach((option, w) => {
        const wordGate = wordGates(words[w]);
        const rest = untestedEnds(words[w], wordGate);
        scanners.push(scanner(pattern, [{ ...only, options: [option] }], values, rest, needs));
        gates.push(...wordGate);
      });
    });
    return { scanners, gates: Int32Array.from(gates) };
  }

  /**
   * First match in a turn's sound text, or null. With `keys` (the turn's
   * `keysIn`) only the patterns the turn could hold are run, each alone.
   */
  find(sound: string, companies: string[] = [], keys?: KeySet): PatternHit | null {
    if (keys) return this.scan(sound, companies, keys, false)[0] ?? null;
    const found = this.regex(companies).exec(sound);
    if (!found) return null;
    const pattern = this.patternRegexes(companies).findIndex((re) => re.exec(found[0])?.index === 0);
    return { from: found.index / 2, to: (found.index + found[0].length) / 2, pattern: Math.max(0, pattern) };
  }

  /** Every non-overlapping match in a turn's sound text. */
  findAll(sound: string, companies: string[] = [], keys?: KeySet): readonly PatternHit[] {
    if (keys) return this.scan(sound, companies, keys, true);
    const hits: PatternHit[] = [];
    let offset = 0;
    while (offset * 2 < sound.length) {
      const hit = this.find(sound.slice(offset * 2), companies);
      if (!hit) break;
      hits.push({ from: hit.from + offset, to: hit.to + offset, pattern: hit.pattern });
      offset += Math.max(hit.to, hit.from + 1);
    }
    return hits;
  }

  /**
   * The matches of the patterns a turn could hold, each search starting
   * after the previous hit, the earliest (then the first pattern, and in a
   * one-list pattern the first word) winning — as if every search ran alone
   * on the rest of the turn, and as a pattern's own regex chooses: leftmost,
   * then the first alternative that matches there. A pattern's match
   * that lies beyond the previous hit is still its first from there, so it
   * is kept rather than searched for again, and a pattern that found nothing
   * is not run again (unless pinned to the start, which moves with the hit).
   */
  private scan(sound: string, companies: string[], keys: KeySet, all: boolean): readonly PatternHit[] {
    // Scratch shared by every scan (a scan never runs inside another): most scans run nothing.
    const running = scanRunning;
    let count = 0;
    const { scanners, gates } = this.planOf(companies);
    const { bits, at } = keys;
    for (let s = 0; s < scanners.length; s += 1) {
      // Two bits first (most scanners fail here), the full requirements only after.
      const g = 4 * s;
      if ((bits[at + gates[g]] & gates[g + 1]) === 0 || (bits[at + gates[g + 2]] & gates[g + 3]) === 0)
        continue;
      const { needs, ends } = scanners[s];
      if (needs && !holdsIn(keys, needs)) continue;
      if (ends && !holdsIn(keys, ends)) continue;
      running[count] = scanners[s];
      count += 1;
    }
    // Most scans run nothing: they share one empty answer.
    if (count === 0) return NO_HITS;
    const hits: PatternHit[] = [];
    if (scanFrom.length < count) {
      scanFrom = new Float64Array(2 * count);
      scanTo = new Float64Array(2 * count);
    }
    // Next match of each scanner (code units of the paired text); -1 unknown, Infinity none.
    const from = scanFrom.fill(-1, 0, count);
    const to = scanTo.fill(-1, 0, count);
    let offset = 0;
    while (offset < sound.length) {
      let best = -1;
      for (let c = 0; c < count; c += 1) {
        const pattern = running[c].pattern;
        // An anchored pattern's search depends on where it starts: run it again at every offset.
        if (from[c] < offset || this.anchored[pattern]) {
          if (offset > 0 && this.anchored[pattern]) {
            // `^` on the rest of the turn means at `offset`: search the slice, as a lone search would.
            const found = this.patternRegexes(companies)[pattern].exec(sound.slice(offset));
            from[c] = found ? found.index + offset : Infinity;
            to[c] = found ? found.index + offset + found[0].length : Infinity;
          } else {
            nextMatch(running[c], sound, offset);
            from[c] = matchFrom;
            to[c] = matchTo;
          }
        }
        if (from[c] !== Infinity && (best < 0 || from[c] < from[best])) best = c;
      }
      if (best < 0) break;
      hits.push({ from: from[best] / 2, to: to[best] / 2, pattern: running[best].pattern });
      if (!all) break;
      offset = 2 * Math.max(to[best] / 2, from[best] / 2 + 1);
    }
    return hits;
  }
}

/**
 * What a scan of one intent runs, flat: its scanners, and four numbers each
 * of their gates (`keyGate`: [word, mask, word, mask]) in one typed array.
 * A turn tests ~270 gates of the violation families: read from one small
 * array they cost about half what they did from an array per scanner.
 */
interface ScanPlan {
  scanners: Scanner[];
  gates: Int32Array;
}

/**
 * What a scan runs for one pattern, or for one word of a one-list pattern
 * (`[没办法|办不了|…]`, most violation families): a list of forty heard words
 * is one regex too big for V8 to compile to machine code (~50 µs a turn),
 * while its words alone, each tried only where the turn holds its ends,
 * take well under one.
 */
interface Scanner {
  pattern: number;
  /** Sticky when `starts` is known, else global: either way a search starts at `lastIndex`, not on a slice. */
  re: RegExp;
  /** The keys a match can start with, as 128 words of bits: the regex is only tried where the turn has one. */
  starts: Int32Array | null;
  /** The pattern's requirements, unless its words' ends say all they would. */
  needs: NeedsProgram | null;
  /** For a word: the ends its two gates do not already test, all of which the turn must hold. */
  ends: NeedsProgram | null;
}

function scanner(
  pattern: number,
  tokens: PatternToken[],
  values: SlotValues,
  ends: Int32Array[] | null,
  needs: NeedsProgram | null,
): Scanner {
  const keys = startKeys(tokens, values);
  let starts: Int32Array | null = null;
  if (keys) {
    starts = new Int32Array(128);
    for (const key of keys) starts[(key - 0xe000) >> 5] |= 1 << ((key - 0xe000) & 31);
  }
  const re = soundRegex(patternSource(tokens, values), starts ? 'y' : 'g');
  return { pattern, re, starts, needs, ends: ends && ends.length > 0 ? needsProgram([[ends]]) : null };
}

/**
 * The keys every match of a pattern starts with, when its first token says:
 * a word starts with its first character's unit in every tolerated variant
 * (`soundOf`), and a list with one of its words' first units. Null when
 * another slot, an empty alternative or `^` comes first.
 */
function startKeys(tokens: PatternToken[], values: SlotValues): number[] | null {
  const scripted = values.scripted ?? false;
  const lead = (option: PatternToken[]): Int32Array | null => {
    const first = option[0];
    return first?.kind === 'text'
      ? (wordKeys(first.raw, first.heard, scripted && first.heard, scripted)?.[0] ?? null)
      : null;
  };
  const first = tokens[0];
  // A leading {company}: the first keys of its names (none: its `(?!)` never matches anywhere).
  if (first.kind === 'slot' && first.name === 'company')
    return companyEnds(values).flatMap((ends) => [...ends[0]]);
  const options = first.kind === 'text' ? [[first]] : first.kind === 'choice' ? first.options : [];
  if (options.length === 0) return null;
  const keys = new Set<number>();
  for (const option of options) {
    const own = lead(option);
    if (!own) return null;
    for (const key of own) keys.add(key);
  }
  return [...keys];
}

const NO_HITS: readonly PatternHit[] = Object.freeze([]);

/** Result of `nextMatch` (code units; Infinity for none), kept in module state to spare an object per search. */
let matchFrom = 0;
/** Scratch of `scan`: the scanners a turn runs, and each one's next match. */
const scanRunning: Scanner[] = [];
let scanFrom = new Float64Array(64);
let scanTo = new Float64Array(64);
let matchTo = 0;

/** The scanner's first match at or after `offset`, as if its regex searched the turn from there. */
function nextMatch(scanner: Scanner, sound: string, offset: number): void {
  const { re, starts } = scanner;
  matchFrom = Infinity;
  matchTo = Infinity;
  if (!starts) {
    re.lastIndex = offset;
    const found = re.exec(sound);
    if (found) {
      matchFrom = found.index;
      matchTo = found.index + found[0].length;
    }
    return;
  }
  // Matches start on a key (even offsets), and only on one the pattern can start with.
  for (let at = offset; at < sound.length; at += 2) {
    const key = sound.charCodeAt(at) - 0xe000;
    if (key < 0 || key >= 4096 || ((starts[key >> 5] >>> (key & 31)) & 1) === 0) continue;
    re.lastIndex = at;
    // Sticky: `test` says whether a match starts here and leaves `lastIndex` at its end, with no match array.
    if (re.test(sound)) {
      matchFrom = at;
      matchTo = re.lastIndex;
      return;
    }
  }
}

export interface PatternExplanation {
  pattern: string;
  matched: boolean;
  /** When matched: the matched text and each token's part of it. */
  text?: string;
  from?: number;
  to?: number;
  parts?: Array<{ token: string; text: string }>;
  /** When not matched: how many tokens matched in a row, and the token that found nothing after them. */
  matchedTokens?: number;
  missing?: string;
}

/** Which pattern of an intent matched where in a normalised sentence, or why none did. */
export function explainIntent(
  intent: CompiledIntent,
  normalised: string,
  companies: string[] = [],
): PatternExplanation[] {
  const sound = soundText(normalised);
  const values = intent.values(companies);
  return intent.tokens.map((tokens, p) => {
    const pattern = intent.patterns[p];
    const full = soundRegex(patternSource(tokens, values, true), 'd').exec(sound);
    if (full?.indices) {
      const [from, to] = full.indices[0].map((x) => x / 2);
      const parts = tokens.map((token, t) => {
        const span = full.indices?.[t + 1];
        return { token: token.raw, text: span ? normalised.slice(span[0] / 2, span[1] / 2) : '' };
      });
      return { pattern, matched: true, text: normalised.slice(from, to), from, to, parts };
    }
    // The longest run of leading tokens that still matches names the one that failed.
    let matchedTokens = 0;
    for (let k = 1; k <= tokens.length; k += 1) {
      const head = tokens.slice(0, k);
      if (head[head.length - 1].kind === 'gap') continue;
      if (!soundRegex(patternSource(head, values)).test(sound)) break;
      matchedTokens = k;
    }
    const missing = tokens.slice(matchedTokens).find((t) => t.kind !== 'gap')?.raw ?? '';
    return { pattern, matched: false, matchedTokens, missing };
  });
}
