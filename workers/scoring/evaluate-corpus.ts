import type { CallScore, ItemResult } from './call-score.ts';
import type { CompiledScorecard } from './compile-scorecard.ts';
import { dialogueTranscript, isLabelledViolation, type CorpusDialogue } from './dialogue-corpus.ts';
import { DEFAULT_MIX, simulateAsrErrors, type ErrorMix } from './asr-error-simulator.ts';
import { scoreTranscript } from './score-transcript.ts';

/**
 * The corpus measures what a QA lead cares about, as the held-out real set
 * does: a missing greeting (hello and neither identification nor offer), a
 * missing closing (no closing part in the agent's last turns), and which
 * agent turns hold a violation. The QA event is the positive class. Items are
 * read by convention: greeting-hello / -identify / -offer, every `closing`
 * item, and every `forbidden` item plus flat refusals.
 */

export interface BinaryMetric {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface CorpusMiss {
  id: string;
  metric: 'greeting' | 'closing' | 'forbidden';
  kind: 'missed' | 'false alarm';
  turn?: number;
  text: string;
  /** The same turns as the scorer read them under simulated ASR errors (only when they differ from `text`). */
  heard?: string;
  detail: string;
}

export interface CorpusRunOptions {
  cer?: number;
  seed?: number;
  /** Noisy runs to pool (each with new errors): one run of ~80 violations moves by several points between seeds. */
  runs?: number;
  mix?: ErrorMix;
}

export interface CorpusReport {
  cer: number;
  /** Runs pooled into the counts (1 on clean text). */
  runs: number;
  mix?: ErrorMix;
  dialogues: number;
  greeting: BinaryMetric;
  closing: BinaryMetric;
  forbiddenTurns: BinaryMetric;
  /** Dialogues whose score went to a human (needs review). */
  needsReview: number;
  /** Labelled violations by class (refusal, ignorance, …): how many, and how many were flagged. */
  byClass: Record<string, { labelled: number; found: number }>;
  misses: CorpusMiss[];
}

export interface CorpusGate {
  minF1: number;
  minForbiddenPrecision: number;
  minForbiddenRecall: number;
}

export const CORPUS_GATE: CorpusGate = { minF1: 0.95, minForbiddenPrecision: 0.85, minForbiddenRecall: 0.8 };

function metric(tp: number, fp: number, fn: number, tn: number): BinaryMetric {
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { tp, fp, fn, tn, precision, recall, f1 };
}

const ok = (item: ItemResult | undefined): boolean =>
  item === undefined || item.status === 'pass' || item.status === 'na';

/** Whether an item's hits say a turn holds a violation: a forbidden item, or the flat no. */
export const countsAsViolation = (item: Pick<ItemResult, 'category' | 'itemId'>): boolean =>
  item.category === 'forbidden' || item.itemId === 'no-flat-no';

/**
 * The turns a score flags as holding a violation: uncleared evidence of a
 * forbidden item or the flat no that failed or went to review, by transcript
 * index, with what flagged it. `skip` leaves items out (a learned one, when
 * measuring the rules alone).
 */
export function flaggedTurns(score: CallScore, skip: (itemId: string) => boolean = () => false) {
  const flagged = new Map<number, string>();
  for (const item of score.items) {
    if (!countsAsViolation(item) || skip(item.itemId)) continue;
    if (item.status !== 'fail' && item.status !== 'review') continue;
    for (const hit of item.evidence) {
      if (hit.excusedBy !== undefined || hit.segmentIndex === null) continue;
      if (!flagged.has(hit.segmentIndex)) flagged.set(hit.segmentIndex, `${item.itemId}: ${hit.phrase}`);
    }
  }
  return flagged;
}

function predictions(score: CallScore) {
  const byId = new Map(score.items.map((item) => [item.itemId, item]));
  const greetingOk =
    ok(byId.get('greeting-hello')) && (ok(byId.get('greeting-identify')) || ok(byId.get('greeting-offer')));
  const closingItems = score.items.filter((item) => item.category === 'closing');
  const closingOk = closingItems.length === 0 || closingItems.some((item) => item.status === 'pass');
  const flagged = flaggedTurns(score);
  return { greetingOk, closingOk, flagged };
}

/** Scores every dialogue with the card `cardFor` picks and compares with the labels. */
export function evaluateCorpus(
  dialogues: CorpusDialogue[],
  cardFor: (dialogue: CorpusDialogue) => CompiledScorecard,
  options: CorpusRunOptions = {},
): CorpusReport {
  const cer = options.cer ?? 0;
  // Clean text is the same every run; noisy runs draw new errors from seeds far apart.
  const runs = cer > 0 ? Math.max(1, options.runs ?? 1) : 1;
  const counts = { greeting: [0, 0, 0, 0], closing: [0, 0, 0, 0], forbidden: [0, 0, 0, 0] };
  const misses: CorpusMiss[] = [];
  let needsReview = 0;
  const byClass: CorpusReport['byClass'] = {};
  const count = (key: keyof typeof counts, truth: boolean, predicted: boolean) => {
    counts[key][truth ? (predicted ? 0 : 2) : predicted ? 1 : 3] += 1;
  };
  const cases = Array.from({ length: runs }, (_, run) =>
    dialogues.map((d, n) => [d, n, run] as const),
  ).flat();
  const cleanTranscripts = dialogues.map((dialogue) => dialogueTranscript(dialogue));
  cases.forEach(([dialogue, n, run]) => {
    const clean = cleanTranscripts[n];
    const seed = (options.seed ?? 1) + run * 100_003 + n;
    const transcript = cer > 0 ? simulateAsrErrors(clean, { cer, seed, mix: options.mix }) : clean;
    const score = scoreTranscript(cardFor(dialogue), transcript);
    if (score.needsReview) needsReview += 1;
    const p = predictions(score);
    const firstAgent = dialogue.turns.findIndex((t) => t.speaker === 'agent');
    const lastAgent = dialogue.turns.flatMap((t, i) => (t.speaker === 'agent' ? [i] : [])).slice(-2);
    /** What the scorer read at these turns, when the simulated ASR changed it. */
    const heard = (turns: number[]): string | undefined => {
      const said = turns.map((i) => dialogue.turns[i]?.text ?? '').join(' / ');
      const read = turns.map((i) => transcript.segments[i]?.text ?? '').join(' / ');
      return read === said ? undefined : read;
    };
    const report = (
      metricName: CorpusMiss['metric'],
      truthEvent: boolean,
      predictedEvent: boolean,
      detail: string,
    ) => {
      count(metricName, truthEvent, predictedEvent);
      if (truthEvent !== predictedEvent) {
        misses.push({
          id: dialogue.id,
          metric: metricName,
          kind: truthEvent ? 'missed' : 'false alarm',
          text:
            metricName === 'greeting'
              ? (dialogue.turns[firstAgent]?.text ?? '')
              : lastAgent.map((i) => dialogue.turns[i].text).join(' / '),
          heard: heard(metricName === 'greeting' ? [firstAgent] : lastAgent),
          detail,
        });
      }
    };
    const item = (id: string) => score.items.find((i) => i.itemId === id);
    report(
      'greeting',
      !dialogue.labels.greeting_ok,
      !p.greetingOk,
      ['greeting-hello', 'greeting-identify', 'greeting-offer']
        .map((id) => `${id}=${item(id)?.status ?? '-'}`)
        .join(' '),
    );
    report(
      'closing',
      !dialogue.labels.closing_ok,
      !p.closingOk,
      score.items
        .filter((i) => i.category === 'closing')
        .map((i) => `${i.itemId}=${i.status}`)
        .join(' '),
    );
    dialogue.turns.forEach((turn, index) => {
      if ((turn.true_speaker ?? turn.speaker) !== 'agent' && turn.speaker !== 'agent') return;
      const truth = isLabelledViolation(turn);
      const predicted = p.flagged.has(index);
      count('forbidden', truth, predicted);
      if (truth) {
        const tally = (byClass[turn.forbidden?.class ?? 'other'] ??= { labelled: 0, found: 0 });
        tally.labelled += 1;
        if (predicted) tally.found += 1;
      }
      if (truth !== predicted) {
        misses.push({
          id: dialogue.id,
          metric: 'forbidden',
          kind: truth ? 'missed' : 'false alarm',
          turn: index,
          text: turn.text,
          heard: heard([index]),
          detail: truth
            ? `${turn.forbidden?.class ?? ''}: ${turn.forbidden?.span ?? ''}`
            : (p.flagged.get(index) ?? ''),
        });
      }
    });
  });
  const m = (c: number[]) => metric(c[0], c[1], c[2], c[3]);
  return {
    cer,
    runs,
    mix: cer > 0 ? (options.mix ?? DEFAULT_MIX) : undefined,
    dialogues: dialogues.length,
    greeting: m(counts.greeting),
    closing: m(counts.closing),
    forbiddenTurns: m(counts.forbidden),
    needsReview,
    byClass,
    misses,
  };
}

/** Which gate thresholds a clean-text report fails, as printable lines (empty = passes). */
export function corpusGateFailures(report: CorpusReport, gate: CorpusGate = CORPUS_GATE): string[] {
  const failures: string[] = [];
  if (report.greeting.f1 < gate.minF1)
    failures.push(`missing-greeting F1 ${report.greeting.f1.toFixed(3)} < ${gate.minF1}`);
  if (report.closing.f1 < gate.minF1)
    failures.push(`missing-closing F1 ${report.closing.f1.toFixed(3)} < ${gate.minF1}`);
  if (report.forbiddenTurns.precision < gate.minForbiddenPrecision)
    failures.push(
      `forbidden-turn precision ${report.forbiddenTurns.precision.toFixed(3)} < ${gate.minForbiddenPrecision}`,
    );
  if (report.forbiddenTurns.recall < gate.minForbiddenRecall)
    failures.push(
      `forbidden-turn recall ${report.forbiddenTurns.recall.toFixed(3)} < ${gate.minForbiddenRecall}`,
    );
  return failures;
}

/** ", errors 60/20/20 sub/del/ins, 10 runs pooled" for a noisy report. */
function noise(report: CorpusReport): string {
  if (!report.mix) return '';
  const pct = (x: number) => Math.round(x * 100);
  const { substitute, delete: deleted, insert } = report.mix;
  const runs = report.runs > 1 ? `, ${report.runs} runs pooled` : '';
  return ` (errors ${pct(substitute)}/${pct(deleted)}/${pct(insert)} sub/del/ins${runs})`;
}

export function formatCorpusReport(report: CorpusReport, maxMisses = 20): string {
  const row = (name: string, x: BinaryMetric) =>
    `  ${name.padEnd(24)} P ${x.precision.toFixed(3)}  R ${x.recall.toFixed(3)}  F1 ${x.f1.toFixed(3)}  (tp ${x.tp} fp ${x.fp} fn ${x.fn} tn ${x.tn})`;
  const lines = [
    `corpus: ${report.dialogues} dialogues, CER ${Math.round(report.cer * 100)} %${noise(report)}, ${report.needsReview} sent to review`,
    row('missing greeting', report.greeting),
    row('missing closing', report.closing),
    row('forbidden turns', report.forbiddenTurns),
  ];
  if (maxMisses > 0 && report.misses.length > 0) {
    lines.push(`  misses (${report.misses.length}, first ${Math.min(maxMisses, report.misses.length)}):`);
    for (const miss of report.misses.slice(0, maxMisses)) {
      lines.push(
        `    ${miss.id}${miss.turn !== undefined ? `#${miss.turn}` : ''} ${miss.metric} ${miss.kind}: ${miss.text} [${miss.detail}]`,
      );
      if (miss.heard !== undefined) lines.push(`      heard: ${miss.heard}`);
    }
  }
  return lines.join('\n');
}
