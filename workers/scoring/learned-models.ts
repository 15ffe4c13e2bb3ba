import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadStoredModel, type StoredViolationModel, type ViolationModel } from './violation-model.ts';

/** Where the built-in learned models live: one immutable JSON file per id (`violation-ngrams@1.json`). */
export const LEARNED_MODELS_DIR = join(import.meta.dirname, 'learned');

const loaded = new Map<string, ViolationModel>();

/**
 * A learned model by id, read once: a centre's own (`learned/<id>.json` in
 * the card's directory, as `callqa scorecard train --out` writes it) before
 * the built-in one. A card naming an id found in neither fails to compile,
 * saying where it looked.
 */
export function learnedModel(id: string, cardDir?: string): ViolationModel {
  const own = cardDir === undefined ? undefined : join(cardDir, 'learned', `${id}.json`);
  const file = own !== undefined && existsSync(own) ? own : join(LEARNED_MODELS_DIR, `${id}.json`);
  let model = loaded.get(file);
  if (!model) {
    let stored: StoredViolationModel;
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as StoredViolationModel;
    } catch (error) {
      const where = own === undefined ? LEARNED_MODELS_DIR : `${dirname(own)} or ${LEARNED_MODELS_DIR}`;
      throw new Error(`no learned model "${id}" in ${where}`, { cause: error });
    }
    if (stored.id !== id) throw new Error(`${file} holds model "${stored.id}", not "${id}"`);
    model = loadStoredModel(stored);
    loaded.set(file, model);
  }
  return model;
}
