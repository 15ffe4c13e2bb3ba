import type { SpeechSpans } from '../../models/transcript.ts';

/** One stretch of call speech placed in a chunk's audio. */
export interface ChunkPiece {
  /** Call time of the speech. */
  callStart: number;
  callEnd: number;
  /** Where it starts in the chunk's audio. */
  offset: number;
}

export interface AsrChunk {
  pieces: ChunkPiece[];
  /** Length of the chunk's audio (pieces plus the joins between them). */
  durationS: number;
}

export interface ChunkPlanOptions {
  /** One Whisper window (30 s), minus a margin; every ASR call costs a full window however short its audio. */
  maxChunkS: number;
  /** Silence placed between spliced spans so Whisper still hears a pause there. */
  joinS: number;
}

export const defaultChunkPlan: ChunkPlanOptions = { maxChunkS: 28, joinS: 0.4 };

/**
 * Pure: packs speech spans, silence cut out, into as few Whisper windows as
 * possible. Only speech reaches ASR, and a call with 3 minutes of speech costs
 * ~7 windows instead of one per utterance. Spans longer than a window are split.
 */
export function planAsrChunks(spans: SpeechSpans, options: ChunkPlanOptions = defaultChunkPlan): AsrChunk[] {
  const chunks: AsrChunk[] = [];
  let current: AsrChunk | null = null;
  for (const [start, end] of spans) {
    for (let s = start; s < end; s += options.maxChunkS) {
      const e = Math.min(end, s + options.maxChunkS);
      const join = current && current.pieces.length ? options.joinS : 0;
      if (!current || current.durationS + join + (e - s) > options.maxChunkS) {
        current = { pieces: [], durationS: 0 };
        chunks.push(current);
      }
      const offset = current.durationS + (current.pieces.length ? options.joinS : 0);
      current.pieces.push({ callStart: s, callEnd: e, offset });
      current.durationS = offset + (e - s);
    }
  }
  return chunks;
}

/**
 * Pure: chunk-audio time → call time. Times inside a join snap to the next
 * piece's start (for a segment start) or the previous piece's end (for an end).
 */
export function toCallTime(chunk: AsrChunk, t: number, edge: 'start' | 'end'): number {
  const pieces = chunk.pieces;
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i];
    const pieceEnd = piece.offset + (piece.callEnd - piece.callStart);
    if (t < piece.offset) return edge === 'start' || i === 0 ? piece.callStart : pieces[i - 1].callEnd;
    if (t <= pieceEnd) return piece.callStart + (t - piece.offset);
  }
  return pieces[pieces.length - 1].callEnd;
}
