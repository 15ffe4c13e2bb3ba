import { renderReason } from './reason.ts';
import type { CallScore, ItemResult, RuleHit } from './call-score.ts';

/** One item whose outcome changed between two scorings of the same call. */
export interface ItemChange {
  itemId: string;
  change: 'added' | 'removed' | 'changed';
  oldStatus?: ItemResult['status'];
  newStatus?: ItemResult['status'];
  oldDeduction: number;
  newDeduction: number;
  why: string;
}

export interface ScoreDiff {
  callId: string;
  oldVersion: string;
  newVersion: string;
  oldScore: number;
  newScore: number;
  scoreDelta: number;
  passedChanged: boolean;
  changes: ItemChange[];
}

function describeHit(hit: RuleHit): string {
  const where =
    hit.segmentIndex === null ? `${hit.start}–${hit.end} s` : `segment ${hit.segmentIndex} at ${hit.start} s`;
  return `"${hit.matchedText}" (${hit.phrase}, ${hit.speaker}, ${where}, similarity ${hit.similarity})`;
}

function evidenceKey(hit: RuleHit): string {
  return `${hit.phrase}|${hit.segmentIndex}|${hit.matchedText}`;
}

function why(before: ItemResult, after: ItemResult): string {
  const reasons: string[] = [];
  if (before.status !== after.status) {
    reasons.push(`${before.status} → ${after.status}: ${renderReason(after.reason)}`);
  }
  if (before.deduction !== after.deduction)
    reasons.push(`deduction ${before.deduction} → ${after.deduction}`);
  const oldKeys = new Set(before.evidence.map(evidenceKey));
  const newKeys = new Set(after.evidence.map(evidenceKey));
  const gained = after.evidence.filter((hit) => !oldKeys.has(evidenceKey(hit)));
  const lost = before.evidence.filter((hit) => !newKeys.has(evidenceKey(hit)));
  if (gained.length > 0) reasons.push(`new evidence ${gained.map(describeHit).join('; ')}`);
  if (lost.length > 0) reasons.push(`evidence gone ${lost.map(describeHit).join('; ')}`);
  return reasons.join('; ');
}

/**
 * What changed when a stored call was re-scored (typically under a new
 * scorecard version): items added or removed from the scorecard, and items
 * whose status, deduction or evidence moved — each with the reason.
 */
export function diffScores(oldScore: CallScore, newScore: CallScore): ScoreDiff {
  const oldItems = new Map(oldScore.items.map((item) => [item.itemId, item]));
  const newItems = new Map(newScore.items.map((item) => [item.itemId, item]));
  const changes: ItemChange[] = [];
  for (const [itemId, after] of newItems) {
    const before = oldItems.get(itemId);
    if (!before) {
      changes.push({
        itemId,
        change: 'added',
        newStatus: after.status,
        oldDeduction: 0,
        newDeduction: after.deduction,
        why: `new item: ${after.status} (${renderReason(after.reason)})`,
      });
      continue;
    }
    const reason = why(before, after);
    if (reason !== '') {
      changes.push({
        itemId,
        change: 'changed',
        oldStatus: before.status,
        newStatus: after.status,
        oldDeduction: before.deduction,
        newDeduction: after.deduction,
        why: reason,
      });
    }
  }
  for (const [itemId, before] of oldItems) {
    if (newItems.has(itemId)) continue;
    changes.push({
      itemId,
      change: 'removed',
      oldStatus: before.status,
      oldDeduction: before.deduction,
      newDeduction: 0,
      why: `item no longer in the scorecard (was ${before.status})`,
    });
  }
  return {
    callId: newScore.callId,
    oldVersion: `${oldScore.scorecardId}@${oldScore.scorecardVersion}`,
    newVersion: `${newScore.scorecardId}@${newScore.scorecardVersion}`,
    oldScore: oldScore.score,
    newScore: newScore.score,
    scoreDelta: Math.round((newScore.score - oldScore.score) * 100) / 100,
    passedChanged: oldScore.passed !== newScore.passed,
    changes,
  };
}
