import type { ErrorMix } from './asr-error-simulator.ts';
import type { CompiledScorecard } from './compile-scorecard.ts';
import { parseCorpus, type CorpusDialogue } from './dialogue-corpus.ts';
import { readJsonLines } from './json-lines.ts';
import {
  corpusGateFailures,
  evaluateCorpus,
  formatCorpusReport,
  type CorpusReport,
} from './evaluate-corpus.ts';
import { loadCompiledScorecard } from './load-scorecard.ts';

export interface CorpusTestOptions {
  cers?: number[];
  seed?: number;
  /** Noisy runs pooled per CER (see evaluate-corpus.ts). */
  runs?: number;
  mix?: ErrorMix;
  /** Which half to score: `test` is the gate, `dev` is for tuning, `all` both. */
  split?: 'dev' | 'test' | 'all';
  maxMisses?: number;
}

export interface CorpusTestRun {
  reports: CorpusReport[];
  text: string;
  /** Gate failures on clean text (empty = passes). */
  failures: string[];
}

/** A corpus file, or every .jsonl in a corpus directory. */
export async function readCorpus(path: string): Promise<CorpusDialogue[]> {
  return readJsonLines(path, parseCorpus);
}

/** The dialogues of the given corpora, one half or both. */
export async function readDialogues(
  corpora: string[],
  split: 'dev' | 'test' | 'all',
): Promise<CorpusDialogue[]> {
  const dialogues = (await Promise.all(corpora.map((corpus) => readCorpus(corpus)))).flat();
  return dialogues.filter((d) => split === 'all' || d.split === split);
}

/** The card for a dialogue's channel: one that lists it, else one that lists none. */
export function cardForChannel(cards: CompiledScorecard[]) {
  return (dialogue: CorpusDialogue): CompiledScorecard => {
    const listed = cards.find((c) => c.card.appliesTo?.channels?.includes(dialogue.channel));
    const any = cards.find((c) => !c.card.appliesTo?.channels);
    const card = listed ?? any;
    if (!card) throw new Error(`no scorecard given for ${dialogue.channel} dialogues (${dialogue.id})`);
    return card;
  };
}

/**
 * `callqa scorecard test <card[,card…]> <corpus.jsonl|dir> [--split test]`:
 * scores the independent corpus with the card for each dialogue's channel and
 * gates on clean text (evaluate-corpus.ts CORPUS_GATE).
 */
export async function runCorpusTest(
  cardPaths: string[],
  corpusPaths: string[],
  options: CorpusTestOptions = {},
): Promise<CorpusTestRun> {
  const cards = await Promise.all(cardPaths.map((p) => loadCompiledScorecard(p)));
  const split = options.split ?? 'test';
  const dialogues = await readDialogues(corpusPaths, split);
  const cardFor = cardForChannel(cards);
  const reports = (options.cers ?? [0]).map((cer) =>
    evaluateCorpus(dialogues, cardFor, {
      cer,
      seed: options.seed ?? 1,
      runs: options.runs,
      mix: options.mix,
    }),
  );
  const clean = reports.find((r) => r.cer === 0);
  return {
    reports,
    text: reports.map((r) => formatCorpusReport(r, options.maxMisses ?? 20)).join('\n\n'),
    failures: clean ? corpusGateFailures(clean) : [],
  };
}
