import type pg from 'pg';
import { getCall } from '../../models/call-repository.ts';
import { problem, type Problem } from '../../models/ingest-problem.ts';
import { saveTranscript } from '../../models/pipeline-repository.ts';
import {
  checkTranscriptAgainstCall,
  parseTranscriptRecord,
  TRANSCRIPT_LIMITS,
} from '../../models/transcript-record.ts';
import { refusedByDatabase, type Rejection } from './ingest-file.ts';
import { readRecords } from './read-records.ts';

export interface TranscriptImportSummary {
  imported: number;
  rejected: Rejection[];
}

/**
 * JSONL, one transcript per line. Imported calls skip ASR and go straight to
 * scoring. Each line stands alone: a bad line is reported with its number and
 * codes and the next line is read, whatever was wrong with it.
 */
export async function importTranscripts(pool: pg.Pool, path: string): Promise<TranscriptImportSummary> {
  const summary: TranscriptImportSummary = { imported: 0, rejected: [] };
  const lines = readRecords(path, {
    columns: { required: [], known: [] },
    maxLineBytes: TRANSCRIPT_LIMITS.maxJsonBytes,
  });
  for await (const item of lines) {
    if ('problem' in item) {
      summary.rejected.push({ line: item.line, problems: [item.problem] });
      continue;
    }
    const parsed = parseTranscriptRecord(item.raw);
    if (!parsed.ok) {
      summary.rejected.push({ line: item.line, problems: parsed.problems });
      continue;
    }
    const { transcript } = parsed;
    const reject = (...problems: Problem[]) =>
      summary.rejected.push({ line: item.line, callId: transcript.callId, problems });
    const call = await getCall(pool, transcript.callId);
    if (!call) {
      reject(problem('call_not_found', { callId: transcript.callId }));
      continue;
    }
    const beyond = checkTranscriptAgainstCall(transcript, call.durationS);
    if (beyond) {
      reject(beyond);
      continue;
    }
    try {
      await saveTranscript(pool, transcript, { model: 'import' });
      summary.imported += 1;
    } catch (error) {
      // A value PostgreSQL refuses (SQLSTATE class 22 data or 23 constraint) is
      // this line's problem, not the file's: report it and go on. Anything else
      // (the database went away) stops the import.
      const sqlState = (error as { code?: string }).code ?? '';
      if (!/^2[23]/.test(sqlState)) throw error;
      reject(refusedByDatabase(sqlState));
    }
  }
  return summary;
}
