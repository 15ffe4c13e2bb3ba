import type { RawHit } from './call-view.ts';
import type { RuleHit } from './call-score.ts';
import type { Reason } from './reason.ts';
import type { Severity } from './scorecard-schema.ts';

/** A hit plus what it costs when it is a violation (forbidden phrases carry their own severity). */
export interface EvidenceHit {
  hit: RawHit;
  points?: number;
  severity?: Severity;
  autoFail?: boolean;
  /** Cleared by this exception: kept as evidence, never counted. */
  excusedBy?: string;
  /** A borderline exception: the hit goes to a human. */
  reviewBecause?: string;
}

/** What a rule decided, before review gating and scoring turn it into an ItemResult. */
export interface ItemOutcome {
  /** `review`: the rule itself asks for a human (a learned model's suspicion). */
  status: 'pass' | 'fail' | 'na' | 'review';
  reason: Reason;
  /** Phrase evidence; `violations` says whether these hits are what broke the rule. */
  evidence: EvidenceHit[];
  violations: boolean;
  /** Measured (not matched) evidence: silences, overlaps, rates. Always certain. */
  metricHits?: Array<Omit<RuleHit, 'scorecardId' | 'scorecardVersion' | 'itemId'>>;
  /** For failures by absence: the segments searched had low ASR confidence. */
  absenceUncertain?: boolean;
  metrics?: Record<string, number>;
}

export const naOutcome = (reason: Reason): ItemOutcome => ({
  status: 'na',
  reason,
  evidence: [],
  violations: false,
});
