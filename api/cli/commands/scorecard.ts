import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { parseErrorMix } from '../../../workers/scoring/asr-error-simulator.ts';
import { explainSentence, formatExplanation } from '../../../workers/scoring/explain-sentence.ts';
import { looksLikeCorpus } from '../../../workers/scoring/dialogue-corpus.ts';
import { loadCompiledScorecard, loadScorecard } from '../../../workers/scoring/load-scorecard.ts';
import { cardForChannel, readDialogues, runCorpusTest } from '../../../workers/scoring/run-corpus-test.ts';
import { crossValidateModel, formatCrossValidation } from '../../../workers/scoring/cross-validate-model.ts';
import { runScorecardTest } from '../../../workers/scoring/run-scorecard-test.ts';
import { readBankTurns, trainFromCorpora } from '../../../workers/scoring/train-violation-model.ts';
import { DEFAULT_TRAINING, GRAM_UNITS } from '../../../workers/scoring/violation-model.ts';
import { EXIT, UsageError } from '../context.ts';
import { reviewedTurnsCommand } from './reviewed-turns.ts';

const USAGE = `usage:
  callqa scorecard check <scorecard.yaml>                       validate a scorecard, listing every problem
  callqa scorecard test <scorecard.yaml> <labelled.jsonl> [--cer 0,0.1,0.2] [--seed 1] [--misses 20]
                                                                per-rule precision / recall / F1 and the misses
  callqa scorecard test <card.yaml[,chat-card.yaml]> <corpus[,corpus…]> [--split test|dev|all] [--cer …]
                        [--runs 10] [--asr-mix 60,20,20]        the dialogue corpus: missing greeting / closing,
                                                                forbidden turns; gates on the test half (clean);
                                                                noisy runs pooled, errors as sub/del/ins shares
  callqa scorecard train <corpus-dir[,corpus-dir…]> --id NAME@N [--out FILE] [--split dev|all]
                        [--bank turn-bank[,…]] [--units syllables|characters|both]
                        [--cv card.yaml[,chat-card.yaml]]
                                                                a learned violation model from the corpora's dev
                                                                halves (and turn banks), for a card's learned rule;
                                                                --cv prints the cross-validated table a threshold
                                                                is picked from
  callqa scorecard reviewed-turns --out bank.jsonl [--month YYYY-MM]
                                                                the agent turns of reviewed calls, labelled by their
                                                                latest review, as a turn bank for train --bank
  callqa scorecard explain <scorecard.yaml> "<sentence>" [--intent NAME] [--company NAME]
                                                                which intent pattern matches where, or why none does`;

/** Quality gate for scorecard authors: the lowest clean-text F1 a rule may have before the command fails. */
const MIN_F1 = 0.95;

export async function scorecardCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      cer: { type: 'string', default: '0' },
      seed: { type: 'string', default: '1' },
      runs: { type: 'string', default: '1' },
      'asr-mix': { type: 'string', default: '60,20,20' },
      misses: { type: 'string', default: '20' },
      intent: { type: 'string' },
      split: { type: 'string' },
      company: { type: 'string', multiple: true },
      id: { type: 'string' },
      out: { type: 'string' },
      cv: { type: 'string' },
      bank: { type: 'string' },
      units: { type: 'string' },
      month: { type: 'string' },
    },
  });
  const [action, scorecard, labelled] = positionals;
  if (action === 'reviewed-turns') return reviewedTurnsCommand({ out: values.out, month: values.month });
  if (action === 'train' && scorecard) {
    if (!values.id || !/^[a-z0-9-]+@[0-9]+$/.test(values.id))
      throw new UsageError('--id names the model and its version, e.g. violation-ngrams@2');
    const split = values.split ?? 'dev';
    if (split !== 'dev' && split !== 'all')
      throw new UsageError('--split is dev (the default) or all: a model never learns from a test half');
    const banks = values.bank?.split(',') ?? [];
    const units = GRAM_UNITS.find((u) => u === (values.units ?? DEFAULT_TRAINING.units));
    if (!units) throw new UsageError(`--units is one of ${GRAM_UNITS.join(', ')}`);
    const options = { ...DEFAULT_TRAINING, units };
    if (values.cv) {
      const cards = await Promise.all(values.cv.split(',').map((path) => loadCompiledScorecard(path)));
      const dialogues = await readDialogues(scorecard.split(','), split);
      const cv = crossValidateModel(
        dialogues,
        cardForChannel(cards),
        [0.5, 0.7, 0.8, 0.9, 0.95, 0.96, 0.97, 0.98, 0.99],
        { options, bankTurns: await readBankTurns(banks) },
      );
      process.stdout.write(`${formatCrossValidation(cv)}\n`);
      return EXIT.ok;
    }
    const stored = await trainFromCorpora(values.id, scorecard.split(','), split, banks, options);
    const json = `${JSON.stringify(stored, null, 2)}\n`;
    if (values.out) {
      // learned/ beside a card may not exist yet.
      await mkdir(dirname(values.out), { recursive: true });
      await writeFile(values.out, json);
    } else process.stdout.write(json);
    process.stderr.write(
      `${values.id}: ${stored.trainedOn.turns} agent turns, ${stored.trainedOn.violations} violations (${stored.trainedOn.split})\n`,
    );
    return EXIT.ok;
  }
  if (action === 'explain' && scorecard && labelled !== undefined) {
    const compiled = await loadCompiledScorecard(scorecard);
    if (values.intent !== undefined && !compiled.intents.has(values.intent)) {
      throw new UsageError(
        `unknown intent "${values.intent}"; the card has: ${[...compiled.intents.keys()].join(', ')}`,
      );
    }
    const explanation = explainSentence(compiled, labelled, {
      intent: values.intent,
      companies: values.company,
    });
    process.stdout.write(`${formatExplanation(explanation)}
`);
    return EXIT.ok;
  }
  if (action === 'check' && scorecard) {
    const card = await loadScorecard(scorecard);
    process.stdout.write(
      `${scorecard}: ${card.id} version ${card.version} (${card.language}), ${card.items.length} items — OK\n`,
    );
    return EXIT.ok;
  }
  if (action !== 'test' || !scorecard || !labelled) throw new UsageError(USAGE);
  const cers = values.cer.split(',').map(Number);
  if (cers.some((c) => !(c >= 0 && c < 1)))
    throw new UsageError('--cer takes rates between 0 and 1, e.g. 0,0.1,0.2');
  const labelledPaths = labelled.split(',');
  if ((await Promise.all(labelledPaths.map(isCorpus))).every(Boolean)) {
    const split = values.split ?? 'test';
    if (split !== 'test' && split !== 'dev' && split !== 'all')
      throw new UsageError('--split is test, dev or all');
    const runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1 || runs > 1000)
      throw new UsageError('--runs is a whole number, 1 to 1000');
    const mix = parseErrorMix(values['asr-mix']);
    if (!mix)
      throw new UsageError('--asr-mix is three shares: substitutions, deletions, insertions, e.g. 60,20,20');
    const run = await runCorpusTest(scorecard.split(','), labelledPaths, {
      cers,
      seed: Number(values.seed),
      runs,
      mix,
      split,
      maxMisses: Number(values.misses),
    });
    process.stdout.write(`${run.text}\n`);
    if (run.failures.length > 0) {
      process.stdout.write(`\nFAIL: ${run.failures.join('; ')}\n`);
      return EXIT.failed;
    }
    return EXIT.ok;
  }
  const run = await runScorecardTest(scorecard, labelled, {
    cers,
    seed: Number(values.seed),
    maxMisses: Number(values.misses),
  });
  process.stdout.write(`${run.text}\n`);
  if (run.minCleanF1 !== null && run.minCleanF1 < MIN_F1) {
    process.stdout.write(
      `\nFAIL: a rule scores F1 ${run.minCleanF1.toFixed(3)} on clean text (minimum ${MIN_F1})\n`,
    );
    return EXIT.failed;
  }
  return EXIT.ok;
}

/** A corpus directory, or a JSONL file whose lines are dialogues (turns) rather than labelled calls. */
async function isCorpus(path: string): Promise<boolean> {
  const info = await stat(path);
  if (info.isDirectory()) return true;
  const head = (await readFile(path, 'utf8')).slice(0, 200_000);
  return looksLikeCorpus(head);
}
