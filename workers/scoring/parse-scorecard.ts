import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { scorecardSchema, type Scorecard } from './scorecard-schema.ts';

/** Thrown for an invalid scorecard; `issues` are one line each: `file: path: what is wrong`. */
export class ScorecardError extends Error {
  constructor(
    readonly fileName: string,
    readonly issues: string[],
  ) {
    super(`invalid scorecard ${fileName}:\n  ${issues.join('\n  ')}`);
    this.name = 'ScorecardError';
  }
}

/** items.3.rule.phrases → items[3].rule.phrases */
export function formatIssuePath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(document)' : out;
}

export function formatIssues(fileName: string, issues: z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => `${fileName}: ${formatIssuePath(issue.path)}: ${issue.message}`);
}

/** Parses a YAML (or JSON, which is YAML) scorecard; throws ScorecardError listing every problem. */
export function parseScorecard(text: string, fileName: string): Scorecard {
  let document: unknown;
  try {
    document = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ScorecardError(fileName, [`${fileName}: (document): not valid YAML/JSON: ${message}`]);
  }
  const parsed = scorecardSchema.safeParse(document);
  if (!parsed.success) throw new ScorecardError(fileName, formatIssues(fileName, parsed.error.issues));
  return parsed.data;
}
