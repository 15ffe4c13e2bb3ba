import type pg from 'pg';
import { saveTranscript } from '../../models/pipeline-repository.ts';
import { parseTranscriptRecord } from '../../models/transcript-record.ts';
import type { Rejection } from './ingest-file.ts';
import { readRecords } from './read-records.ts';

export interface TranscriptImportSummary {
  imported: number;
  rejected: Rejection[];
}

/** JSONL, one transcript per line. Imported calls skip ASR and go straight to scoring. */
export async function importTranscripts(pool: pg.Pool, path: string): Promise<TranscriptImportSummary> {
  const summary: TranscriptImportSummary = { imported: 0, rejected: [] };
  for await (const item of readRecords(path, undefined, { required: [], known: [] })) {
    if ('error' in item) {
      summary.rejected.push({ line: item.line, reason: item.error });
      continue;
    }
    const parsed = parseTranscriptRecord(item.raw);
    if (!parsed.ok) {
      summary.rejected.push({ line: item.line, reason: parsed.reason });
      continue;
    }
    try {
      await saveTranscript(pool, parsed.transcript, { model: 'import' });
      summary.imported += 1;
    } catch (error) {
      if ((error as { code?: string }).code !== '23503') throw error;
      summary.rejected.push({
        line: item.line,
        callId: parsed.transcript.callId,
        reason: `call ${parsed.transcript.callId} is not registered; ingest its call record first`,
      });
    }
  }
  return summary;
}
