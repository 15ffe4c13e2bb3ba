import type { CorpusDialogue } from './dialogue-corpus.ts';
import { normaliseText } from './normalise-text.ts';
import { readCorpus } from './run-corpus-test.ts';
import {
  DEFAULT_TRAINING,
  storeModel,
  trainViolationModel,
  type StoredViolationModel,
  type TrainingTurn,
} from './violation-model.ts';

/**
 * The turns a violation model learns from: every turn the transcript gives
 * the agent (as the scorer will see it), labelled a violation when the agent
 * really said one there.
 */
export function trainingTurns(dialogues: CorpusDialogue[]): TrainingTurn[] {
  return dialogues.flatMap((dialogue) =>
    dialogue.turns
      .filter((turn) => turn.speaker === 'agent')
      .map((turn) => ({
        text: normaliseText(turn.text),
        violation: turn.tags.includes('forbidden') && (turn.true_speaker ?? turn.speaker) === 'agent',
      })),
  );
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
  const dialogues: CorpusDialogue[] = [];
  for (const corpus of corpora) {
    dialogues.push(...(await readCorpus(corpus)).filter((d) => split === 'all' || d.split === split));
  }
  const turns = trainingTurns(dialogues);
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
