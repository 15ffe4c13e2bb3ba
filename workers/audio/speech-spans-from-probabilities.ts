import type { SpeechSpans } from '../../models/transcript.ts';

export interface SpanOptions {
  /** Probability at or above which a frame is speech. */
  threshold: number;
  /** Speech continues until the probability falls below this (hysteresis); default threshold - 0.15. */
  negThreshold?: number;
  /** Shorter bursts are dropped (clicks, coughs). */
  minSpeechS: number;
  /** Pauses shorter than this do not end a span. */
  minSilenceS: number;
  /** Added around each span (split evenly when two spans are closer than twice this). */
  padS: number;
}

export const defaultSpanOptions: SpanOptions = {
  threshold: 0.5,
  minSpeechS: 0.25,
  minSilenceS: 0.3,
  padS: 0.1,
};

/**
 * Pure port of Silero's `get_speech_timestamps` (silero-vad utils_vad.py)
 * without its max-length splitting, which the ASR chunk planner does instead.
 * `probs[i]` covers [i * frameS, (i + 1) * frameS).
 */
export function speechSpansFromProbabilities(
  probs: ArrayLike<number>,
  frameS: number,
  durationS: number,
  options: SpanOptions = defaultSpanOptions,
): SpeechSpans {
  const { threshold, minSpeechS, minSilenceS, padS } = options;
  const negThreshold = options.negThreshold ?? Math.max(threshold - 0.15, 0.01);
  const spans: Array<[number, number]> = [];
  let start: number | null = null;
  let silenceStart: number | null = null;
  for (let i = 0; i < probs.length; i++) {
    const t = i * frameS;
    const p = probs[i];
    if (p >= threshold) {
      silenceStart = null;
      if (start === null) start = t;
      continue;
    }
    if (start === null || p >= negThreshold) continue;
    silenceStart ??= t;
    if (t - silenceStart < minSilenceS) continue;
    if (silenceStart - start > minSpeechS) spans.push([start, silenceStart]);
    start = null;
    silenceStart = null;
  }
  if (start !== null && durationS - start > minSpeechS) spans.push([start, durationS]);

  for (let i = 0; i < spans.length; i++) {
    const span = spans[i];
    if (i === 0) span[0] = Math.max(0, span[0] - padS);
    const next = spans[i + 1];
    if (!next) {
      span[1] = Math.min(durationS, span[1] + padS);
      continue;
    }
    const gap = next[0] - span[1];
    const pad = gap < 2 * padS ? gap / 2 : padS;
    span[1] += pad;
    next[0] = Math.max(0, next[0] - pad);
  }
  return spans.map(([a, b]) => [round3(a), round3(b)]);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
