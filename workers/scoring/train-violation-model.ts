import { mulberry32 } from '../../models/mulberry32.ts';
import { corruptText } from './asr-error-simulator.ts';
import { isLabelledViolation, type CorpusDialogue } from './dialogue-corpus.ts';
import { learnKnownPairs } from './known-pairs.ts';
import { normaliseText } from './normalise-text.ts';
import { readDialogues } from './run-corpus-test.ts';
import { bankTrainingTurns, readTurnBank } from './turn-bank.ts';
import {
  DEFAULT_TRAINING,
  storeModel,
  trainViolationModel,
  type StoredViolationModel,
  type TrainingOptions,
  type TrainingTurn,
  type ViolationModel,
} from './violation-model.ts';

/** A turn the transcript gives the agent (as the scorer will see it), normalised and labelled. */
export interface LabelledAgentTurn extends TrainingTurn {
  /** Its index in the dialogue (and the transcript). */
  index: number;
}

/** Every agent turn of a dialogue, labelled a violation when the agent really said one there. */
export function labelledAgentTurns(dialogue: CorpusDialogue): LabelledAgentTurn[] {
  return dialogue.turns.flatMap((turn, index) =>
    turn.speaker === 'agent'
      ? [{ index, text: normaliseText(turn.text), violation: isLabelledViolation(turn), written: turn.text }]
      : [],
  );
}

/**
 * A violation model from labelled turns and, as the options ask, noisy
 * copies of them (each turn as written, through the ASR-error simulator at
 * `noiseCer`, from its own seeded stream): so a turn ASR garbled still reads
 * like the violation it holds. Training and cross-validation both learn
 * through here, so a fold's copies come from its own training turns only.
 */
export function learnViolationModel(
  id: string,
  turns: TrainingTurn[],
  options: TrainingOptions = DEFAULT_TRAINING,
): ViolationModel {
  const copies = options.noisyCopies ?? 0;
  const random = mulberry32(options.seed + 1);
  const noisy: TrainingTurn[] = [];
  for (let copy = 0; copy < copies; copy += 1) {
    for (const turn of turns) {
      if (turn.written === undefined) continue;
      const heard = corruptText(turn.written, options.noiseCer ?? 0.2, random);
      noisy.push({ text: normaliseText(heard), violation: turn.violation });
    }
  }
  return trainViolationModel(id, [...turns, ...noisy], options);
}

/** The turns a violation model learns from: every dialogue's agent turns. */
export function trainingTurns(dialogues: CorpusDialogue[]): TrainingTurn[] {
  return dialogues.flatMap(labelledAgentTurns);
}

/** The training turns of the given turn banks (files or directories). */
export async function readBankTurns(banks: string[]): Promise<TrainingTurn[]> {
  return bankTrainingTurns((await Promise.all(banks.map((bank) => readTurnBank(bank)))).flat());
}

/** A corpus or bank path as the model records it: its last three parts. */
const shortPath = (path: string) => path.replace(/\/+$/, '').split('/').slice(-3).join('/');

/**
 * `callqa scorecard train`: a violation model from the dev halves of the
 * given corpora (never their test halves) and any turn banks, as the JSON a
 * card can name.
 */
export async function trainFromCorpora(
  id: string,
  corpora: string[],
  split: 'dev' | 'all' = 'dev',
  banks: string[] = [],
  options: TrainingOptions = DEFAULT_TRAINING,
): Promise<StoredViolationModel> {
  const dialogues = await readDialogues(corpora, split);
  const fromCorpora = trainingTurns(dialogues);
  const fromBanks = await readBankTurns(banks);
  const turns = [...fromCorpora, ...fromBanks];
  const model = learnViolationModel(id, turns, options);
  if (options.knownPairs !== undefined) {
    // Every speaker's words are known pairs; the agent's are what the gauge reads.
    model.pairs = learnKnownPairs(
      dialogues.map((dialogue) =>
        dialogue.turns.map((turn) => ({
          text: turn.text,
          gauged: turn.speaker === 'agent',
        })),
      ),
      fromBanks.map((turn) => turn.written ?? turn.text),
      { bits: options.knownPairs, noiseCer: options.noiseCer ?? 0.2, seed: options.seed + 2 },
    );
  }
  return storeModel(
    model,
    {
      turns: turns.length,
      violations: turns.filter((t) => t.violation).length,
      corpora: corpora.map(shortPath),
      split,
      ...(banks.length > 0 ? { banks: banks.map(shortPath), bankTurns: fromBanks.length } : {}),
    },
    options,
  );
}
