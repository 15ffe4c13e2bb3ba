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
  'default-zh@4': 'e4c9c6e16d53d7c2aeaed2dde64ea1ae72c4e808cec2225eef99ff9db152a546',
  'default-zh-chat@3': 'af20f0ee0491a29aa075a14e665ae35649e6e87cba446369e739874f298ed2b0',
  'en-example@1': '1af110716e078c675e5ff9a0c8784f3b4b933e4f890c68c9a9476af1dcdaa4dd',
};

const DIR = join(import.meta.dirname, '..', '..', 'workers', 'scoring', 'scorecards');

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
});
