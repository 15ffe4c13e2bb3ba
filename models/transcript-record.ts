import { z } from 'zod';
import type { Transcript } from './transcript.ts';

/**
 * A transcript made elsewhere (many call centres already have them), as
 * imported through `callqa import-transcripts` or POST /calls/:id/transcript.
 */
const segment = z
  .object({
    speaker: z.enum(['agent', 'customer', 'unknown']),
    start: z.number().min(0),
    end: z.number().min(0),
    text: z.string(),
    confidence: z.number().min(0).max(1).optional(),
  })
  .refine((s) => s.end >= s.start, { message: 'end is before start' });

const record = z.object({
  call_id: z.string().min(1).optional(),
  callId: z.string().min(1).optional(),
  language: z.string().min(2).max(10).default('zh'),
  segments: z.array(segment).min(1, 'a transcript needs at least one segment'),
});

export type ParsedTranscript = { ok: true; transcript: Transcript } | { ok: false; reason: string };

export function parseTranscriptRecord(raw: unknown, callIdFromPath?: string): ParsedTranscript {
  const parsed = record.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      reason: parsed.error.issues.map((i) => `${i.path.join('.') || 'transcript'}: ${i.message}`).join('; '),
    };
  }
  const callId = callIdFromPath ?? parsed.data.call_id ?? parsed.data.callId;
  if (!callId) return { ok: false, reason: 'call_id is missing' };
  const segments = [...parsed.data.segments].sort((a, b) => a.start - b.start);
  const mono = segments.some((s) => s.speaker === 'unknown');
  return {
    ok: true,
    transcript: {
      callId,
      language: parsed.data.language,
      durationS: Math.max(...segments.map((s) => s.end)),
      speakerMode: mono ? 'mono' : 'stereo',
      speakerDecision: { method: 'imported', confidence: 1, note: 'speakers as given by the importer' },
      segments,
      source: 'import',
    },
  };
}
