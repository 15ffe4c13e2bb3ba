import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

/**
 * A stored score is explained by the exact card that made it: the database
 * refuses a card whose content differs under an (id, version) it already
 * holds (registerScorecard). So a built-in card that changes without a version
 * bump would stop every existing install from scoring. This table is the
 * release record of the built-in cards: change a card → bump its `version` →
 * add the new line here (never edit an old one).
 */
const RELEASED: Record<string, string> = {
  'default-zh@3': '73f0f428753e72b5264f9fc3df09616adae83b722ab26f00e7aa52968e40c7a2',
  'default-zh-chat@2': 'ff587338431c1d0b97ce853a6d4f83b3b76903d72e529d3b0a4993bfc5b8cffe',
  'default-zh@4': '830b3318c74e0384fbea3144a3e4625fa555d5c7a7d28d24036158eb4cc42b41',
  'default-zh-chat@3': 'f98ba796f5bc1f0475b2471f970831dc0f7a5f4dce08aee20bb4811e9ef378f5',
  'default-zh@5': '169ce4b1560c5998f6a9d8049e0fcb6838571bb87b01be2613e0dd9b3dd73f44',
  'default-zh-chat@4': '324a94d00a251da8c7545eb28017bbcd351beabc42b597252ed8ea5583b0bd11',
  'default-zh@6': 'ab4326cb884eff918830d85a719c68252e9e41dac0e506aa9cdd31f82f71066b',
  'default-zh-chat@5': '151e1da016fafe9e3c3f29309ea91f085ad77a4d2828a94042d2de4ba8475609',
  'default-zh@7': 'aa745a00d94222c243b0136deceabd2a377216f74d9ec1c34934e609c7897db2',
  'default-zh-chat@6': '70b9e4c5614c0bd534289f3cfd441297c66230b406d9b20e26b7ac6b9415b03c',
  'default-zh@8': 'd8acb1de2b3dc7e75597040b038703e1aae1ea78c3f62c4d00af531573a20394',
  'default-zh-chat@7': 'ba003d8ddd5621dde4afef85ddeafb9857397814f1038ed3524a94b902ef5b8a',
  'en-example@1': '1af110716e078c675e5ff9a0c8784f3b4b933e4f890c68c9a9476af1dcdaa4dd',
};

const DIR = join(import.meta.dirname, '..', '..', 'workers', 'scoring', 'scorecards');

/** The same for the learned models a card names: an id is never retrained in place. */
const LEARNED: Record<string, string> = {
  'violation-ngrams@1': '9d234ce2fd5e8c1a8dbe38c87ac4dc7d0f5ffed46b149739a165e8e040f8edd4',
  'violation-ngrams@2': 'e3ed9c3f789e998dc94f5a2d7d63da38ee92b3504428cfa0851e04d2ef078291',
  'violation-ngrams@3': 'e13d8a2361abe471e239ab3c85265f373a45a57aa102f516d9f88cc5e83ddb49',
  'violation-ngrams@4': '2b6b4a727646a3eaee70db5440eb306c2288d804cf316769391f119e9014ab33',
  'violation-ngrams@5': 'c51d0b2af17f9d714fdcab39ca1ef636ff79a53df72a954e79c210a1edee841d',
};

describe('built-in scorecards', () => {
  it('never change under a released version', async () => {
    for (const file of (await readdir(DIR)).filter((f) => f.endsWith('.yaml'))) {
      const source = await readFile(join(DIR, file), 'utf8');
      const { id, version } = parse(source) as { id: string; version: number };
      const key = `${id}@${version}`;
      const sha = createHash('sha256').update(source).digest('hex');
      expect(
        { file, key, sha },
        RELEASED[key] === undefined
          ? `${file} is ${key}, which is not released yet: add '${key}': '${sha}' to RELEASED`
          : `${file} changed under ${key}: bump its version (a stored score must stay explainable)`,
      ).toEqual({ file, key, sha: RELEASED[key] });
    }
  });

  it('name learned models that never change under their id', async () => {
    const dir = join(import.meta.dirname, '..', '..', 'workers', 'scoring', 'learned');
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json'))) {
      const id = file.replace(/\.json$/, '');
      const sha = createHash('sha256')
        .update(await readFile(join(dir, file)))
        .digest('hex');
      expect(
        { id, sha },
        LEARNED[id] === undefined
          ? `${file} is not released yet: add '${id}': '${sha}' to LEARNED`
          : `${file} changed under ${id}: train it as a new id and point the cards at it`,
      ).toEqual({ id, sha: LEARNED[id] });
    }
  });
});
