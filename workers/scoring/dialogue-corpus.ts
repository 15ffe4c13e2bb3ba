import { z } from 'zod';
import type { Speaker, Transcript } from '../../models/transcript.ts';
import { parseJsonLines } from './json-lines.ts';
import { channelSchema } from './scorecard-schema.ts';

/**
 * The independent dialogue corpus (test/scoring/corpus/): real-sounding phone
 * calls and chat sessions written from the seeds without the scorecard,
 * labelled turn by turn. `speaker` is what the transcript says (diarisation
 * slips included); `true_speaker` is who really spoke when it differs.
 */
const speaker = z.enum(['agent', 'customer']);
const span = z.object({ class: z.string(), span: z.string() });

export const corpusDialogueSchema = z.object({
  id: z.string().min(1),
  channel: channelSchema,
  split: z.enum(['dev', 'test']),
  turns: z
    .array(
      z.object({
        speaker,
        true_speaker: speaker.optional(),
        start: z.number().optional(),
        end: z.number().optional(),
        text: z.string(),
        tags: z.array(z.string()).default([]),
        forbidden: span.optional(),
        near_miss: span.optional(),
      }),
    )
    .min(1),
  labels: z.object({ greeting_ok: z.boolean(), closing_ok: z.boolean(), uses_ni: z.boolean().optional() }),
});
export type CorpusDialogue = z.infer<typeof corpusDialogueSchema>;

/** A turn the agent really said that holds a labelled violation (whoever the transcript names). */
export function isLabelledViolation(turn: CorpusDialogue['turns'][number]): boolean {
  return turn.tags.includes('forbidden') && (turn.true_speaker ?? turn.speaker) === 'agent';
}

/** Chat has no times: turns are laid out at a typing pace so position windows by turn still work. */
const CHAT_TURN_S = 8;

export function dialogueTranscript(dialogue: CorpusDialogue): Transcript {
  let clock = 0;
  const segments = dialogue.turns.map((turn) => {
    const start = turn.start ?? clock;
    const end = turn.end ?? start + CHAT_TURN_S - 1;
    clock = Math.max(clock, end + 1);
    return { speaker: turn.speaker as Speaker, start, end: Math.max(start, end), text: turn.text };
  });
  return {
    callId: dialogue.id,
    language: 'zh',
    channel: dialogue.channel,
    durationS: segments.reduce((latest, s) => Math.max(latest, s.end), 0),
    speakerMode: 'stereo',
    speakerDecision: { method: 'imported', confidence: 1 },
    segments,
    source: 'import',
  };
}

/** Parses the corpus JSONL; errors name the file, line and field. */
export function parseCorpus(text: string, fileName: string): CorpusDialogue[] {
  return parseJsonLines(text, fileName, corpusDialogueSchema, 'corpus');
}

/** Whether a JSONL text is the dialogue corpus (turns) rather than the labelled-call format. */
export function looksLikeCorpus(text: string): boolean {
  const first = text.split('\n').find((line) => line.trim() !== '');
  try {
    return first !== undefined && Array.isArray((JSON.parse(first) as { turns?: unknown }).turns);
  } catch {
    return false;
  }
}
