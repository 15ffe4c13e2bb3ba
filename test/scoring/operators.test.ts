import { describe, expect, it } from 'vitest';
import { scoreTranscript } from '../../workers/scoring/score-transcript.ts';
import { cardWith, transcriptOf } from './helpers.ts';

const item = (id: string, rule: string, extra = '') =>
  `  - { id: ${id}, title: ${id}, category: etiquette, points: 5${extra}, rule: ${rule} }`;
const statusOf = (items: string, lines: Parameters<typeof transcriptOf>[0], extraCard = '') => {
  const score = scoreTranscript(cardWith(items, extraCard), transcriptOf(lines));
  return Object.fromEntries(score.items.map((i) => [i.itemId, i.status]));
};

const CALL: Parameters<typeof transcriptOf>[0] = [
  ['agent', 0, 4, '您好,客服中心,1023号为您服务'],
  ['customer', 5, 8, '我不知道怎么办,你们有本事就投诉我啊'],
  ['agent', 9, 14, '请您提供手机号码,我帮您查询'],
  ['agent', 15, 20, '不知道您是否方便明天上午在家'],
  ['customer', 21, 23, '方便'],
  ['agent', 24, 28, '感谢您的来电,再见'],
];

describe('rule operators', () => {
  it('any / all / N-of-M', () => {
    const items = [
      item('any', '{ kind: match, cond: { any: [不存在的话, 客服中心] } }'),
      item('all-ok', '{ kind: match, cond: { all: [客服中心, 再见] } }'),
      item('all-missing', '{ kind: match, cond: { all: [客服中心, 不存在的话] } }'),
      item('two-of-three', '{ kind: match, cond: { atLeast: 2, of: [[您好, 你好], 不存在的话, 再见] } }'),
      item('three-of-three', '{ kind: match, cond: { atLeast: 3, of: [您好, 不存在的话, 再见] } }'),
    ].join('\n');
    expect(statusOf(items, CALL)).toEqual({
      any: 'pass',
      'all-ok': 'pass',
      'all-missing': 'fail',
      'two-of-three': 'pass',
      'three-of-three': 'fail',
    });
  });

  it('regex on normalised text, and negation', () => {
    const items = [
      item('agent-no', "{ kind: match, cond: { regex: '\\d{3,4}号' } }"),
      item('no-goodbye-missing', '{ kind: match, cond: { not: { any: [再见] } } }'),
      item('no-rude', '{ kind: match, cond: { not: { any: [你真罗嗦] } } }'),
    ].join('\n');
    expect(statusOf(items, CALL)).toEqual({
      'agent-no': 'pass',
      'no-goodbye-missing': 'fail',
      'no-rude': 'pass',
    });
  });

  it('speaker scope: agent by default, customer or any on request', () => {
    const items = [
      item('agent', '{ kind: match, cond: { any: [有本事就投诉我] } }'),
      item('customer', '{ kind: match, cond: { any: [有本事就投诉我], speaker: customer } }'),
      item('anyone', '{ kind: match, cond: { any: [有本事就投诉我], speaker: any } }'),
    ].join('\n');
    expect(statusOf(items, CALL)).toEqual({ agent: 'fail', customer: 'pass', anyone: 'pass' });
  });

  it('position windows: first / last N seconds and K utterances of the speaker', () => {
    const items = [
      item('first-1', '{ kind: match, cond: { any: [客服中心], window: { first: { utterances: 1 } } } }'),
      item(
        'first-1-late',
        '{ kind: match, cond: { any: [手机号码], window: { first: { utterances: 1 } } } }',
      ),
      item('first-10s', '{ kind: match, cond: { any: [手机号码], window: { first: { seconds: 10 } } } }'),
      item('last-1', '{ kind: match, cond: { any: [再见], window: { last: { utterances: 1 } } } }'),
      item('last-1-early', '{ kind: match, cond: { any: [客服中心], window: { last: { utterances: 1 } } } }'),
      item('last-5s', '{ kind: match, cond: { any: [不知道您是否方便], window: { last: { seconds: 5 } } } }'),
    ].join('\n');
    expect(statusOf(items, CALL)).toEqual({
      'first-1': 'pass',
      'first-1-late': 'fail',
      'first-10s': 'pass',
      'last-1': 'pass',
      'last-1-early': 'fail',
      'last-5s': 'fail',
    });
  });

  it('proximity in characters and in seconds', () => {
    const items = [
      item(
        'chars-near',
        '{ kind: match, cond: { near: [{ any: [手机号码] }, { any: [查询] }], within: { chars: 5 } } }',
      ),
      item(
        'chars-far',
        '{ kind: match, cond: { near: [{ any: [请您] }, { any: [查询] }], within: { chars: 3 } } }',
      ),
      item(
        'seconds',
        '{ kind: match, cond: { near: [{ any: [有本事就投诉我], speaker: customer }, { any: [手机号码] }], within: { seconds: 3 } } }',
      ),
      item(
        'seconds-far',
        '{ kind: match, cond: { near: [{ any: [有本事就投诉我], speaker: customer }, { any: [再见] }], within: { seconds: 3 } } }',
      ),
    ].join('\n');
    expect(statusOf(items, CALL)).toEqual({
      'chars-near': 'pass',
      'chars-far': 'fail',
      seconds: 'pass',
      'seconds-far': 'fail',
    });
  });

  it('exceptions (false friends): 不知道您是否方便 is not 不知道, 如果您不清楚 is not 我不清楚', () => {
    const forbidden =
      '{ kind: forbidden, phrases: [{ text: 不知道, except: [不知道您是否方便] }, { text: 我不清楚, except: [如果您不清楚] }] }';
    expect(statusOf(item('f', forbidden), CALL)).toEqual({ f: 'pass' });
    expect(statusOf(item('f', forbidden), [['agent', 0, 3, '如果您不清楚可以看账单']])).toEqual({
      f: 'pass',
    });
    expect(statusOf(item('f', forbidden), [['agent', 0, 3, '这个我不清楚']])).toEqual({ f: 'fail' });
    expect(statusOf(item('f', forbidden), [['agent', 0, 3, '不知道您是否方便,我也不知道']])).toEqual({
      f: 'fail',
    });
  });

  it('conditional rules are N/A until triggered', () => {
    const rule =
      '{ kind: conditional, if: { any: [请您重复一遍] }, then: { near: [{ any: [很抱歉] }, { any: [请您重复一遍] }], within: { chars: 10 } } }';
    expect(statusOf(item('r', rule), CALL)).toEqual({ r: 'na' });
    expect(statusOf(item('r', rule), [['agent', 0, 3, '很抱歉,请您重复一遍好吗']])).toEqual({ r: 'pass' });
    expect(statusOf(item('r', rule), [['agent', 0, 3, '请您重复一遍']])).toEqual({ r: 'fail' });
  });

  it('flat-no fires only on a bare refusal clause', () => {
    const rule = '{ kind: flat-no, phrases: [不, 不行] }';
    expect(statusOf(item('n', rule), [['agent', 0, 1, '不。']])).toEqual({ n: 'fail' });
    expect(statusOf(item('n', rule), [['agent', 0, 1, '不行,这个不能办']])).toEqual({ n: 'fail' });
    expect(statusOf(item('n', rule), [['agent', 0, 1, '不行的话我们换一个方案']])).toEqual({ n: 'pass' });
    expect(statusOf(item('n', rule), [['customer', 0, 1, '不行']])).toEqual({ n: 'pass' });
  });
});
