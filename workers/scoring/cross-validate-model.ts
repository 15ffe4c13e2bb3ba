import type { CompiledScorecard } from './compile-scorecard.ts';
import { dialogueTranscript, type CorpusDialogue } from './dialogue-corpus.ts';
import { flaggedTurns } from './evaluate-corpus.ts';
import { channelSchema, type Channel } from './scorecard-schema.ts';
import { judgedSegments, scoreTranscript } from './score-transcript.ts';
import { labelledAgentTurns, learnViolationModel, type LabelledAgentTurn } from './train-violation-model.ts';
import {
  DEFAULT_TRAINING,
  violationProbability,
  type TrainingOptions,
  type TrainingTurn,
} from './violation-model.ts';

/** One threshold's cross-validated figures: the rules alone, and the rules with the model's second opinion. */
export interface ThresholdRow {
  threshold: number;
  precision: number;
  recall: number;
}

/** The figures of one set of turns: all of them, or one channel's. */
export interface CrossValidationFigures {
  turns: number;
  violations: number;
  rules: { precision: number; recall: number };
  rows: ThresholdRow[];
}

export interface CrossValidation extends CrossValidationFigures {
  folds: number;
  /**
   * Each channel's own figures: each card has its own threshold, and phone
   * calls and chats trade precision for recall differently.
   */
  byChannel: Partial<Record<Channel, CrossValidationFigures>>;
}

interface AgentTurn extends LabelledAgentTurn {
  /** A forbidden item of the card (other than a learned one) counted this turn. */
  byRules: boolean;
  /** …or found words there that an exception cleared: a learned rule leaves the turn out. */
  judged: boolean;
  fold: number;
  channel: Channel;
}

const CHANNELS = channelSchema.options;

function ruleTurns(
  dialogues: CorpusDialogue[],
  cardFor: (d: CorpusDialogue) => CompiledScorecard,
  folds: number,
) {
  return dialogues.flatMap((dialogue, n): AgentTurn[] => {
    const compiled = cardFor(dialogue);
    const learned = new Set(compiled.items.filter((e) => e.rule.kind === 'learned').map((e) => e.item.id));
    const score = scoreTranscript(compiled, dialogueTranscript(dialogue));
    const flagged = flaggedTurns(score, (id) => learned.has(id));
    // What the scorer's learned rule leaves out, by the scorer's own rule.
    const judged = judgedSegments(
      compiled,
      score.items.map((item) => (learned.has(item.itemId) ? null : item)),
    );
    return labelledAgentTurns(dialogue).map((turn) => ({
      ...turn,
      byRules: flagged.has(turn.index),
      judged: judged.has(turn.index),
      fold: n % folds,
      channel: dialogue.channel,
    }));
  });
}

function measure(turns: AgentTurn[], flagged: (turn: AgentTurn) => boolean) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const turn of turns) {
    const predicted = flagged(turn);
    if (predicted && turn.violation) tp += 1;
    else if (predicted) fp += 1;
    else if (turn.violation) fn += 1;
  }
  return { precision: tp + fp === 0 ? 1 : tp / (tp + fp), recall: tp + fn === 0 ? 1 : tp / (tp + fn) };
}

/**
 * k-fold cross-validation by dialogue of a violation model beside a card's
 * rules: each fold's model learns from the other folds only, and every
 * threshold is judged by what the rules plus the model flag together — the
 * row a card's `learned` threshold is picked from (`callqa scorecard train
 * --cv`). Turn banks, not being samples of calls, are in every fold's
 * training and never judged.
 */
export function crossValidateModel(
  dialogues: CorpusDialogue[],
  cardFor: (d: CorpusDialogue) => CompiledScorecard,
  thresholds: number[],
  {
    folds = 5,
    options = DEFAULT_TRAINING,
    bankTurns = [],
  }: { folds?: number; options?: TrainingOptions; bankTurns?: TrainingTurn[] } = {},
): CrossValidation {
  const turns = ruleTurns(dialogues, cardFor, folds);
  const probability = new Map<AgentTurn, number>();
  for (let fold = 0; fold < folds; fold += 1) {
    const train = [...turns.filter((t) => t.fold !== fold), ...bankTurns];
    const model = learnViolationModel(`fold-${fold}`, train, options);
    for (const turn of turns)
      if (turn.fold === fold) probability.set(turn, violationProbability(model, turn.text));
  }
  const figures = (of: AgentTurn[]): CrossValidationFigures => ({
    turns: of.length,
    violations: of.filter((t) => t.violation).length,
    rules: measure(of, (t) => t.byRules),
    rows: thresholds.map((threshold) => ({
      threshold,
      ...measure(of, (t) => t.byRules || (!t.judged && (probability.get(t) ?? 0) >= threshold)),
    })),
  });
  const byChannel: CrossValidation['byChannel'] = {};
  for (const channel of CHANNELS) {
    const of = turns.filter((t) => t.channel === channel);
    if (of.length > 0) byChannel[channel] = figures(of);
  }
  return { folds, ...figures(turns), byChannel };
}

export function formatCrossValidation(cv: CrossValidation): string {
  const pr = (x: { precision: number; recall: number }) =>
    `P ${x.precision.toFixed(3)}  R ${x.recall.toFixed(3)}`;
  const table = (of: CrossValidationFigures) => [
    `  rules alone              ${pr(of.rules)}`,
    ...of.rows.map((row) => `  rules + model ≥ ${row.threshold.toFixed(2)}    ${pr(row)}`),
  ];
  return [
    `${cv.folds}-fold cross-validation by dialogue: ${cv.turns} agent turns, ${cv.violations} violations`,
    ...table(cv),
    ...CHANNELS.flatMap((channel) => {
      const of = cv.byChannel[channel];
      return of ? [`${channel}: ${of.turns} agent turns, ${of.violations} violations`, ...table(of)] : [];
    }),
  ].join('\n');
}
