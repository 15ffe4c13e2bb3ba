import { parseArgs } from 'node:util';
import { TRANSCRIPT_LIMITS, parseTranscriptRecord } from '../../../models/transcript-record.ts';
import type { CallScore } from '../../../workers/scoring/call-score.ts';
import { renderException, renderReason, type Locale } from '../../../workers/scoring/reason.ts';
import { scoreTranscript } from '../../../workers/scoring/score-transcript.ts';
import { BUILT_IN_SCORECARDS, chooseScorecard, loadScorecards } from '../../../workers/scoring-service.ts';
import { describeProblems } from '../../ingest/describe-problem.ts';
import { checkInputFile, readRecords } from '../../ingest/read-records.ts';
import { EXIT, UsageError } from '../context.ts';
import { withInputFile } from '../report-rejections.ts';

const USAGE = `usage: callqa score <transcripts.jsonl> [--card FILE|DIR]… [--format jsonl|table] [--lang en|zh-CN]
                    [--direction inbound|outbound] [--company NAME]…
  Scores transcripts without a database: one {call_id, language?, channel?: phone|chat, segments:[…]}
  per line (the import format). Cards: the built-in ones unless --card is given; each transcript gets
  the card for its language and channel. Prints one result per line.`;

/**
 * `callqa score`: a stable interface for trying a card on exported
 * transcripts and for evaluation scripts — score, each item's status and
 * reason (code, parameters and words), evidence with segment index and time
 * span — without PostgreSQL.
 */
export async function scoreCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      card: { type: 'string', multiple: true },
      format: { type: 'string', default: 'jsonl' },
      lang: { type: 'string', default: 'en' },
      direction: { type: 'string', default: 'inbound' },
      company: { type: 'string', multiple: true },
    },
  });
  const [file] = positionals;
  if (!file || positionals.length > 1) throw new UsageError(USAGE);
  if (values.format !== 'jsonl' && values.format !== 'table')
    throw new UsageError('--format is jsonl or table');
  if (values.lang !== 'en' && values.lang !== 'zh-CN') throw new UsageError('--lang is en or zh-CN');
  if (values.direction !== 'inbound' && values.direction !== 'outbound') {
    throw new UsageError('--direction is inbound or outbound');
  }
  const locale: Locale = values.lang;
  const direction = values.direction;
  const format = values.format;
  const cards = await loadScorecards(values.card ?? [BUILT_IN_SCORECARDS]);
  const out = (line: string) => process.stdout.write(`${line}\n`);

  return withInputFile('score', async () => {
    await checkInputFile(file);
    let rejected = 0;
    const lines = readRecords(file, {
      columns: { required: [], known: [] },
      maxLineBytes: TRANSCRIPT_LIMITS.maxJsonBytes,
    });
    for await (const item of lines) {
      const problems = 'problem' in item ? [item.problem] : undefined;
      const parsed = problems ? undefined : parseTranscriptRecord('raw' in item ? item.raw : undefined);
      const refusal = problems ?? (parsed && !parsed.ok ? parsed.problems : undefined);
      if (refusal || !parsed?.ok) {
        rejected += 1;
        const words = describeProblems(refusal ?? []);
        if (format === 'jsonl') out(JSON.stringify({ line: item.line, rejected: refusal, reason: words }));
        else out(`line ${item.line}: rejected — ${words}`);
        continue;
      }
      const { transcript } = parsed;
      const card = chooseScorecard(
        cards,
        { teamId: null, direction },
        transcript.language,
        transcript.channel,
      );
      if (!card) {
        rejected += 1;
        const reason = `no scorecard for ${transcript.language} ${transcript.channel ?? 'phone'} transcripts`;
        out(
          format === 'jsonl'
            ? JSON.stringify({ line: item.line, rejected: [{ code: 'no_scorecard' }], reason })
            : `line ${item.line}: ${reason}`,
        );
        continue;
      }
      const score = scoreTranscript(card.compiled, transcript, { direction, companyNames: values.company });
      out(
        format === 'jsonl'
          ? JSON.stringify(asJson(item.line, transcript.channel ?? 'phone', score, locale))
          : asTable(item.line, score, locale),
      );
    }
    return rejected > 0 ? EXIT.rejected : EXIT.ok;
  });
}

function asJson(line: number, channel: string, score: CallScore, locale: Locale) {
  return {
    line,
    call_id: score.callId,
    channel,
    scorecard: { id: score.scorecardId, version: score.scorecardVersion },
    score: score.score,
    passed: score.passed,
    auto_failed: score.autoFailed,
    needs_review: score.needsReview,
    review_reasons: score.reviewReasons.map((r) => ({ ...r, text: renderReason(r, locale) })),
    speaker_decision: score.speakerDecision,
    items: score.items.map((item) => ({
      id: item.itemId,
      category: item.category,
      status: item.status,
      deduction: item.deduction,
      reason: item.reason,
      reason_text: renderReason(item.reason, locale),
      evidence: item.evidence.map((hit) => ({
        segment: hit.segmentIndex,
        start: hit.start,
        end: hit.end,
        speaker: hit.speaker,
        phrase: hit.phrase,
        matched: hit.matchedText,
        method: hit.method,
        uncertain: hit.uncertain,
        ...(hit.excusedBy ? { excused_by: hit.excusedBy, note: renderException(hit.excusedBy, locale) } : {}),
        ...(hit.reviewBecause ? { review_because: hit.reviewBecause } : {}),
      })),
    })),
  };
}

function asTable(line: number, score: CallScore, locale: Locale): string {
  const head = `${score.callId} (line ${line}) ${score.scorecardId}@${score.scorecardVersion}: ${score.score} ${score.passed ? 'pass' : 'FAIL'}${score.needsReview ? ' — needs review' : ''}`;
  const rows = score.items
    .filter((item) => item.status !== 'pass' && item.status !== 'na')
    .map((item) => {
      const where = item.evidence
        .filter((hit) => !hit.excusedBy)
        .map((hit) => `#${hit.segmentIndex ?? '-'} ${hit.start}–${hit.end}s "${hit.matchedText}"`)
        .join(', ');
      return `  ${item.status.padEnd(6)} ${item.itemId.padEnd(24)} -${item.deduction}  ${renderReason(item.reason, locale)}${where ? `  [${where}]` : ''}`;
    });
  const reasons = score.reviewReasons.map((r) => `  review: ${renderReason(r, locale)}`);
  return [head, ...rows, ...reasons].join('\n');
}
