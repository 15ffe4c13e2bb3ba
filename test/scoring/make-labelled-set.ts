/**
 * Regenerates the committed labelled sets (deterministic for a given seed):
 *   node --import tsx test/scoring/make-labelled-set.ts [--seed 20240501]
 * Writes test/scoring/labelled/default-zh.jsonl, default-zh-tricky.jsonl and en-example.jsonl.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '../../models/mulberry32.ts';
import { loadScorecard } from '../../workers/scoring/load-scorecard.ts';
import type { Scorecard } from '../../workers/scoring/scorecard-schema.ts';
import { generateEnCall } from './en-call-generator.ts';
import { trickyCases } from './tricky-cases.ts';
import { generateZhCall, type ForbiddenLists } from './zh-call-generator.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const seedArg = process.argv.indexOf('--seed');
const seed = seedArg >= 0 ? Number(process.argv[seedArg + 1]) : 20240501;

export function forbiddenListsOf(card: Scorecard): ForbiddenLists {
  const lists: ForbiddenLists = {};
  for (const item of card.items) if (item.rule.kind === 'forbidden') lists[item.id] = item.rule.phrases;
  return lists;
}

// The regression set stays generated from card version 1's phrase lists (test/scoring/labelled/default-zh-v1.yaml).
const zh = await loadScorecard(join(here, 'labelled', 'default-zh-v1.yaml'));
const en = await loadScorecard(join(root, 'workers/scoring/scorecards/en-example.yaml'));
const random = mulberry32(seed);
const zhCalls = Array.from({ length: 240 }, (_, i) =>
  generateZhCall(random, { id: `zh-${String(i + 1).padStart(3, '0')}`, lists: forbiddenListsOf(zh) }),
);
const enCalls = Array.from({ length: 60 }, (_, i) =>
  generateEnCall(random, `en-${String(i + 1).padStart(3, '0')}`, forbiddenListsOf(en)),
);
const jsonl = (calls: unknown[]): string => calls.map((call) => JSON.stringify(call)).join('\n') + '\n';
await writeFile(join(here, 'labelled', 'default-zh.jsonl'), jsonl(zhCalls));
await writeFile(join(here, 'labelled', 'default-zh-tricky.jsonl'), jsonl(trickyCases()));
await writeFile(join(here, 'labelled', 'en-example.jsonl'), jsonl(enCalls));
console.log(
  `wrote ${zhCalls.length} zh, ${trickyCases().length} tricky, ${enCalls.length} en calls (seed ${seed})`,
);
