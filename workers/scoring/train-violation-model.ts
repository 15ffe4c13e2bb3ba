import { isLabelledViolation, type CorpusDialogue } from './dialogue-corpus.ts';
import { normaliseText } from './normalise-text.ts';
import { readCorpus } from './run-corpus-test.ts';
import {
  DEFAULT_TRAINING,
  storeModel,
  trainViolationModel,
  type StoredViolationModel,
  type TrainingTurn,
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
      ? [{ index, text: normaliseText(turn.text), violation: isLabelledViolation(turn) }]
      : [],
  );
}

/** The turns a violation model learns from: every dialogue's agent turns. */
export function trainingTurns(dialogues: CorpusDialogue[]): TrainingTurn[] {
  return dialogues.flatMap(labelledAgentTurns);
}

/** The dialogues of the given corpora, one half (`dev`) or both. */
export async function readDialogues(corpora: string[], split: 'dev' | 'all'): Promise<CorpusDialogue[]> {
  const dialogues = (await Promise.all(corpora.map((corpus) => readCorpus(corpus)))).flat();
  return dialogues.filter((d) => split === 'all' || d.split === split);
}

/**
 * `callqa scorecard train`: a violation model from the dev halves of the
 * given corpora (never their test halves), as the JSON a card can name.
 */
export async function trainFromCorpora(
  id: string,
  corpora: string[],
  split: 'dev' | 'all' = 'dev',
): Promise<StoredViolationModel> {
  const turns = trainingTurns(await readDialogues(corpora, split));
  const model = trainViolationModel(id, turns, DEFAULT_TRAINING);
  return storeModel(
    model,
    {
      turns: turns.length,
      violations: turns.filter((t) => t.violation).length,
      corpora: corpora.map((c) => c.replace(/\/+$/, '').split('/').slice(-3).join('/')),
      split,
    },
    DEFAULT_TRAINING,
  );
}
