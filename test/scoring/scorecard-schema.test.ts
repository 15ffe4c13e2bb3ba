import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadScorecard } from '../../workers/scoring/load-scorecard.ts';
import { parseScorecard, ScorecardError } from '../../workers/scoring/parse-scorecard.ts';
import { scorecardPath } from './helpers.ts';

const HEAD = 'id: t\nversion: 1\nlanguage: zh\nname: test\npassThreshold: 80\nitems:\n';

function issuesOf(text: string, file = 'default-zh.yaml'): string[] {
  try {
    parseScorecard(text, file);
  } catch (error) {
    if (error instanceof ScorecardError) return error.issues;
    throw error;
  }
  throw new Error('expected the scorecard to be rejected');
}

describe('scorecard schema', () => {
  it('loads both shipped scorecards', async () => {
    const zh = await loadScorecard(scorecardPath('default-zh'));
    const en = await loadScorecard(scorecardPath('en-example'));
    expect(zh.id).toBe('default-zh');
    expect(zh.items.length).toBeGreaterThan(10);
    expect(en.language).toBe('en');
  });

  it('names the file, the path inside the document and what is wrong', () => {
    const items = [
      '  - { id: a, title: A, category: greeting, points: 1, rule: { kind: match, cond: { any: [您好] } } }',
      '  - { id: b, title: B, category: greeting, points: 1, rule: { kind: match, cond: { any: [您好] } } }',
      '  - { id: c, title: C, category: greeting, points: 1, rule: { kind: match, cond: { any: [您好] } } }',
      '  - { id: d, title: D, category: forbidden, points: 1, rule: { kind: forbidden, phrases: [] } }',
    ].join('\n');
    expect(issuesOf(HEAD + items)).toEqual([
      'default-zh.yaml: items[3].rule.phrases: expected non-empty list',
    ]);
  });

  it('reports nested condition errors, unknown kinds, bad regexes and several operators at once', () => {
    const items = [
      '  - { id: a, title: A, category: greeting, points: 1, rule: { kind: match, cond: { not: { regex: "(", speaker: boss } } } }',
      '  - { id: b, title: B, category: greeting, points: 1, rule: { kind: nope } }',
      '  - { id: c, title: C, category: greeting, points: 1, rule: { kind: match, cond: { any: [x], all: [y] } } }',
    ].join('\n');
    const issues = issuesOf(HEAD + items, 'x.yaml');
    expect(issues).toContain('x.yaml: items[0].rule.cond.not.regex: expected a valid regular expression');
    expect(issues.some((i) => i.startsWith('x.yaml: items[0].rule.cond.not.speaker: '))).toBe(true);
    expect(issues.some((i) => i.startsWith('x.yaml: items[1].rule.kind: '))).toBe(true);
    expect(issues).toContain('x.yaml: items[2].rule.cond: expected exactly one operator, found any and all');
  });

  it('requires points or weight, unique ids, and a greeting block for greeting rules', () => {
    const noPoints = '  - { id: a, title: A, category: greeting, rule: { kind: match, cond: { any: [x] } } }';
    expect(issuesOf(HEAD + noPoints)).toEqual([
      'default-zh.yaml: items[0].points: expected points (deduction) and/or weight',
    ]);
    const dup = [
      '  - { id: a, title: A, category: greeting, points: 1, rule: { kind: greeting, part: hello } }',
      '  - { id: a, title: A, category: greeting, points: 1, rule: { kind: match, cond: { any: [x] } } }',
    ].join('\n');
    const issues = issuesOf(HEAD + dup);
    expect(issues).toContain('default-zh.yaml: items[1].id: duplicate item id "a"');
    expect(issues).toContain(
      'default-zh.yaml: items[0].rule: greeting rules need a top-level greeting block (template)',
    );
  });

  it('rejects invalid YAML with the file name', () => {
    expect(issuesOf('id: [unclosed', 'broken.yaml')[0]).toMatch(
      /^broken\.yaml: \(document\): not valid YAML/,
    );
  });

  it('fills documented defaults', () => {
    const card = parseScorecard(readFileSync(scorecardPath('default-zh'), 'utf8'), 'default-zh.yaml');
    const overtalk = card.items.find((i) => i.id === 'overtalk');
    expect(overtalk?.rule).toMatchObject({ kind: 'overtalk', minOverlapS: 0.5 });
    expect(card.scoring).toBe('deduction');
    expect(card.review).toEqual({ minSimilarity: 0.9, minConfidence: 0.6 });
  });
});
