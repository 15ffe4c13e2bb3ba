import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Speaker, Transcript } from '../../models/transcript.ts';
import { compileScorecard, type CompiledScorecard } from '../../workers/scoring/compile-scorecard.ts';
import { parseScorecard } from '../../workers/scoring/parse-scorecard.ts';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const scorecardPath = (name: string): string =>
  join(repoRoot, 'workers/scoring/scorecards', `${name}.yaml`);
export const labelledPath = (name: string): string =>
  join(repoRoot, 'test/scoring/labelled', `${name}.jsonl`);
/**
 * Version 1 of the default card, frozen: its phrase-list rules (any / all /
 * near / forbidden lists / template greeting) are what the generated
 * regression set was produced from, and what the operator tests exercise.
 */
export const v1CardPath = join(repoRoot, 'test/scoring/labelled/default-zh-v1.yaml');

export function defaultZhV1(): CompiledScorecard {
  return compileScorecard(parseScorecard(readFileSync(v1CardPath, 'utf8'), 'default-zh-v1.yaml'));
}

export function defaultZh(): CompiledScorecard {
  return compileScorecard(
    parseScorecard(readFileSync(scorecardPath('default-zh'), 'utf8'), 'default-zh.yaml'),
  );
}

/** A one-off scorecard around the given items (YAML list text), for operator tests. */
export function cardWith(itemsYaml: string, extra = ''): CompiledScorecard {
  const text = `id: t\nversion: 1\nlanguage: zh\nname: test\npassThreshold: 80\n${extra}\nitems:\n${itemsYaml}`;
  return compileScorecard(parseScorecard(text, 'test.yaml'));
}

type Line = [Speaker, number, number, string, number?];

/** buildTranscript-lite with explicit times: [speaker, start, end, text, confidence?]. */
export function transcriptOf(lines: Line[], overrides: Partial<Transcript> = {}): Transcript {
  return {
    callId: 'c1',
    language: 'zh',
    durationS: Math.max(0, ...lines.map((l) => l[2])) + 1,
    speakerMode: 'stereo',
    speakerDecision: { method: 'channel', confidence: 1 },
    source: 'asr',
    segments: lines.map(([speaker, start, end, text, confidence]) => ({
      speaker,
      start,
      end,
      text,
      ...(confidence !== undefined ? { confidence } : {}),
    })),
    ...overrides,
  };
}
