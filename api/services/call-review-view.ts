import { callScopeOf, may } from '../../models/permissions.ts';
import { callReviewRecord } from '../../models/review-repository.ts';
import type { CallScore, ItemResult, RuleHit } from '../../workers/scoring/call-score.ts';
import {
  renderBorderline,
  renderException,
  renderReason,
  type Reason,
} from '../../workers/scoring/reason.ts';
import type { CallReviewView, RenderedReason, ReviewItem, ReviewVersion } from '../contracts/review.ts';
import { itemPoints, phraseOf } from './apply-review.ts';
import { callNotFound, scorecardOf } from './review-service.ts';
import { recordingContentType } from '../recordings/stream-recording.ts';
import type { ServiceContext } from './service-context.ts';

/** A stored reason in both UI languages (a pre-v2 score holds plain text: shown as it is). */
export function rendered(stored: Reason | string): RenderedReason {
  if (typeof stored === 'string') return { code: 'text', params: {}, text: { 'zh-CN': stored, en: stored } };
  return {
    code: stored.code,
    params: stored.params ?? {},
    text: { 'zh-CN': renderReason(stored, 'zh-CN'), en: renderReason(stored, 'en') },
  };
}

const exception = (code: 'excused_by' | 'review_because', name: string): RenderedReason => {
  const render = code === 'excused_by' ? renderException : renderBorderline;
  return {
    code,
    params: { exception: name },
    text: { 'zh-CN': render(name, 'zh-CN'), en: render(name, 'en') },
  };
};

const STATUS_ORDER: Record<ItemResult['status'], number> = { review: 0, fail: 1, pass: 2, na: 2 };

/**
 * Everything the review page shows about one call. Scope is checked first:
 * a call outside it is 404 call_not_found, exactly like a missing one. An
 * agent's copy is masked by the response hook (api/personal-data-masking.ts)
 * like every other response; `can.review` says what the actor may do.
 */
export async function callReviewView(
  ctx: Pick<ServiceContext, 'actor' | 'tx'>,
  callId: string,
): Promise<CallReviewView> {
  const { tx } = ctx;
  const record = await callReviewRecord(tx, callScopeOf(ctx.actor), callId);
  if (!record) throw callNotFound(callId);
  const { call, transcript, outcome, reviews, processing } = record;
  const stored = record.score ?? undefined;
  const score = stored?.result as CallScore | undefined;
  const card = stored
    ? await scorecardOf(tx, stored.scorecardId, stored.version, stored.cardSha256 ?? undefined)
    : undefined;
  const cardItems = new Map(card?.items.map((item) => [item.id, item]));
  const playable =
    call.recording !== null && (call.recordingStatus === 'ok' || call.recordingStatus === 'uploaded');
  return {
    call: {
      callId: call.callId,
      agentId: call.agentId,
      agentName: record.agentName ?? call.agentId,
      teamId: call.teamId,
      startedAt: call.startedAt.toISOString(),
      durationS: call.durationS,
      direction: call.direction,
      agentChannel: call.agentChannel,
    },
    sample: record.sample as CallReviewView['sample'],
    recording: playable
      ? {
          url: `/calls/${encodeURIComponent(call.callId)}/audio`,
          contentType: recordingContentType(call.recording!),
          problem: null,
        }
      : { url: null, contentType: null, problem: recordingProblem(call) },
    transcript: transcript
      ? {
          source: transcript.source,
          speakerMode: transcript.speakerMode,
          durationS: transcript.durationS,
          segments: transcript.segments.map((s, index) => ({
            index,
            speaker: s.speaker,
            start: s.start,
            end: s.end,
            text: s.text,
          })),
        }
      : null,
    score:
      stored && score
        ? {
            scorecardId: stored.scorecardId,
            scorecardVersion: stored.version,
            scoring: card?.scoring ?? 'deduction',
            passThreshold: score.passThreshold,
            score: score.score,
            passed: score.passed,
            autoFailed: score.autoFailed,
            needsReview: score.needsReview,
            reviewReasons: (score.reviewReasons ?? []).map(rendered),
            items: score.items
              .map((item, order) => ({ item, order }))
              .sort((a, b) => STATUS_ORDER[a.item.status] - STATUS_ORDER[b.item.status] || a.order - b.order)
              .map(({ item }): ReviewItem => {
                const cardItem = cardItems.get(item.itemId);
                return {
                  itemId: item.itemId,
                  title: item.title,
                  category: item.category,
                  severity: item.severity,
                  status: item.status,
                  deduction: item.deduction,
                  points: card ? itemPoints(card, cardItem) : item.deduction,
                  weight: cardItem?.weight ?? null,
                  autoFail: item.autoFail,
                  autoFailOnFail: cardItem?.autoFail ?? false,
                  reason: rendered(item.reason),
                  evidence: item.evidence.map((hit, index) => {
                    const phrase = phraseOf(cardItem, hit.phrase);
                    return {
                      ...reviewHit(hit, index),
                      points: phrase?.points ?? null,
                      autoFailOnConfirm: phrase?.autoFail === true,
                    };
                  }),
                };
              }),
          }
        : null,
    outcome: outcome
      ? {
          score: outcome.score,
          passed: outcome.passed,
          source: outcome.source as 'automatic' | 'imported' | 'review',
          recordedAt: outcome.recordedAt.toISOString(),
          recordedBy: outcome.recordedBy,
        }
      : null,
    reviews: reviews.map((r): ReviewVersion => ({
      version: r.version,
      reviewer: r.reviewer,
      createdAt: r.createdAt.toISOString(),
      computedScore: r.computedScore,
      finalScore: r.finalScore,
      passed: r.passed,
      comment: r.comment,
      exemplary: r.exemplary,
      exemplaryNote: r.exemplaryNote,
      items: r.items as ReviewVersion['items'],
      addedDeductions: r.addedDeductions as ReviewVersion['addedDeductions'],
    })),
    assignment: record.assignment,
    processing: processing ? { state: processing.state, failureCode: processing.failureCode } : null,
    can: { review: may(ctx.actor, 'scores.review') && stored !== undefined },
  };
}

function reviewHit(
  hit: RuleHit,
  index: number,
): Omit<ReviewItem['evidence'][number], 'points' | 'autoFailOnConfirm'> {
  return {
    index,
    phrase: hit.phrase,
    matchedText: hit.matchedText,
    method: hit.method,
    speaker: hit.speaker,
    segmentIndex: hit.segmentIndex,
    start: hit.start,
    end: hit.end,
    uncertain: hit.uncertain,
    excusedBy: hit.excusedBy ? exception('excused_by', hit.excusedBy) : null,
    reviewBecause: hit.reviewBecause ? exception('review_because', hit.reviewBecause) : null,
  };
}

/** Why there is nothing to play, as a stable code (the web app words it). */
function recordingProblem(call: {
  recording: string | null;
  recordingStatus: string;
  recordingProblemCode: string | null;
}) {
  if (!call.recording || call.recordingStatus === 'none') return 'no_recording';
  if (call.recordingStatus === 'remote') return 'remote_not_proxied';
  return call.recordingProblemCode ?? 'unreadable';
}
