/**
 * An agent's home in the web app ("我的通话"): their own sampled, scored calls,
 * newest first, with the score in force. Shared by the route (`api/routes/me.ts`)
 * and the browser app (`api/web/`); nothing here may import Node-only modules.
 *
 * - GET /me/calls  MyCallsQuery → MyCallsPage   calls.read, an agent only (their own calls,
 *                  in SQL); any other account is 403 forbidden (it has no calls of its own)
 */
import { z } from 'zod';
import type { SAMPLE_REASONS } from './review.ts';

export const myCallsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(512).optional(),
});
export type MyCallsQuery = z.infer<typeof myCallsQuery>;

/** What an agent sees of one of their calls in the list: no reviewer, no assignment. */
export interface MyCall {
  callId: string;
  startedAt: string; // ISO 8601
  durationS: number;
  direction: 'inbound' | 'outbound';
  /** The sample's month, YYYY-MM. */
  month: string;
  sampleReason: (typeof SAMPLE_REASONS)[number];
  /** The value in force (a review outranks the machine). */
  score: number;
  passed: boolean;
  reviewed: boolean;
  hasRecording: boolean;
}

/** Newest first (start time, then call id, both descending). */
export interface MyCallsPage {
  items: MyCall[];
  nextCursor: string | null;
}
