import { z } from 'zod';
import type { Transcript } from '../../models/transcript.ts';
import type { ScoringContext } from './call-score.ts';
import { formatIssues } from './parse-scorecard.ts';
import { directionSchema } from './scorecard-schema.ts';

/** One line of a labelled JSONL file (README.md, "Labelled format"). */
const spanList = z.array(z.tuple([z.number(), z.number()]));
export const labelledCallSchema = z.strictObject({
  id: z.string().min(1),
  scorecard: z.string().optional(),
  note: z.string().optional(),
  context: z
    .strictObject({ direction: directionSchema.optional(), companyNames: z.array(z.string()).optional() })
    .optional(),
  transcript: z.object({
    language: z.string(),
    speakerMode: z.enum(['stereo', 'mono']),
    durationS: z.number().nonnegative(),
    segments: z.array(
      z.strictObject({
        speaker: z.enum(['agent', 'customer', 'unknown']),
        start: z.number(),
        end: z.number(),
        text: z.string(),
        confidence: z.number().min(0).max(1).optional(),
      }),
    ),
    speech: z
      .strictObject({ agent: spanList.optional(), customer: spanList.optional(), mixed: spanList.optional() })
      .optional(),
  }),
  expected: z.record(z.string(), z.enum(['pass', 'fail', 'na'])),
});

export type LabelledCall = z.infer<typeof labelledCallSchema>;

export function toTranscript(call: LabelledCall): Transcript {
  const stereo = call.transcript.speakerMode === 'stereo';
  return {
    callId: call.id,
    ...call.transcript,
    speakerDecision: stereo ? { method: 'channel', confidence: 1 } : { method: 'default', confidence: 0 },
    source: 'import',
  };
}

export function contextOf(call: LabelledCall): ScoringContext {
  return call.context ?? {};
}

/** Parses JSONL; errors name the file, line and field. */
export function parseLabelledCalls(text: string, fileName: string): LabelledCall[] {
  const calls: LabelledCall[] = [];
  const errors: string[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `${fileName}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      errors.push(`${where}: (line): not valid JSON: ${(error as Error).message}`);
      return;
    }
    const parsed = labelledCallSchema.safeParse(value);
    if (parsed.success) calls.push(parsed.data);
    else errors.push(...formatIssues(where, parsed.error.issues));
  });
  if (errors.length > 0) throw new Error(`invalid labelled set:\n  ${errors.join('\n  ')}`);
  return calls;
}
