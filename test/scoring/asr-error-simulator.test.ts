import { pinyin } from 'pinyin-pro';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../models/mulberry32.ts';
import { corruptText, parseErrorMix } from '../../workers/scoring/asr-error-simulator.ts';
import { fuzzySyllable } from '../../workers/scoring/syllable-table.ts';

const reading = (ch: string) => pinyin(ch, { toneType: 'none' });

describe('simulated ASR errors', () => {
  it('substitutes a character by one that sounds like it, even one the call-centre list has no homophone for', () => {
    // 您 我 了 had no homophone in the simulator's own list and became random characters.
    for (const ch of ['您', '我', '了', '不', '道']) {
      const random = mulberry32(11);
      const substitutes = new Set<string>();
      for (let i = 0; i < 300; i += 1) {
        const out = corruptText(ch, 1, random);
        // Deleted ('') or a character inserted after the original: not substitutions.
        if (out.length === 1 && out !== ch) substitutes.add(out);
      }
      expect(substitutes.size).toBeGreaterThan(0);
      for (const sub of substitutes) expect(fuzzySyllable(reading(sub))).toBe(fuzzySyllable(reading(ch)));
    }
  });

  it('is reproducible from its seed and leaves text alone at CER 0', () => {
    const text = '您好，我这边没办法帮您处理，请问还有什么问题吗';
    expect(corruptText(text, 0.2, mulberry32(1))).toBe(corruptText(text, 0.2, mulberry32(1)));
    expect(corruptText(text, 0, mulberry32(1))).toBe(text);
  });

  it('splits its errors into substitutions, deletions and insertions as told', () => {
    const text = '您好我这边帮您查一下请稍等'.repeat(100);
    const only = (mix: string) => corruptText(text, 0.3, mulberry32(3), parseErrorMix(mix) ?? undefined);
    const substituted = only('1,0,0');
    expect(substituted.length).toBe(text.length);
    expect(substituted).not.toBe(text);
    expect(only('0,1,0').length).toBeLessThan(text.length * 0.8);
    expect(only('0,0,1').length).toBeGreaterThan(text.length * 1.2);
    expect(parseErrorMix('60,20,20')).toEqual({ substitute: 0.6, delete: 0.2, insert: 0.2 });
    for (const bad of ['60,20', '0,0,0', '-1,1,1', 'a,b,c']) expect(parseErrorMix(bad), bad).toBeNull();
  });
});
