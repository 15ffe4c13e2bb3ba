import { describe, expect, it } from 'vitest';
import { normaliseStepByStep, normaliseText } from '../../workers/scoring/normalise-text.ts';
import { mulberry32 } from '../../models/mulberry32.ts';
import {
  buildPhraseIndex,
  compilePhrase,
  matchPhrase,
  mayMatch,
  prepareText,
  segmentKeys,
} from '../../workers/scoring/phrase-matcher.ts';
import { nearIdOf, syllableCost, syllableIdOfCode } from '../../workers/scoring/syllable-table.ts';

const phrase = (text: string, threshold = 0.7) =>
  compilePhrase(text, { pinyin: true, minPinyinChars: 2, threshold });
const best = (p: string, text: string, threshold = 0.7) =>
  matchPhrase(phrase(p, threshold), prepareText(text));

describe('normaliseText', () => {
  it('converts Traditional to Simplified', () => {
    expect(normaliseText('感謝您的來電,再見')).toBe('感谢您的来电再见');
  });
  it('folds full width, strips punctuation and spaces, lower-cases', () => {
    expect(normaliseText('您 好 ! １０２３号,ＡＢＣ')).toBe('您好1023号abc');
  });
  it('keeps one space between English words and joins contractions', () => {
    expect(normaliseText("That's  NOT my problem!")).toBe('thats not my problem');
  });
  it('keeps 么 the question particle: OpenCC reads a lone 么 as 幺, which would become the digit 1', () => {
    expect(normaliseText('问题么')).toBe('问题么');
    expect(normaliseText('饿了么')).toBe('饿了么');
    expect(normaliseText('好麼')).toBe('好么');
    expect(normaliseText('這個問題好么')).toBe('这个问题好么');
    for (const word of ['怎么', '什么', '那么', '这么', '多么']) expect(normaliseText(word)).toBe(word);
    expect(normaliseText('什麼')).toBe('什么');
    expect(normaliseText('幺幺零')).toBe('110');
  });
  it('turns Chinese numerals into Arabic digits', () => {
    expect(normaliseText('一零二三号')).toBe('1023号');
    expect(normaliseText('二十三元')).toBe('23元');
    expect(normaliseText('一百零五')).toBe('105');
    expect(normaliseText('工号幺零二三')).toBe('工号1023');
    expect(normaliseText('十五分钟')).toBe('15分钟');
  });
  it('gives by its one-pass path exactly what the steps give, whatever the characters', () => {
    expect(normaliseText('您好，请稍等一下。')).toBe('您好请稍等1下');
    const random = mulberry32(11);
    const pool = [
      ...'您好请问有什么可以帮您的一二三四五六七八九十百千万零〇幺两么麼這個說話們為您服務號碼谢谢再见不知道',
      ...'，。！？、；：“”‘’\'"()（）【】 \u3000\t\nABCxyz0123４５６ＡＢｃ😀𠀀é-_.,!?~…·—',
    ];
    for (let n = 0; n < 20000; n += 1) {
      let text = '';
      for (let length = 1 + Math.floor(random() * 12); length > 0; length -= 1)
        text += pool[Math.floor(random() * pool.length)];
      expect(normaliseText(text), text).toBe(normaliseStepByStep(text));
    }
    // Every code point of the BMP, between Han characters (a one-pass path decides per code point).
    for (let code = 0; code < 0x10000; code += 1) {
      const text = `好${String.fromCharCode(code)}的`;
      if (normaliseText(text) !== normaliseStepByStep(text))
        expect(normaliseText(text), text).toBe(normaliseStepByStep(text));
    }
  });
});

describe('phrase matching', () => {
  it('finds an exact phrase inside a segment with its position', () => {
    const found = best('请问您还需要其它帮助吗', '好的,请问您还需要其它帮助吗?');
    expect(found).toMatchObject({ from: 2, similarity: 1, exact: true });
  });
  it('matches homophone ASR errors through pinyin: 在见 for 再见', () => {
    const found = best('再见', '感谢您的来电,在见');
    expect(found?.similarity).toBe(1);
    expect(found?.exact).toBe(false);
  });
  it('never takes 你 for 您, whatever the threshold (hard characters)', () => {
    expect(best('您好', '你好,客服中心', 0.5)).toBeNull();
    expect(best('你听我说', '您听我说', 0.5)).toBeNull();
  });
  it('never lets a negator in or out of a match: 可以的 is not 不可以, 有办法 is not 没办法', () => {
    expect(best('不可以', '可以的', 0.5)).toBeNull();
    expect(best('可以的', '不可以的', 0.5)).toBeNull();
    expect(best('没办法', '有办法', 0.6)).toBeNull();
    expect(best('请您别着急', '请您着急', 0.7)).toBeNull();
    // Other characters keep their ASR tolerance.
    expect(best('没办法', '没办发', 0.6)?.similarity).toBe(1);
  });
  it('does not take a different initial for a homophone: 您稍 is not 您好', () => {
    expect(best('您好', '请您稍等')).toBeNull();
  });
  it('matches single characters on characters only: 喂 is not 为', () => {
    expect(best('喂', '为您服务', 0.8)).toBeNull();
    expect(best('喂', '喂,你好', 0.8)?.similarity).toBe(1);
  });
  it('tolerates an inserted character in a long phrase', () => {
    const found = best('请问您需要什么帮助', '请问您需要些什么帮助', 0.8);
    expect(found?.similarity).toBeCloseTo(1 - 1 / 9, 5);
  });
  it('rejects a different sentence', () => {
    expect(best('我不知道', '我帮您查询一下', 0.8)).toBeNull();
  });
  it('matches Traditional input against a Simplified phrase', () => {
    expect(best('感谢您的来电', '感謝您的來電')?.similarity).toBe(1);
  });
});

describe('near groups', () => {
  it('hold every two syllables a substitution joins for less than 1 (the prefilter counts on it)', () => {
    const ids = new Set<number>();
    for (let code = 0x4e00; code <= 0x9fff; code += 1) ids.add(syllableIdOfCode(code));
    ids.delete(0);
    const apart: string[] = [];
    let near = 0;
    for (const a of ids) {
      for (const b of ids) {
        if (syllableCost(a, b) >= 1) continue;
        near += 1;
        if (nearIdOf(a) !== nearIdOf(b)) apart.push(`${a}/${b}`);
      }
    }
    expect(apart).toEqual([]);
    expect(ids.size).toBeGreaterThan(390);
    expect(near).toBeGreaterThan(2 * ids.size);
  });
});

describe('prefilter', () => {
  it('rejects a phrase where no syllable comes within reach of one of its characters', () => {
    const goodbye = phrase('再见');
    const index = buildPhraseIndex([goodbye]);
    const verdict = (text: string): boolean => {
      const keys = new Int32Array(index.words);
      segmentKeys(index, normaliseText(text), keys, 0);
      return mayMatch(index, keys, 0, goodbye.slot);
    };
    // 在 is 再's syllable, but nothing sounds like 见 (jian): the edit distance need not run.
    expect(verdict('我在查')).toBe(false);
    // 将 (jiang) is no accent merge of jian, yet within the near group: 0.5 missing is within 0.7's budget.
    expect(verdict('我在将')).toBe(true);
    expect(verdict('再见')).toBe(true);
  });
});

describe('prefilter safety', () => {
  // Homophones, accent merges (zh/z, n/l, in/ing), nasal pairs (你/您, 八/班, 西/星), near groups
  // that are no pair (班/帮) and plain characters.
  const POOL = [...'您你拟尼好号请情清问文再在见件家将知之道到谢写不布我五说话是事十八班帮西新星a1'];
  const randomText = (random: () => number, min: number, max: number): string => {
    const length = min + Math.floor(random() * (max - min + 1));
    return Array.from({ length }, () => POOL[Math.floor(random() * POOL.length)]).join('');
  };

  it('never rejects a (phrase, segment) pair that the edit distance accepts', () => {
    const random = mulberry32(42);
    let accepted = 0;
    for (let round = 0; round < 60; round += 1) {
      const phrases = Array.from({ length: 20 }, (_, i) =>
        compilePhrase(randomText(random, 1, 7), {
          pinyin: i % 4 !== 0,
          minPinyinChars: 2,
          threshold: [0.5, 0.7, 0.8, 0.9][i % 4],
        }),
      );
      const index = buildPhraseIndex(phrases);
      for (let t = 0; t < 30; t += 1) {
        const target = prepareText(randomText(random, 0, 30));
        const keys = new Int32Array(index.words);
        segmentKeys(index, target.text, keys, 0);
        for (const phrase of phrases) {
          if (matchPhrase(phrase, target) === null) continue;
          accepted += 1;
          expect(mayMatch(index, keys, 0, phrase.slot), `${phrase.text} in ${target.text}`).toBe(true);
        }
      }
    }
    // The property is only meaningful if plenty of pairs were accepted.
    expect(accepted).toBeGreaterThan(500);
  });
});
