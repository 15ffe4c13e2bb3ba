import { describe, expect, it } from 'vitest';
import { cleanAsrText, cutRepetition, isSilencePhrase } from '../../workers/asr/clean-asr-text.ts';
import { planAsrChunks, toCallTime } from '../../workers/asr/plan-asr-chunks.ts';
import { whisperLanguage } from '../../workers/asr/load-transcriber.ts';

describe('cleanAsrText', () => {
  it('converts Traditional to Simplified for Mandarin only', () => {
    expect(cleanAsrText('您好，請問您的帳號是多少？', { language: 'zh' })).toBe('您好，请问您的帐号是多少？');
    expect(cleanAsrText('請問', { language: 'en' })).toBe('請問');
  });

  it('drops known Whisper silence phrases, in either script and with any punctuation', () => {
    for (const phrase of [
      '字幕由Amara.org社区提供',
      '字幕由Amara.org社區提供',
      '请不吝点赞 订阅 转发 打赏支持明镜与点点栏目',
      '請不吝點贊訂閱轉發打賞支持明鏡與點點欄目',
      'Thank you for watching!',
      ' 。',
    ]) {
      expect(cleanAsrText(phrase, { language: 'zh' })).toBe('');
    }
    expect(isSilencePhrase('谢谢观看')).toBe(true);
    // Real things callers say are kept.
    expect(cleanAsrText('谢谢', { language: 'zh' })).toBe('谢谢');
    expect(cleanAsrText('Thank you.', { language: 'en' })).toBe('Thank you.');
  });

  it('cuts runaway repetition to maxRepeats copies and leaves normal text alone', () => {
    expect(cutRepetition('好的好的好的好的好的好的好的好的', 3)).toBe('好的好的好的');
    expect(cleanAsrText('我要退款' + '对对对对对对对对对对对对', { language: 'zh', maxRepeats: 2 })).toBe(
      '我要退款对对',
    );
    expect(cutRepetition('thank you thank you thank you thank you thank you ', 2)).toBe(
      'thank you thank you ',
    );
    expect(cutRepetition('好的，好的，没问题', 3)).toBe('好的，好的，没问题');
  });
});

describe('planAsrChunks / toCallTime', () => {
  it('splices speech into windows of at most 28 s with 0.4 s joins, splitting long spans', () => {
    const chunks = planAsrChunks([
      [0.5, 3],
      [10, 12],
      [20, 60],
    ]);
    expect(chunks.map((c) => c.pieces.map((p) => [p.callStart, p.callEnd, round(p.offset)]))).toEqual([
      [
        [0.5, 3, 0],
        [10, 12, 2.9],
      ],
      [[20, 48, 0]],
      [[48, 60, 0]],
    ]);
    expect(chunks.every((c) => c.durationS <= 28)).toBe(true);
  });

  it('maps chunk time back to call time, snapping times inside a join', () => {
    const [chunk] = planAsrChunks([
      [0.5, 3],
      [10, 12],
    ]);
    expect(toCallTime(chunk, 1, 'start')).toBeCloseTo(1.5);
    expect(toCallTime(chunk, 3.4, 'start')).toBeCloseTo(10.5);
    expect(toCallTime(chunk, 2.7, 'start')).toBe(10);
    expect(toCallTime(chunk, 2.7, 'end')).toBe(3);
    expect(toCallTime(chunk, 99, 'end')).toBe(12);
  });
});

const round = (x: number) => Math.round(x * 1000) / 1000;

describe('whisperLanguage', () => {
  it('maps ISO codes to Whisper language names', () => {
    expect(whisperLanguage('zh')).toBe('chinese');
    expect(whisperLanguage('zh-CN')).toBe('chinese');
    expect(whisperLanguage('en')).toBe('english');
    expect(whisperLanguage('Chinese')).toBe('chinese');
  });
});
