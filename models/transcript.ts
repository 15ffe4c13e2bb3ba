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
  /**
   * Mono ASR: which of the two voices the diariser heard (0 or 1, anonymous).
   * Scoring decides which voice is the agent (workers/scoring/assign-roles.ts).
   */
  voice?: number;
}

/** Speech spans per channel: [start, end] pairs in seconds, sorted, non-overlapping. */
export type SpeechSpans = Array<[number, number]>;

/**
 * stereo: agent and customer came from separate channels (agent_channel left|right).
 * mono: one mixed stream; speakers were decided afterwards and `speakerDecision` says how.
 */
export type SpeakerMode = 'stereo' | 'mono';

/**
 * channel: stereo, agent by channel. imported: speakers as given.
 * default: not decided yet (mono ASR before scoring).
 * diarised: mono audio split into two voices, the agent's voice chosen by what it says.
 * text_cues: no voices (an imported transcript with `unknown` speakers, or voices
 * that could not be told apart): each turn assigned by what it says.
 * greeting_match: older decisions (agent by greeting match), kept readable.
 */
export interface SpeakerDecision {
  method: 'channel' | 'greeting_match' | 'default' | 'imported' | 'diarised' | 'text_cues';
  /** 0..1; 1 for channel-based decisions. */
  confidence: number;
  note?: string;
  /** Mono ASR: how well the turns split into two voices (0 = like one voice, 1 = two cleanly apart). */
  voiceSeparation?: number;
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
