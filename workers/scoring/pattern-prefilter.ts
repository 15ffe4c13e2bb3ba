import { keyGate, type KeySet } from './sound-text.ts';

/**
 * What a pattern needs to find in a turn before its regex is worth running
 * (intent-pattern.ts `requirements`): for every token that must match, its
 * alternatives, each as the key lists of its word's ends. A turn holding
 * neither end of any alternative of one token cannot match.
 */
export type Requirement = Int32Array[][];

/**
 * Requirements flattened into one array, read by `holdsIn` in a single loop:
 * this check runs for every (turn, pattern) pair, and walking nested arrays
 * of typed arrays cost more than the regexes it spares. Each end is one
 * two-number test of the turn's key set (`keyGate`): its key's bit, or its
 * accent group's for a heard character — an accent group's keys are the
 * syllables one merge apart (zh/z, n/l, in/ing), so the group bit says what
 * testing them one by one said, in one test (at worst it lets a turn through
 * to the regex, which decides). Layout:
 *   requirement count, then per requirement:
 *     alternative count, index after the requirement, then per alternative:
 *       end count, then per end: word of the key set, mask.
 */
export type NeedsProgram = Int32Array;

export function needsProgram(needs: Requirement[]): NeedsProgram {
  const out: number[] = [needs.length];
  // The order of the checks does not change the verdict, only how soon a turn fails: the
  // requirements with fewest alternatives first, and a word's last end (不知道's 道, not
  // its 不) before its first.
  const ordered = [...needs].sort((a, b) => a.length - b.length);
  for (const requirement of ordered) {
    const requirementAt = out.length;
    out.push(requirement.length, 0);
    for (const ends of requirement) {
      out.push(ends.length);
      for (const keys of [...ends].reverse()) out.push(...keyGate(keys));
    }
    out[requirementAt + 1] = out.length;
  }
  return Int32Array.from(out);
}

/** Whether the turn's keys hold every requirement (some alternative with all of its ends). */
export function holdsIn(set: KeySet, program: NeedsProgram): boolean {
  const { bits, at } = set;
  const requirements = program[0];
  let i = 1;
  for (let r = 0; r < requirements; r += 1) {
    const alternatives = program[i];
    const requirementEnd = program[i + 1];
    i += 2;
    let held = false;
    for (let a = 0; a < alternatives && !held; a += 1) {
      const alternativeEnd = i + 1 + 2 * program[i];
      let e = i + 1;
      while (e < alternativeEnd && (bits[at + program[e]] & program[e + 1]) !== 0) e += 2;
      held = e === alternativeEnd;
      i = alternativeEnd;
    }
    if (!held) return false;
    i = requirementEnd;
  }
  return true;
}
