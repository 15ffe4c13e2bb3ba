import { z } from 'zod';
import { normaliseText } from './normalise-text.ts';
import { parseJsonLines, readJsonLines } from './json-lines.ts';
import { channelSchema } from './scorecard-schema.ts';
import type { TrainingTurn } from './violation-model.ts';

/**
 * A turn bank (test/scoring/turn-bank/): single agent turns, each with the
 * customer turn before it, labelled a violation, a near miss (the same words
 * used harmlessly) or ok — written from the seeds, like the dialogue corpora,
 * by writers who never saw the cards. A bank only teaches the learned model:
 * it is not a sample of real calls (a quarter of its turns are violations),
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
  return parseJsonLines(text, fileName, bankTurnSchema, 'turn bank');
}

/** The turns of a bank file, or of every .jsonl file of a bank directory. */
export async function readTurnBank(path: string): Promise<BankTurn[]> {
  return readJsonLines(path, parseTurnBank);
}

/** What a violation model learns from a bank: the agent turn, normalised, and whether it is a violation. */
export function bankTrainingTurns(turns: BankTurn[]): TrainingTurn[] {
  return turns.map((t) => ({
    text: normaliseText(t.agent),
    violation: t.label === 'violation',
    written: t.agent,
  }));
}
