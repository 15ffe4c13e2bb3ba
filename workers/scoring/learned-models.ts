import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadStoredModel, type StoredViolationModel, type ViolationModel } from './violation-model.ts';

/** Where the built-in learned models live: one immutable JSON file per id (`violation-ngrams@1.json`). */
export const LEARNED_MODELS_DIR = join(import.meta.dirname, 'learned');

const loaded = new Map<string, ViolationModel>();

/** A built-in model by id, read once; a card naming an unknown id fails to compile, saying which. */
export function builtInModel(id: string): ViolationModel {
  let model = loaded.get(id);
  if (!model) {
    let stored: StoredViolationModel;
    try {
      stored = JSON.parse(
        readFileSync(join(LEARNED_MODELS_DIR, `${id}.json`), 'utf8'),
      ) as StoredViolationModel;
    } catch (error) {
      throw new Error(`no built-in learned model "${id}" in ${LEARNED_MODELS_DIR}`, { cause: error });
    }
    if (stored.id !== id) throw new Error(`${id}.json holds model "${stored.id}"`);
    model = loadStoredModel(stored);
    loaded.set(id, model);
  }
  return model;
}
