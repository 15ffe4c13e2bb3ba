/**
 * The review workspace's HTTP contract: request schemas (zod, validated by the
 * server) and response shapes (the types the web app reads). One file, imported
 * by both the routes (`api/routes/review.ts`) and the browser app (`api/web/`),
 * so the two cannot drift. Nothing here may import Node-only modules.
 *
 * Routes (every one signed in; scope enforced in SQL):
 * - GET  /review/queue            QueueQuery → QueuePage         reviews.read (qa, supervisor: own teams, admin)
 * - GET  /review/plans/:month     → PlanProgress                  reviews.read; 404 plan_not_found
 * - PUT  /review/plans/:month     PlanBody → PlanProgress         plans.manage (admin); assigns the month's
 *                                                                 scored picks to reviewers up to their quotas
 * - GET  /calls/:id/review        → CallReviewView                calls.read (an agent: own calls, masked)
 * - GET  /calls/:id/audio         → audio bytes, HTTP Range (206 / 416), calls.read
 * - POST /calls/:id/reviews       ReviewSubmission → 201 ReviewSaved   scores.review;
 *                                 409 review_conflict (baseVersion is stale), 400 review_invalid
 */
import { z } from 'zod';
import { SAMPLE_REASONS } from '../../sampling/sample-reasons.ts';

export const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const month = z.string().regex(MONTH, 'a month is YYYY-MM');
const id = z.string().min(1).max(128);

// ---------------------------------------------------------------- texts

/** A decision the system made, as a code with parameters and its words in both UI languages. */
export interface RenderedReason {
  code: string;
  params: Record<string, string | number>;
  text: { 'zh-CN': string; en: string };
}

// ---------------------------------------------------------------- queue

export { SAMPLE_REASONS };

export const queueQuery = z.object({
  month: month.optional(), // default: the latest month with a QA plan, else the latest sampled month
  assignee: z.string().min(1).max(64).optional(), // 'me' (default for qa), 'all', or a username
  status: z.enum(['todo', 'reviewed', 'all']).default('todo'),
  team: id.optional(),
  agent: id.optional(),
  reason: z.enum(SAMPLE_REASONS).optional(),
  needsReview: z.enum(['true', 'false']).optional(),
  scoreMin: z.coerce.number().min(0).max(100).optional(),
  scoreMax: z.coerce.number().min(0).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
});
export type QueueQuery = z.infer<typeof queueQuery>;

export interface QueueItem {
  callId: string;
  agentId: string;
  agentName: string;
  teamId: string | null;
  startedAt: string; // ISO 8601
  durationS: number;
  direction: 'inbound' | 'outbound';
  sampleReason: (typeof SAMPLE_REASONS)[number];
  /** The machine's score (latest scorecard version). */
  autoScore: number;
  autoPassed: boolean;
  needsReview: boolean;
  /** The value in force (a review outranks the machine). */
  score: number;
  passed: boolean;
  reviewed: boolean;
  reviewVersion: number; // 0 = not reviewed yet
  assignee: string | null;
  hasRecording: boolean;
}

/** Ordered: needs-review first, then by start time and call id. */
export interface QueuePage {
  month: string;
  items: QueueItem[];
  nextCursor: string | null;
}

// ---------------------------------------------------------------- plans (质检计划)

export const planBody = z.object({
  reviewers: z
    .array(z.object({ username: z.string().min(1).max(64), quota: z.number().int().min(0).max(100_000) }))
    .min(1)
    .max(200),
});
export type PlanBody = z.infer<typeof planBody>;

export interface PlanProgress {
  month: string;
  createdBy: string;
  createdAt: string;
  reviewers: { username: string; quota: number; assigned: number; reviewed: number }[];
  /** The month's sample: picked, scored (ready for review), assigned, reviewed. */
  totals: { sampled: number; scored: number; assigned: number; reviewed: number };
}

// ---------------------------------------------------------------- the call page

export type Speaker = 'agent' | 'customer' | 'unknown';

export interface ReviewHit {
  /** Index within its item's evidence: what a submission's `hits[].index` refers to. */
  index: number;
  phrase: string;
  matchedText: string;
  method: 'exact' | 'fuzzy' | 'regex' | 'pattern' | 'metric' | 'model';
  speaker: Speaker | 'both';
  segmentIndex: number | null;
  start: number;
  end: number;
  uncertain: boolean;
  /** Not counted, and why (an exception name rendered in both languages). */
  excusedBy: RenderedReason | null;
  reviewBecause: RenderedReason | null;
  /**
   * The card's own points for this hit's forbidden phrase (`{ text, points }`), which a
   * confirmed hit costs on a deduction card; null when the phrase has none (the item's
   * points apply). `autoFailOnConfirm`: the phrase is marked auto-fail, so confirming
   * the hit fails the call.
   */
  points: number | null;
  autoFailOnConfirm: boolean;
}

export interface ReviewItem {
  itemId: string;
  title: string;
  category: string;
  severity: string;
  status: 'pass' | 'fail' | 'na' | 'review';
  /** Points lost (0 unless fail). */
  deduction: number;
  /** Points this item costs when it fails (deduction card) — what a reviewer's confirm or added deduction defaults to. */
  points: number;
  weight: number | null;
  /** This verdict fails the call (the machine's); `autoFailOnFail`: the card fails the call whenever this item fails. */
  autoFail: boolean;
  autoFailOnFail: boolean;
  reason: RenderedReason;
  evidence: ReviewHit[];
}

export interface ReviewVersion {
  version: number;
  reviewer: string;
  createdAt: string;
  computedScore: number;
  finalScore: number;
  passed: boolean;
  comment: string;
  exemplary: boolean;
  exemplaryNote: string | null;
  items: ReviewSubmission['items'];
  addedDeductions: ReviewSubmission['addedDeductions'];
}

export interface CallReviewView {
  call: {
    callId: string;
    agentId: string;
    agentName: string;
    teamId: string | null;
    startedAt: string;
    durationS: number;
    direction: 'inbound' | 'outbound';
    agentChannel: 'left' | 'right' | 'mono';
  };
  sample: { reason: (typeof SAMPLE_REASONS)[number]; detail: unknown; runId: number; month: string } | null;
  /** `url` streams with HTTP Range (GET /calls/:id/audio); null when there is nothing to play, with why. */
  recording: { url: string | null; contentType: string | null; problem: string | null };
  transcript: {
    source: 'asr' | 'import';
    speakerMode: 'stereo' | 'mono';
    durationS: number;
    segments: { index: number; speaker: Speaker; start: number; end: number; text: string }[];
  } | null;
  score: {
    scorecardId: string;
    scorecardVersion: number;
    scoring: 'deduction' | 'weighted';
    passThreshold: number;
    score: number;
    passed: boolean;
    autoFailed: boolean;
    needsReview: boolean;
    reviewReasons: RenderedReason[];
    /** Needs-review items first, then failed, then the rest in card order. */
    items: ReviewItem[];
  } | null;
  outcome: {
    score: number;
    passed: boolean;
    source: 'automatic' | 'imported' | 'review';
    recordedAt: string;
    recordedBy: string | null;
  } | null;
  reviews: ReviewVersion[]; // newest first
  assignment: { month: string; reviewer: string } | null;
  processing: { state: string; failureCode: string | null } | null;
  /** What the signed-in user may do here. */
  can: { review: boolean };
}

// ---------------------------------------------------------------- a review

export const reviewSubmission = z.object({
  /** The review version the reviewer saw (0 = none): a newer one makes this a 409 review_conflict. */
  baseVersion: z.number().int().min(0),
  /** Every item the reviewer decided; items left out keep the machine's verdict (a `review` item must be decided). */
  items: z
    .array(
      z.object({
        itemId: id,
        status: z.enum(['pass', 'fail', 'na']),
        hits: z
          .array(z.object({ index: z.number().int().min(0), verdict: z.enum(['confirm', 'overturn']) }))
          .max(500)
          .default([]),
        comment: z.string().max(1000).default(''),
      }),
    )
    .max(200)
    .default([]),
  /** Deductions the machine missed. */
  addedDeductions: z
    .array(
      z.object({
        itemId: id,
        start: z.number().min(0).max(86_400),
        end: z.number().min(0).max(86_400),
        points: z.number().min(0).max(100),
        comment: z.string().min(1).max(1000),
      }),
    )
    .max(100)
    .default([]),
  comment: z.string().max(4000).default(''),
  /** The final score; when it differs from the total the items give, `comment` must say why. */
  finalScore: z.number().min(0).max(100),
  passed: z.boolean(),
  exemplary: z.boolean().default(false),
  exemplaryNote: z.string().max(1000).nullable().default(null),
});
export type ReviewSubmission = z.infer<typeof reviewSubmission>;

export interface ReviewSaved {
  version: number;
  computedScore: number;
  finalScore: number;
  passed: boolean;
}
