import type { CallView, RawHit } from './call-view.ts';
import type { CompiledCond, CompiledException, IntentLeaf, PhraseSetLeaf } from './compile-scorecard.ts';
import type { CompiledIntent } from './intent-pattern.ts';
import { matchPhrase, textFrom, type CompiledPhrase } from './phrase-matcher.ts';

/**
 * The segments a condition looked at, one byte per segment of the call: a
 * Set per condition per call was a visible share of scoring's garbage.
 */
export class LookedSegments {
  private readonly flags: Uint8Array;
  constructor(count: number) {
    this.flags = new Uint8Array(count);
  }
  add(index: number): void {
    this.flags[index] = 1;
  }
  has(index: number): boolean {
    return this.flags[index] === 1;
  }
}

export interface CondResult {
  holds: boolean;
  /** Supporting hits; under `not`, the hits that broke the rule. */
  hits: RawHit[];
  /** Segments the leaves looked at (for judging whether an absence is trustworthy). */
  looked: LookedSegments;
}

/** A phrase hit in segment `index`, unless an exception phrase (false friend) overlaps it. */
export function findPhrase(
  view: CallView,
  phrase: CompiledPhrase,
  index: number,
  threshold: number,
  except: CompiledPhrase[],
): RawHit | null {
  let found = view.match(phrase, index);
  let offset = 0;
  // An excused best window may hide a real one later in the segment
  // (不知道您是否方便,我也不知道): look again after the false friend, a few times at most.
  for (let attempt = 0; attempt < 4 && found && found.similarity >= threshold; attempt += 1) {
    const hit = found;
    const excuse = except
      .map((friend) => view.match(friend, index))
      .find((e) => e && e.similarity >= threshold && e.from < hit.to + offset && hit.from + offset < e.to);
    if (!excuse) {
      return {
        phrase: phrase.raw,
        segmentIndex: index,
        from: hit.from + offset,
        to: hit.to + offset,
        similarity: hit.similarity,
        method: hit.exact ? 'exact' : 'fuzzy',
      };
    }
    offset = Math.max(excuse.to, hit.to + offset);
    found = matchPhrase(phrase, textFrom(view.text(index), offset));
  }
  return null;
}

/** The first exception that clears a hit at [from, to) of segment `index`, if any. */
export function exceptionFor(
  view: CallView,
  index: number,
  from: number,
  to: number,
  unless: CompiledException[],
): CompiledException | undefined {
  const sound = view.sound(index);
  // The turn's keys hold every key of a part of it, so they prefilter a search in a slice soundly.
  const keys = view.soundKeys(index);
  const { companies } = view;
  return unless.find(
    (e) =>
      !(
        e.blockedBy !== undefined &&
        // Right before the hit, or in it: 我哪知道 speaks for the agent as much as 我们 + 办不了.
        e.blockedBy.find(sound.slice(2 * Math.max(0, from - e.blockWithin), 2 * to), companies, keys)
      ) &&
      // The paired sound text has two code units per character.
      ((e.before !== undefined &&
        e.before.find(sound.slice(2 * Math.max(0, from - e.within), 2 * from), companies, keys)) ||
        (e.after !== undefined && e.after.find(sound.slice(2 * to, 2 * (to + e.within)), companies, keys)) ||
        (e.turn !== undefined && e.turn.find(sound, companies, keys)) ||
        (e.overlap !== undefined &&
          e.overlap.findAll(sound, companies, keys).some((h) => h.from < to && from < h.to))),
  );
}

export interface IntentHits {
  counted: RawHit[];
  /** Hits an exception cleared, with the exception (`review` ones go to a human). */
  excused: Array<{ hit: RawHit; by: CompiledException }>;
}

/** Every hit of the intents in segment `index`, split by whether an exception clears it. */
export function findIntentHits(
  view: CallView,
  intents: CompiledIntent[],
  unless: CompiledException[],
  index: number,
  out: IntentHits,
): void {
  const sound = view.sound(index);
  const keys = view.soundKeys(index);
  for (const intent of intents) {
    for (const found of intent.findAll(sound, view.companies, keys)) {
      const hit: RawHit = {
        phrase: `${intent.name}: ${intent.patterns[found.pattern]}`,
        segmentIndex: index,
        from: found.from,
        to: found.to,
        similarity: 1,
        method: 'pattern',
      };
      const by = exceptionFor(view, index, found.from, found.to, unless);
      if (by) out.excused.push({ hit, by });
      else out.counted.push(hit);
    }
  }
}

function evaluateIntent(
  view: CallView,
  leaf: IntentLeaf,
  looked: LookedSegments,
  exhaustive: boolean,
): CondResult {
  const found: IntentHits = { counted: [], excused: [] };
  for (const index of view.inScope(leaf.speaker, leaf.window)) {
    looked.add(index);
    findIntentHits(view, leaf.intents, leaf.unless, index, found);
    if (!exhaustive && found.counted.length > 0) break;
  }
  return { holds: found.counted.length > 0, hits: found.counted, looked };
}

/** Keeps one hit per overlapping window of a segment: the most similar (alternatives often overlap). */
function addBest(hits: RawHit[], hit: RawHit): void {
  const rival = hits.findIndex(
    (h) => h.segmentIndex === hit.segmentIndex && h.from < hit.to && hit.from < h.to,
  );
  if (rival < 0) hits.push(hit);
  else if (hit.similarity > hits[rival].similarity) hits[rival] = hit;
}

/**
 * `exhaustive` collects every hit (for `near` pairs and `not` violations);
 * otherwise the first hit of each group is proof enough, which saves most of
 * the matching on long calls.
 */
function evaluateSet(
  view: CallView,
  leaf: PhraseSetLeaf,
  looked: LookedSegments,
  exhaustive: boolean,
): CondResult {
  const segments = view.inScope(leaf.speaker, leaf.window);
  for (const index of segments) looked.add(index);
  const hits: RawHit[] = [];
  let groupsFound = 0;
  for (const group of leaf.groups) {
    let found = false;
    for (const phrase of group) {
      for (const index of segments) {
        const hit = findPhrase(view, phrase, index, leaf.threshold, leaf.except);
        if (hit) {
          addBest(hits, hit);
          found = true;
          if (!exhaustive) break;
        }
      }
      if (found && !exhaustive) break;
    }
    if (found) groupsFound += 1;
  }
  return { holds: groupsFound >= leaf.need, hits, looked };
}

function evaluateRegex(
  view: CallView,
  cond: Extract<CompiledCond, { op: 'regex' }>,
  looked: LookedSegments,
): CondResult {
  const hits: RawHit[] = [];
  for (const index of view.inScope(cond.speaker, cond.window)) {
    looked.add(index);
    const found = cond.re.exec(view.text(index).text);
    if (found) {
      hits.push({
        phrase: cond.source,
        segmentIndex: index,
        from: found.index,
        to: found.index + found[0].length,
        similarity: 1,
        method: 'regex',
      });
    }
  }
  return { holds: hits.length > 0, hits, looked };
}

function distance(
  view: CallView,
  a: RawHit,
  b: RawHit,
  within: { chars?: number; seconds?: number },
): boolean {
  if (within.chars !== undefined) {
    if (a.segmentIndex !== b.segmentIndex) return false;
    if (Math.max(0, b.from - a.to, a.from - b.to) > within.chars) return false;
  }
  if (within.seconds !== undefined) {
    const x = view.timeOf(a);
    const y = view.timeOf(b);
    if (Math.max(0, y.start - x.end, x.start - y.end) > within.seconds) return false;
  }
  return true;
}

export function evaluateCond(
  view: CallView,
  cond: CompiledCond,
  looked = new LookedSegments(view.segments.length),
  exhaustive = false,
): CondResult {
  switch (cond.op) {
    case 'set':
      return evaluateSet(view, cond, looked, exhaustive);
    case 'regex':
      return evaluateRegex(view, cond, looked);
    case 'intent':
      return evaluateIntent(view, cond, looked, exhaustive);
    case 'not': {
      const inner = evaluateCond(view, cond.inner, looked, true);
      return { holds: !inner.holds, hits: inner.hits, looked };
    }
    case 'and': {
      const parts = cond.parts.map((part) => evaluateCond(view, part, looked, exhaustive));
      return { holds: parts.every((p) => p.holds), hits: parts.flatMap((p) => p.hits), looked };
    }
    case 'or': {
      const parts = cond.parts.map((part) => evaluateCond(view, part, looked));
      return {
        holds: parts.some((p) => p.holds),
        hits: parts.filter((p) => p.holds).flatMap((p) => p.hits),
        looked,
      };
    }
    case 'near': {
      const a = evaluateCond(view, cond.a, looked, true);
      const b = evaluateCond(view, cond.b, looked, true);
      const hits: RawHit[] = [];
      for (const x of a.hits) {
        for (const y of b.hits) {
          if (distance(view, x, y, cond)) hits.push(x, y);
        }
      }
      return { holds: hits.length > 0, hits: [...new Set(hits)], looked };
    }
  }
}
