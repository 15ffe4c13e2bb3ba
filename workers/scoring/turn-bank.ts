import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { normaliseText } from './normalise-text.ts';
import { formatIssues } from './parse-scorecard.ts';
import { channelSchema } from './scorecard-schema.ts';
import type { TrainingTurn } from './violation-model.ts';

/**
 * A turn bank (test/scoring/turn-bank/): single agent turns, each with the
 * customer turn before it, labelled a violation, a near miss (the same words
 * used harmlessly) or ok — written from the seeds, like the dialogue corpora,
 * by writers who never saw the cards. A bank only teaches the learned model:
 * it is not a sample of real calls (four in ten of its turns are violations),
 * so no figure is measured on it; thresholds are still picked on dialogues.
 */
export const bankTurnSchema = z
  .object({
    id: z.string().min(1),
    channel: channelSchema,
    domain: z.string().optional(),
    customer: z.string(),
    agent: z.string().min(1),
    label: z.enum(['violation', 'near_miss', 'ok']),
    class: z.string().optional(),
    span: z.string().optional(),
  })
  .refine((t) => t.span === undefined || t.agent.includes(t.span), {
    message: 'span is not part of the agent turn',
    path: ['span'],
  });
export type BankTurn = z.infer<typeof bankTurnSchema>;

/** Parses a bank's JSONL; errors name the file, line and field. */
export function parseTurnBank(text: string, fileName: string): BankTurn[] {
  const turns: BankTurn[] = [];
  const errors: string[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `${fileName}:${index + 1}`;
    try {
      const parsed = bankTurnSchema.safeParse(JSON.parse(line));
      if (parsed.success) turns.push(parsed.data);
      else errors.push(...formatIssues(where, parsed.error.issues));
    } catch (error) {
      errors.push(`${where}: not valid JSON: ${(error as Error).message}`);
    }
  });
  if (errors.length > 0) throw new Error(`invalid turn bank:\n  ${errors.slice(0, 20).join('\n  ')}`);
  return turns;
}

/** The turns of a bank file, or of every .jsonl file of a bank directory. */
export async function readTurnBank(path: string): Promise<BankTurn[]> {
  const files = (await stat(path)).isDirectory()
    ? (await readdir(path))
        .filter((name) => name.endsWith('.jsonl'))
        .sort()
        .map((name) => join(path, name))
    : [path];
  const turns: BankTurn[] = [];
  for (const file of files) turns.push(...parseTurnBank(await readFile(file, 'utf8'), basename(file)));
  return turns;
}

/** What a violation model learns from a bank: the agent turn, normalised, and whether it is a violation. */
export function bankTrainingTurns(turns: BankTurn[]): TrainingTurn[] {
  return turns.map((t) => ({
    text: normaliseText(t.agent),
    violation: t.label === 'violation',
    written: t.agent,
  }));
}
