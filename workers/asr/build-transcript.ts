import type { SpeechSpans, Transcript, TranscriptSegment } from '../../models/transcript.ts';
import type { DecodedAudio } from '../audio/decode.ts';
import type { SpanOptions } from '../audio/speech-spans-from-probabilities.ts';
import type { Vad } from '../audio/vad.ts';
import { diariseMono, voiceOfSpans, type VoicePrints } from './diarise-mono.ts';
import type { Transcriber } from './transcriber.ts';
import { transcribeSpans, type TimedText } from './transcribe-spans.ts';

export type AgentChannel = 'left' | 'right' | 'mono';

export interface BuildTranscriptInput {
  callId: string;
  audio: DecodedAudio;
  agentChannel: AgentChannel;
  /** ISO code, e.g. 'zh'. */
  language: string;
  vad: Pick<Vad, 'detectSpeech'>;
  transcriber: Transcriber;
  /** Voice features for mono calls (the media threads); in-process when absent. */
  voices?: VoicePrints;
  vadOptions?: Partial<SpanOptions>;
}

/**
 * Decoded call → speaker-attributed Transcript. Stereo with a known agent
 * channel: each channel is its own speaker, decided by channel (confidence 1).
 * Anything else is one mixed stream: its turns are split into two anonymous
 * voices (diarise-mono.ts), each segment keeps speaker 'unknown' and its
 * `voice`, and scoring decides which voice is the agent from what it says.
 */
export async function buildTranscript(input: BuildTranscriptInput): Promise<Transcript> {
  const { audio, language } = input;
  const stereo = audio.channels.length === 2 && input.agentChannel !== 'mono';
  const base = { callId: input.callId, language, durationS: round3(audio.durationS), source: 'asr' as const };

  if (stereo) {
    const agentIndex = input.agentChannel === 'left' ? 0 : 1;
    const sides = [audio.channels[agentIndex], audio.channels[1 - agentIndex]];
    // Both sides at once, VAD then ASR: media threads hear them in parallel.
    const [agentSpans, customerSpans] = await Promise.all(sides.map((c) => detectSpeech(input, c)));
    const [agentTexts, customerTexts] = await Promise.all([
      transcribe(input, sides[0], agentSpans),
      transcribe(input, sides[1], customerSpans),
    ]);
    const agent = { spans: agentSpans, texts: agentTexts };
    const customer = { spans: customerSpans, texts: customerTexts };
    return {
      ...base,
      speakerMode: 'stereo',
      speakerDecision: { method: 'channel', confidence: 1, note: `agent on ${input.agentChannel} channel` },
      segments: bySpeechOrder([...tag(agent.texts, 'agent'), ...tag(customer.texts, 'customer')]),
      speech: { agent: agent.spans, customer: customer.spans },
    };
  }

  const channel = mixdown(audio.channels);
  const spans = await detectSpeech(input, channel);
  // Voice features are queued before the ASR windows, so they never wait behind a long call.
  const [voices, texts] = await Promise.all([
    diariseMono(channel, audio.sampleRate, spans, input.voices),
    transcribe(input, channel, spans),
  ]);
  const voiceOf = voiceOfSpans(texts, voices.turns, voices.labels);
  const why =
    audio.channels.length === 2
      ? 'stereo recording but agent_channel is mono: channels mixed'
      : input.agentChannel === 'mono'
        ? 'mono recording'
        : `agent_channel is ${input.agentChannel} but the recording is mono`;
  const separation = round3(voices.separation);
  return {
    ...base,
    speakerMode: 'mono',
    speakerDecision: {
      method: 'default',
      confidence: 0,
      note: `${why}: ${voices.turns.length} turns in two voices (separation ${separation}); roles decided at scoring`,
      voiceSeparation: separation,
    },
    segments: tag(texts, 'unknown').map((segment, i) =>
      voiceOf[i] >= 0 ? { ...segment, voice: voiceOf[i] } : segment,
    ),
    speech: { mixed: spans },
  };
}

function detectSpeech(input: BuildTranscriptInput, channel: Float32Array): Promise<SpeechSpans> {
  return input.vad.detectSpeech(channel, input.audio.sampleRate, input.vadOptions);
}

function transcribe(
  input: BuildTranscriptInput,
  channel: Float32Array,
  spans: SpeechSpans,
): Promise<TimedText[]> {
  return transcribeSpans(channel, spans, input.transcriber, {
    language: input.language,
    sampleRate: input.audio.sampleRate,
  });
}

function tag(texts: TimedText[], speaker: TranscriptSegment['speaker']): TranscriptSegment[] {
  return texts.map((t) => ({ speaker, ...t }));
}

function bySpeechOrder(segments: TranscriptSegment[]): TranscriptSegment[] {
  return segments.sort((a, b) => a.start - b.start || a.end - b.end);
}

function mixdown(channels: Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0];
  const [left, right] = channels;
  const out = new Float32Array(left.length);
  for (let i = 0; i < out.length; i++) out[i] = 0.5 * (left[i] + right[i]);
  return out;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
