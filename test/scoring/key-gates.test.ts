import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { simulateAsrErrors } from '../../workers/scoring/asr-error-simulator.ts';
import { dialogueTranscript } from '../../workers/scoring/dialogue-corpus.ts';
import { requirementGates, untestedEnds, wordGates } from '../../workers/scoring/key-gates.ts';
import { loadCompiledScorecard } from '../../workers/scoring/load-scorecard.ts';
import { normaliseText } from '../../workers/scoring/normalise-text.ts';
import { readCorpus } from '../../workers/scoring/run-corpus-test.ts';
import {
  keyGate,
  keysIn,
  OPEN_GATE,
  soundKey,
  soundText,
  type KeySet,
} from '../../workers/scoring/sound-text.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** One end per character, each its own syllable. */
const ends = (word: string): Int32Array[] =>
  Array.from(word, (ch) => Int32Array.of(soundKey(ch.charCodeAt(0))));
const gateOf = (ch: string): number[] => [...keyGate(Int32Array.of(soundKey(ch.charCodeAt(0))))];

describe('key gates', () => {
  it("test a word's rarer ends before its common ones", () => {
    // 不知道: 道 and 知, not the 不 in most refusals.
    expect(wordGates(ends('不知道'))).toEqual([...gateOf('道'), ...gateOf('知')]);
    expect(wordGates(ends('我'))).toEqual([...gateOf('我'), ...OPEN_GATE]);
    expect(wordGates(null)).toEqual([...OPEN_GATE, ...OPEN_GATE]);
  });

  it("leave to the requirements only the ends a word's gates do not test", () => {
    const word = ends('不知道');
    expect(untestedEnds(word, wordGates(word))).toEqual([word[0]]);
    expect(untestedEnds(ends('知道'), wordGates(ends('知道')))).toEqual([]);
  });

  it("gate a pattern by a bit every alternative of a list shares, never by one alternative's own", () => {
    // 我 …6 [交班|下班]: 班 whichever is said, before the common 我.
    expect(requirementGates([[ends('我')], [ends('交班'), ends('下班')]])).toEqual([
      ...gateOf('班'),
      ...gateOf('我'),
    ]);
    // [知道|晓得] shares nothing: only the fixed 我 gates, once.
    expect(requirementGates([[ends('我')], [ends('知道'), ends('晓得')]])).toEqual([
      ...gateOf('我'),
      ...OPEN_GATE,
    ]);
  });

  it('let every shipped intent find what it finds when no gate or requirement rejects anything, clean and noisy', async () => {
    const cards = await Promise.all(
      ['default-zh.yaml', 'default-zh-chat.yaml'].map((file) =>
        loadCompiledScorecard(join(root, 'workers/scoring/scorecards', file)),
      ),
    );
    const dialogues = (await readCorpus(join(root, 'test/scoring/corpus'))).slice(0, 120);
    // A call's own company names too: `{company}` needs one of them.
    const companies = ['中国移动', '宽带'];
    // A key set holding every bit: every scanner runs, so the gates under test decide nothing.
    const everything: KeySet = { bits: new Int32Array(1024).fill(-1), at: 0 };
    let hits = 0;
    dialogues.forEach((dialogue, d) => {
      const clean = dialogueTranscript(dialogue);
      for (const transcript of [clean, simulateAsrErrors(clean, { cer: 0.2, seed: d + 1 })]) {
        for (const segment of transcript.segments) {
          const sound = soundText(normaliseText(segment.text));
          const keys = keysIn(sound);
          for (const card of cards) {
            for (const intent of card.intents.values()) {
              const all = intent.findAll(sound, companies, everything);
              expect(intent.findAll(sound, companies, keys), `${intent.name}: ${segment.text}`).toEqual(all);
              hits += all.length;
            }
          }
        }
      }
    });
    expect(hits).toBeGreaterThan(1000);
  });
});
