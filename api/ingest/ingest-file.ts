import type pg from 'pg';
import { parseCallRecord, type CallRecord } from '../../models/call-record.ts';
import { storeCalls, type CallToStore, type UpsertCounts } from '../../models/call-repository.ts';
import { problem, type Problem } from '../../models/ingest-problem.ts';
import { checkRecordings, type RecordingPlaces, type RecordingProblemCode } from './check-recording.ts';
import { readRecords, type Encoding, type ReadProgress } from './read-records.ts';

/** A row that did not land: its line, its call id when one could be read, and why (codes). */
export interface Rejection {
  line: number;
  callId?: string;
  problems: Problem[];
}

/** A row that landed with a remark (its recording cannot be read). */
export interface Flag {
  line: number;
  callId: string;
  /** Why, as a stable code (`url_not_allowed`, `not_found` …) … */
  code: RecordingProblemCode;
  /** … and the words for it. */
  reason: string;
}

export interface IngestSummary extends UpsertCounts {
  rows: number;
  rejected: Rejection[];
  /** Calls kept but whose recording could not be read: they land, flagged. */
  flagged: Flag[];
}

export interface IngestOptions extends RecordingPlaces {
  now?: Date;
  batchSize?: number;
  /** Forces the file's encoding instead of detecting it. */
  encoding?: Encoding;
  onProgress?: (progress: ReadProgress & { rows: number }) => void;
}

/** The database's refusal of a row, as a problem: the SQLSTATE, never a stack. */
export const refusedByDatabase = (sqlstate: string): Problem => problem('database_rejected', { sqlstate });

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
    const { counts, refused } = await storeCalls(pool, calls);
    const refusedAt = new Set(refused.map((r) => r.index));
    for (const r of refused) {
      const { line, record } = batch[r.index];
      summary.rejected.push({ line, callId: record.callId, problems: [refusedByDatabase(r.sqlstate)] });
    }
    batch.forEach((b, i) => {
      const { recordingProblem: reason, recordingProblemCode: code } = checked[i];
      if (reason && !refusedAt.has(i)) {
        summary.flagged.push({ line: b.line, callId: b.record.callId, code: code ?? 'unreadable', reason });
      }
    });
    summary.inserted += counts.inserted;
    summary.updated += counts.updated;
    summary.unchanged += counts.unchanged;
    batch = [];
  };

  let lastProgress: ReadProgress = { bytes: 0, totalBytes: 0 };
  const records = readRecords(path, { onBytes: (p) => (lastProgress = p), encoding: options.encoding });
  for await (const item of records) {
    summary.rows += 1;
    if ('problem' in item) {
      summary.rejected.push({ line: item.line, problems: [item.problem] });
      continue;
    }
    const parsed = parseCallRecord(item.raw, now);
    if (!parsed.ok) {
      const callId = typeof item.raw.call_id === 'string' ? item.raw.call_id.slice(0, 200) : undefined;
      summary.rejected.push({ line: item.line, callId, problems: parsed.problems });
      continue;
    }
    const { callId } = parsed.record;
    const first = firstLineOf.get(callId);
    if (first !== undefined) {
      summary.rejected.push({
        line: item.line,
        callId,
        problems: [problem('duplicate_call_id', { callId, firstLine: first })],
      });
      continue;
    }
    firstLineOf.set(callId, item.line);
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
