/**
 * A speaker-attributed, timed transcript of one call: what the workers produce
 * (ASR or an imported transcript) and what scoring consumes.
 * Times are seconds from the start of the recording.
 */
export type Speaker = 'agent' | 'customer' | 'unknown';

export interface TranscriptSegment {
  speaker: Speaker;
  start: number;
  end: number;
  text: string;
  /** 0..1 where the ASR (or the importer) gives one; absent means unknown. */
  confidence?: number;
}

/** Speech spans per channel: [start, end] pairs in seconds, sorted, non-overlapping. */
export type SpeechSpans = Array<[number, number]>;

/**
 * stereo: agent and customer came from separate channels (agent_channel left|right).
 * mono: one mixed stream; speakers were decided afterwards and `speakerDecision` says how.
 */
export type SpeakerMode = 'stereo' | 'mono';

export interface SpeakerDecision {
  method: 'channel' | 'greeting_match' | 'default' | 'imported';
  /** 0..1; 1 for channel-based decisions. */
  confidence: number;
  note?: string;
}

/** phone: a recorded call; chat: an online chat session (imported). Absent means phone. */
export type Channel = 'phone' | 'chat';

export interface Transcript {
  callId: string;
  language: string;
  channel?: Channel;
  durationS: number;
  speakerMode: SpeakerMode;
  speakerDecision: SpeakerDecision;
  segments: TranscriptSegment[];
  /**
   * Speech/silence map from VAD. Stereo: `agent` and `customer`; mono: `mixed`.
   * Absent for imported transcripts without audio.
   */
  speech?: { agent?: SpeechSpans; customer?: SpeechSpans; mixed?: SpeechSpans };
  source: 'asr' | 'import';
}
