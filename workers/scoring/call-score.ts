import type { Speaker, SpeakerDecision } from '../../models/transcript.ts';
import type { Reason } from './reason.ts';
import type { Direction, Severity } from './scorecard-schema.ts';

/** One piece of evidence: what was found (or measured), where, and under which scorecard version. */
export interface RuleHit {
  scorecardId: string;
  scorecardVersion: number;
  itemId: string;
  /** The phrase, regex or metric that produced the hit. */
  phrase: string;
  /** Normalised text of the matched window (or a metric description). */
  matchedText: string;
  similarity: number;
  method: 'exact' | 'fuzzy' | 'regex' | 'pattern' | 'metric' | 'model';
  speaker: Speaker | 'both';
  segmentIndex: number | null;
  start: number;
  end: number;
  confidence?: number;
  /** Similarity or ASR confidence under the scorecard's review thresholds, or a borderline exception. */
  uncertain: boolean;
  /** The exception that cleared this hit: shown as evidence, not counted ("not counted: conditional"). */
  excusedBy?: string;
  /** A borderline exception that sends this hit to a human instead of clearing it. */
  reviewBecause?: string;
}

export type ItemStatus = 'pass' | 'fail' | 'na' | 'review';

export interface ItemResult {
  itemId: string;
  title: string;
  category: string;
  severity: Severity;
  status: ItemStatus;
  /** Points actually deducted (0 unless status is fail). */
  deduction: number;
  /** The item failed with auto-fail evidence. */
  autoFail: boolean;
  /** Why, as a code and parameters (reason.ts renders it); scores stored before v2 hold text. */
  reason: Reason;
  evidence: RuleHit[];
  metrics?: Record<string, number>;
}

export interface AudioMetrics {
  /** Where the spans came from: the VAD speech map, or segment times when there is none. */
  source: 'speech-map' | 'segments';
  deadAirLongestS: number;
  deadAirCount: number;
  overtalkTotalS: number;
  overtalkCount: number;
  agentSpeechS: number;
  customerSpeechS: number;
  agentCharsPerMinute: number;
  agentTalkShare: number;
}

export interface CallScore {
  callId: string;
  scorecardId: string;
  scorecardVersion: number;
  score: number;
  passThreshold: number;
  passed: boolean;
  autoFailed: boolean;
  needsReview: boolean;
  reviewReasons: Reason[];
  items: ItemResult[];
  metrics: AudioMetrics;
  speakerDecision: SpeakerDecision;
}

/** What scoring may know about the call besides its transcript. */
export interface ScoringContext {
  direction?: Direction;
  team?: string;
  /** Extra accepted values for the greeting's {company} slot. */
  companyNames?: string[];
  /** Decide who is the agent when nobody has (mono calls, `unknown` speakers): default true. */
  detectMonoAgent?: boolean;
}
