import type pg from 'pg';
import { parseCallRecord, type CallRecord } from '../../models/call-record.ts';
import { upsertCalls, type CallToStore, type UpsertCounts } from '../../models/call-repository.ts';
import { checkRecordings, type RecordingPlaces } from './check-recording.ts';
import { readRecords, type ReadProgress } from './read-records.ts';

export interface Rejection {
  line: number;
  callId?: string;
  reason: string;
  /** Flagged recordings: why, as a stable code (`url_not_allowed`, `not_found` …). */
  code?: string;
}

export interface IngestSummary extends UpsertCounts {
  rows: number;
  rejected: Rejection[];
  /** Calls kept but whose recording could not be read: they land, flagged. */
  flagged: Rejection[];
}

export interface IngestOptions extends RecordingPlaces {
  now?: Date;
  batchSize?: number;
  onProgress?: (progress: ReadProgress & { rows: number }) => void;
}

/**
 * Row by row, not one transaction: every valid row lands even when others are
 * rejected, and each batch commits on its own. Re-running the same file is an
 * idempotent upsert, so an interrupted ingest is finished by running it again.
 */
export async function ingestFile(
  pool: pg.Pool,
  path: string,
  options: IngestOptions,
): Promise<IngestSummary> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? 2000;
  const summary: IngestSummary = {
    rows: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    rejected: [],
    flagged: [],
  };
  const firstLineOf = new Map<string, number>();
  let batch: Array<{ line: number; record: CallRecord }> = [];

  const flush = async () => {
    if (batch.length === 0) return;
    const checked = await checkRecordings(
      batch.map((b) => b.record),
      options,
    );
    const calls: CallToStore[] = batch.map((b, i) => ({ ...b.record, ...checked[i] }));
    batch.forEach((b, i) => {
      const { recordingProblem: reason, recordingProblemCode: code } = checked[i];
      if (reason) summary.flagged.push({ line: b.line, callId: b.record.callId, reason, code });
    });
    const counts = await upsertCalls(pool, calls);
    summary.inserted += counts.inserted;
    summary.updated += counts.updated;
    summary.unchanged += counts.unchanged;
    batch = [];
  };

  let lastProgress: ReadProgress = { bytes: 0, totalBytes: 0 };
  for await (const item of readRecords(path, (p) => (lastProgress = p))) {
    summary.rows += 1;
    if ('error' in item) {
      summary.rejected.push({ line: item.line, reason: item.error });
      continue;
    }
    const parsed = parseCallRecord(item.raw, now);
    if (!parsed.ok) {
      const callId = typeof item.raw.call_id === 'string' ? item.raw.call_id : undefined;
      summary.rejected.push({ line: item.line, callId, reason: parsed.reason });
      continue;
    }
    const first = firstLineOf.get(parsed.record.callId);
    if (first !== undefined) {
      summary.rejected.push({
        line: item.line,
        callId: parsed.record.callId,
        reason: `duplicate call_id ${parsed.record.callId} (first on line ${first}); the first one was kept`,
      });
      continue;
    }
    firstLineOf.set(parsed.record.callId, item.line);
    batch.push({ line: item.line, record: parsed.record });
    if (batch.length >= batchSize) {
      await flush();
      options.onProgress?.({ ...lastProgress, rows: summary.rows });
    }
  }
  await flush();
  options.onProgress?.({ ...lastProgress, bytes: lastProgress.totalBytes, rows: summary.rows });
  return summary;
}
