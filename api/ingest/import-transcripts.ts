import type pg from 'pg';
import { saveTranscript } from '../../models/pipeline-repository.ts';
import { parseTranscriptRecord } from '../../models/transcript-record.ts';
import { problem } from '../../models/ingest-problem.ts';
import type { Rejection } from './ingest-file.ts';
import { readRecords } from './read-records.ts';

export interface TranscriptImportSummary {
  imported: number;
  rejected: Rejection[];
}

/** JSONL, one transcript per line. Imported calls skip ASR and go straight to scoring. */
export async function importTranscripts(pool: pg.Pool, path: string): Promise<TranscriptImportSummary> {
  const summary: TranscriptImportSummary = { imported: 0, rejected: [] };
  for await (const item of readRecords(path, { columns: { required: [], known: [] } })) {
    if ('problem' in item) {
      summary.rejected.push({ line: item.line, problems: [item.problem] });
      continue;
    }
    const parsed = parseTranscriptRecord(item.raw);
    if (!parsed.ok) {
      summary.rejected.push({
        line: item.line,
        problems: [problem('invalid_transcript', { detail: parsed.reason })],
      });
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
        problems: [problem('unknown_call', { callId: parsed.transcript.callId })],
      });
    }
  }
  return summary;
}
