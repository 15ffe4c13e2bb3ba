/**
 * Scoring benchmark: five-minute-call transcripts scored per second on one
 * core with the full default scorecard, then quality on the independent
 * corpus's test half (missing greeting / closing, forbidden turns, and the
 * forbidden turns found per family) at 0 %, 10 % and 20 % simulated CER.
 *   node --import tsx test/bench/scoring.bench.ts
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '../../models/mulberry32.ts';
import type { Transcript } from '../../models/transcript.ts';
import { compileScorecard } from '../../workers/scoring/compile-scorecard.ts';
import { toTranscript } from '../../workers/scoring/labelled-call.ts';
import { evaluateCorpus } from '../../workers/scoring/evaluate-corpus.ts';
import { loadScorecard } from '../../workers/scoring/load-scorecard.ts';
import { cardForChannel, readCorpus } from '../../workers/scoring/run-corpus-test.ts';
import type { Scorecard } from '../../workers/scoring/scorecard-schema.ts';
import { scoreTranscript } from '../../workers/scoring/score-transcript.ts';
import { generateZhCall, type ForbiddenLists } from '../scoring/zh-call-generator.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const card = await loadScorecard(join(root, 'workers/scoring/scorecards/default-zh.yaml'));
const compiled = compileScorecard(card);
// The generator draws its violations from card version 1's phrase lists (the regression set's card).
const v1 = await loadScorecard(join(root, 'test/scoring/labelled/default-zh-v1.yaml'));

function listsOf(scorecard: Scorecard): ForbiddenLists {
  const lists: ForbiddenLists = {};
  for (const item of scorecard.items) if (item.rule.kind === 'forbidden') lists[item.id] = item.rule.phrases;
  return lists;
}

// Five-minute calls: the generator's scripts with six topic rounds come to about 300 s, 50 segments
// and 1,000 characters — Mandarin at about 200 characters per minute of call, both speakers together.
const random = mulberry32(7);
const calls = Array.from({ length: 300 }, (_, i) =>
  toTranscript(generateZhCall(random, { id: `bench-${i}`, lists: listsOf(v1), bodyRounds: 6 })),
);
const avg = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
const segments = avg(calls.map((c) => c.segments.length));
const chars = avg(calls.map((c) => c.segments.reduce((n, s) => n + s.text.length, 0)));
const duration = avg(calls.map((c) => c.durationS));
console.log(
  `transcripts: ${calls.length}, avg ${segments.toFixed(0)} segments, ${chars.toFixed(0)} chars, ${duration.toFixed(0)} s`,
);
console.log(`scorecard: ${card.id}@${card.version}, ${card.items.length} items`);

// Warm-up (JIT, per-character pinyin and OpenCC memo), then timed passes.
for (const call of calls) scoreTranscript(compiled, call);
/** Seconds of this process's CPU: on a shared machine, CPU time says more than the wall clock. */
const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};
let scored = 0;
const started = process.hrtime.bigint();
const cpuStart = process.cpuUsage();
let elapsed = 0;
while (elapsed < 5) {
  for (const call of calls) scoreTranscript(compiled, call);
  scored += calls.length;
  elapsed = Number(process.hrtime.bigint() - started) / 1e9;
}
const perSecond = scored / elapsed;
const perCpuSecond = scored / cpuSeconds(cpuStart);
console.log(
  `throughput: ${perSecond.toFixed(0)} transcripts/s on one core by the wall clock, ${perCpuSecond.toFixed(0)} per CPU-second (${((1000 * elapsed) / scored).toFixed(3)} ms each; target 2000: ${(perCpuSecond / 2000).toFixed(2)}×)`,
);

// Mono calls whose speakers nobody labelled: roles are assigned from text cues before scoring.
const unknown = calls.map((call): Transcript => ({
  ...call,
  speakerMode: 'mono',
  speakerDecision: { method: 'imported', confidence: 1 },
  segments: call.segments.map((segment) => ({ ...segment, speaker: 'unknown' })),
}));
for (const call of unknown) scoreTranscript(compiled, call);
let monoScored = 0;
const monoStarted = process.hrtime.bigint();
const monoCpu = process.cpuUsage();
let monoElapsed = 0;
while (monoElapsed < 3) {
  for (const call of unknown) scoreTranscript(compiled, call);
  monoScored += unknown.length;
  monoElapsed = Number(process.hrtime.bigint() - monoStarted) / 1e9;
}
console.log(
  `mono, speakers unknown: ${(monoScored / monoElapsed).toFixed(0)} transcripts/s by the wall clock, ${(monoScored / cpuSeconds(monoCpu)).toFixed(0)} per CPU-second (roles assigned, then scored)`,
);

// Quality on the independent corpus (its test half, never used to tune the cards), per CER, and on
// the blind batches written later (test/scoring/corpus-blind: their test halves). Noisy figures pool
// RUNS runs, each with new errors: one run moves by several points from seed to seed.
const RUNS = 10;
const chat = compileScorecard(
  await loadScorecard(join(root, 'workers/scoring/scorecards/default-zh-chat.yaml')),
);
const cell = (p: number, r: number) => `P ${p.toFixed(2)} R ${r.toFixed(2)}`;
async function reportCorpus(dir: string, title: string): Promise<void> {
  const dialogues = (await readCorpus(join(root, dir))).filter((d) => d.split === 'test');
  const reports = [0, 0.1, 0.2].map((cer) =>
    evaluateCorpus(dialogues, cardForChannel([compiled, chat]), { cer, seed: 1, runs: RUNS }),
  );
  console.log(
    `\n${title}: ${dialogues.length} dialogues (the QA event is the positive class; noisy: ${RUNS} runs pooled)`,
  );
  console.log(`${'metric'.padEnd(28)}  CER 0%                 CER 10%                CER 20%`);
  for (const [name, key] of [
    ['missing greeting', 'greeting'],
    ['missing closing', 'closing'],
    ['forbidden turns', 'forbiddenTurns'],
  ] as const) {
    const cells = reports.map((r) => `${cell(r[key].precision, r[key].recall)} F1 ${r[key].f1.toFixed(2)}`);
    console.log(`${name.padEnd(28)}  ${cells.join('  ')}`);
  }
  console.log(`\nforbidden turns found, by family (labelled class; noisy columns summed over the runs):`);
  for (const family of Object.keys(reports[0].byClass).sort()) {
    const cells = reports.map((r) => {
      const t = r.byClass[family] ?? { labelled: 0, found: 0 };
      return `${t.found}/${t.labelled}`.padStart(9);
    });
    console.log(`${family.padEnd(28)}  ${cells.join('              ')}`);
  }
}
await reportCorpus('test/scoring/corpus', 'corpus test half');
await reportCorpus('test/scoring/corpus-blind', 'blind batches, test halves');
await reportCorpus(
  'test/scoring/corpus-holdout',
  'holdout batch, test half (its dev half is unread too, but for one line)',
);
await reportCorpus('test/scoring/corpus-batch5', 'batch 5 (shops, platforms, hotlines), test half');
await reportCorpus('test/scoring/corpus-batch6', 'batch 6 (mostly shop chat), test half');
await reportCorpus('test/scoring/corpus-batch7', 'batch 7 (scored once, never read), test half');
await reportCorpus('test/scoring/corpus-batch8', 'batch 8 (dev half learned since @3), test half');
await reportCorpus('test/scoring/corpus-batch9', 'batch 9 (dev half learned by @4), test half');
await reportCorpus('test/scoring/corpus-batch10', 'batch 10 (dev half learned by @4), test half');
await reportCorpus('test/scoring/corpus-batch11', 'batch 11 (scored on arrival, never learned), test half');
await reportCorpus(
  'test/scoring/corpus-batch12',
  'batch 12 (scored on arrival, dev half read for families), test half',
);
await reportCorpus('test/scoring/corpus-batch13', 'batch 13 (scored once, never read), test half');
