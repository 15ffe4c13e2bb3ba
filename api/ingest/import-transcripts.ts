import type pg from 'pg';
import { getCall } from '../../models/call-repository.ts';
import { saveTranscript } from '../../models/pipeline-repository.ts';
import {
  checkTranscriptAgainstCall,
  describeTranscriptProblem,
  parseTranscriptRecord,
} from '../../models/transcript-record.ts';
import type { Rejection } from './ingest-file.ts';
import { readRecords } from './read-records.ts';

/** A refused line: its number, a stable code and the words for it. */
export interface TranscriptRejection extends Rejection {
  code: string;
}

export interface TranscriptImportSummary {
  imported: number;
  rejected: TranscriptRejection[];
}

/**
 * JSONL, one transcript per line. Imported calls skip ASR and go straight to
 * scoring. Each line stands alone: a bad line is reported with its number and
 * reason and the next line is read, whatever was wrong with it.
 */
export async function importTranscripts(pool: pg.Pool, path: string): Promise<TranscriptImportSummary> {
  const summary: TranscriptImportSummary = { imported: 0, rejected: [] };
  for await (const item of readRecords(path, undefined, { required: [], known: [] })) {
    if ('error' in item) {
      summary.rejected.push({ line: item.line, code: 'transcript_malformed_line', reason: item.error });
      continue;
    }
    const parsed = parseTranscriptRecord(item.raw);
    if (!parsed.ok) {
      summary.rejected.push({ line: item.line, code: parsed.problems[0].code, reason: parsed.reason });
      continue;
    }
    const { transcript } = parsed;
    const reject = (code: string, reason: string) =>
      summary.rejected.push({ line: item.line, callId: transcript.callId, code, reason });
    const call = await getCall(pool, transcript.callId);
    if (!call) {
      reject('call_not_found', `call ${transcript.callId} is not registered; ingest its call record first`);
      continue;
    }
    const beyond = checkTranscriptAgainstCall(transcript, call.durationS);
    if (beyond) {
      reject(beyond.code, describeTranscriptProblem(beyond));
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
      reject('transcript_unstorable', `the database refused this transcript (SQLSTATE ${sqlState})`);
    }
  }
  return summary;
}
