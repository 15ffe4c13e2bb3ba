import type { Requirement } from './pattern-prefilter.ts';
import { keyGate, OPEN_GATE, soundKey } from './sound-text.ts';

/**
 * The two bits (`keyGate`) a scan tests before a pattern's or a word's full
 * requirements (`holdsIn`), as [word, mask, word, mask]. Any end a match
 * needs gives a sound gate: every end of a word that must match, and for a
 * list of alternatives a bit all of them share ([交班|下班] needs 班 either
 * way, [能怪谁|怪谁呢|怨谁] 谁). Which two are tested changes no verdict,
 * only how many turns reach `holdsIn`: the rarest go first, so a pattern
 * whose only fixed word is 我 or 是 no longer passes nearly every turn.
 */

/**
 * Characters whose syllables are in 15 % or more of the corpus's turns (的
 * 43 %, 是 36 %, 好 35 %, 我 32 %, 您 31 % … 吗 15 %): a gate on one of them
 * rejects few turns.
 */
const COMMON = '的是好我您了一有不那在可这个请几吗';
let commonKeys: Set<number> | undefined;

interface GateChoice {
  gate: readonly [number, number];
  /** Lower passes fewer turns: one plain syllable, then an accent group, then a common syllable. */
  cost: number;
}

function costOf(keys: Int32Array): number {
  commonKeys ??= new Set(Array.from(COMMON, (ch) => soundKey(ch.charCodeAt(0))));
  const common = commonKeys;
  if (keys.some((key) => common.has(key))) return 3;
  return keys.length > 1 ? 2 : 1;
}

/** A word's ends as gate choices: its last end first, then its first, then the rest (ties keep this order). */
function endChoices(ends: readonly Int32Array[]): GateChoice[] {
  const choices: GateChoice[] = [];
  for (const i of new Set([ends.length - 1, 0, ...ends.keys()])) {
    const gate = keyGate(ends[i]);
    if (gate !== OPEN_GATE) choices.push({ gate, cost: costOf(ends[i]) });
  }
  return choices;
}

const same = (a: GateChoice, b: GateChoice): boolean => a.gate[0] === b.gate[0] && a.gate[1] === b.gate[1];

/** The two cheapest distinct gates, open ones to fill. */
function twoRarest(choices: GateChoice[]): number[] {
  const gates: GateChoice[] = [];
  // A stable sort: among equals, the order the choices were found in.
  for (const choice of [...choices].sort((a, b) => a.cost - b.cost)) {
    if (gates.length < 2 && !gates.some((taken) => same(taken, choice))) gates.push(choice);
  }
  const out = gates.flatMap((choice) => [...choice.gate]);
  while (out.length < 4) out.push(...OPEN_GATE);
  return out;
}

/** The gates of a word that must match whole: any two of its ends. */
export function wordGates(ends: readonly Int32Array[] | null): number[] {
  return twoRarest(ends ? endChoices(ends) : []);
}

/** The gates of a pattern's requirements: ends of its fixed words, and bits its lists' alternatives share. */
export function requirementGates(needs: readonly Requirement[]): number[] {
  const choices: GateChoice[] = [];
  for (const requirement of needs) {
    const [first, ...rest] = requirement.map(endChoices);
    for (const choice of first ?? []) {
      if (rest.every((other) => other.some((o) => same(o, choice)))) choices.push(choice);
    }
  }
  return twoRarest(choices);
}

/**
 * The ends of a word its gates do not test: what `holdsIn` still has to ask
 * (an end is one test there too, its `keyGate`; an open one always holds).
 */
export function untestedEnds(ends: readonly Int32Array[] | null, gates: readonly number[]): Int32Array[] {
  const tested = (gate: readonly [number, number]): boolean =>
    gate === OPEN_GATE ||
    (gate[0] === gates[0] && gate[1] === gates[1]) ||
    (gate[0] === gates[2] && gate[1] === gates[3]);
  return (ends ?? []).filter((keys) => !tested(keyGate(keys)));
}
