import { describe, expect, it } from 'vitest';
import { audioMetrics, callSpans } from '../../workers/scoring/audio-metrics.ts';
import { assignRoles } from '../../workers/scoring/assign-roles.ts';
import { diffScores } from '../../workers/scoring/diff-scores.ts';
import { scoreTranscript } from '../../workers/scoring/score-transcript.ts';
import { cardWith, defaultZhV1, transcriptOf } from './helpers.ts';

const zh = defaultZhV1();
const GOOD: Parameters<typeof transcriptOf>[0] = [
  ['agent', 0.5, 6, '您好,客服中心,1023号为您服务,请问您需要什么帮助?'],
  ['customer', 6.5, 10, '我想查一下这个月的话费'],
  ['agent', 10.5, 14, '请您提供机主的手机号码'],
  ['customer', 14.5, 18, '一三八零零一三八零零零'],
  ['agent', 18.5, 23, '您这个月的话费是八十八元'],
  ['agent', 23.5, 27, '请问您还需要其它帮助吗?'],
  ['customer', 27.5, 28.5, '没有了'],
  ['agent', 29, 32, '感谢您的来电,再见!'],
];
const byId = (score: ReturnType<typeof scoreTranscript>) =>
  Object.fromEntries(score.items.map((i) => [i.itemId, i]));

describe('scoreTranscript with the default scorecard', () => {
  it('scores a by-the-book call 100 and passes it', () => {
    const score = scoreTranscript(zh, transcriptOf(GOOD));
    const failed = score.items.filter((i) => i.status === 'fail' || i.status === 'review');
    expect(failed).toEqual([]);
    expect(score).toMatchObject({ score: 100, passed: true, autoFailed: false, needsReview: false });
    expect(score.scorecardId).toBe('default-zh');
  });

  it('records full evidence for every hit', () => {
    const score = scoreTranscript(zh, transcriptOf([...GOOD, ['agent', 33, 35, '这个我不清楚']]));
    const hit = byId(score)['forbidden-phrases'].evidence[0];
    expect(hit).toMatchObject({
      scorecardId: 'default-zh',
      scorecardVersion: 1,
      itemId: 'forbidden-phrases',
      phrase: '我不清楚',
      matchedText: '我不清楚',
      similarity: 1,
      speaker: 'agent',
      segmentIndex: 8,
      uncertain: false,
    });
    expect(hit.start).toBeGreaterThanOrEqual(33);
    expect(hit.end).toBeLessThanOrEqual(35);
    expect(score.score).toBe(90);
  });

  it('auto-fails an abusive phrase: score 0 and not passed', () => {
    const score = scoreTranscript(
      zh,
      transcriptOf([...GOOD.slice(0, 4), ['agent', 19, 21, '有本事就投诉我'], ...GOOD.slice(5)]),
    );
    expect(byId(score)['forbidden-abusive']).toMatchObject({
      status: 'fail',
      autoFail: true,
      severity: 'critical',
    });
    expect(score).toMatchObject({ score: 0, passed: false, autoFailed: true });
  });

  it('does not count what the customer says', () => {
    const score = scoreTranscript(
      zh,
      transcriptOf([...GOOD, ['customer', 33, 35, '有本事就投诉我,这事与我无关']]),
    );
    expect(byId(score)['forbidden-abusive'].status).toBe('pass');
    expect(score.autoFailed).toBe(false);
  });

  it('sends low-confidence evidence to a human instead of deducting', () => {
    const score = scoreTranscript(zh, transcriptOf([...GOOD, ['agent', 33, 35, '有本事就投诉我', 0.3]]));
    expect(byId(score)['forbidden-abusive']).toMatchObject({
      status: 'review',
      deduction: 0,
      autoFail: false,
    });
    expect(score).toMatchObject({ score: 100, autoFailed: false, needsReview: true });
  });

  it('sends low-similarity evidence to a human (我正在忙着呢 for the forbidden 我正忙着呢)', () => {
    const score = scoreTranscript(zh, transcriptOf([...GOOD, ['agent', 33, 35, '我正在忙着呢']]));
    const item = byId(score)['forbidden-phrases'];
    expect(item.status).toBe('review');
    expect(item.evidence[0].similarity).toBeLessThan(0.9);
    expect(score.needsReview).toBe(true);
  });

  it('never takes 您 for 你: 您听我说 is not the forbidden 你听我说', () => {
    const score = scoreTranscript(zh, transcriptOf([...GOOD, ['agent', 33, 35, '您听我说']]));
    expect(byId(score)['forbidden-phrases'].status).toBe('pass');
  });

  it('reviews a missing greeting when the opening was transcribed with low confidence', () => {
    const lines = GOOD.map((l, i): (typeof GOOD)[number] => (i === 0 ? ['agent', 0.5, 6, '嗯嗯嗯', 0.2] : l));
    expect(byId(scoreTranscript(zh, transcriptOf(lines)))['greeting-hello'].status).toBe('review');
  });

  it('scores greeting parts separately and only in the agent opening window', () => {
    const noOffer = GOOD.map((l, i): (typeof GOOD)[number] =>
      i === 0 ? ['agent', 0.5, 6, '您好,客服中心,1023号为您服务'] : l,
    );
    const items = byId(scoreTranscript(zh, transcriptOf(noOffer)));
    expect([
      items['greeting-hello'].status,
      items['greeting-identify'].status,
      items['greeting-offer'].status,
    ]).toEqual(['pass', 'pass', 'fail']);
    const late = [
      ['agent', 0.5, 2, '嗯'],
      ['customer', 2.5, 4, '喂'],
      ['agent', 4.5, 6, '您说'],
      ...GOOD.map((l): (typeof GOOD)[number] => [l[0], l[1] + 7, l[2] + 7, l[3]]),
    ] as typeof GOOD;
    const lateItems = byId(scoreTranscript(zh, transcriptOf(late)));
    expect(lateItems['greeting-hello'].status).toBe('fail');
  });

  it('uses context company names for the {company} slot and N/A for outbound calls', () => {
    const lines = GOOD.map((l, i): (typeof GOOD)[number] =>
      i === 0 ? ['agent', 0.5, 6, '您好,阳光宽带,请问您需要什么帮助?'] : l,
    );
    expect(byId(scoreTranscript(zh, transcriptOf(lines)))['greeting-identify'].status).toBe('fail');
    expect(
      byId(scoreTranscript(zh, transcriptOf(lines), { companyNames: ['阳光宽带'] }))['greeting-identify']
        .status,
    ).toBe('pass');
    expect(
      byId(scoreTranscript(zh, transcriptOf(lines), { direction: 'outbound' }))['greeting-identify'].status,
    ).toBe('na');
  });

  it('holiday greeting and closing (002 特殊情况 1)', () => {
    const lines = GOOD.map((l, i): (typeof GOOD)[number] =>
      i === 0
        ? ['agent', 0.5, 6, '新年好!1023号为您服务,请问您需要什么帮助?']
        : i === 7
          ? ['agent', 29, 32, '再次祝您节日快乐!感谢您的来电,再见!']
          : l,
    );
    const score = scoreTranscript(zh, transcriptOf(lines));
    expect(score.score).toBe(100);
  });

  it('a closing in the wrong place does not count', () => {
    const lines = [
      ...GOOD.slice(0, 1),
      ['agent', 6, 8, '请问您还需要其它帮助吗?感谢您的来电,再见!'],
      ...GOOD.slice(1, 5),
      ['agent', 24, 26, '您还可以在网上营业厅查询'],
      ['agent', 27, 29, '好的,就这样。'],
    ] as typeof GOOD;
    const items = byId(scoreTranscript(zh, transcriptOf(lines)));
    expect(items['closing-anything-else'].status).toBe('fail');
    expect(items['closing-thanks-goodbye'].status).toBe('fail');
  });
});

describe('audio metrics and hold etiquette', () => {
  const speechCall = (agent: Array<[number, number]>, customer: Array<[number, number]>, lines = GOOD) =>
    transcriptOf(lines, { speech: { agent, customer } });

  it('measures dead air, overtalk, speech rate and talk ratio from the speech map', () => {
    const t = speechCall(
      [
        [0, 10],
        [30, 40],
      ],
      [
        [9, 12],
        [12.5, 13],
      ],
    );
    const m = audioMetrics(t, callSpans(t), 10, 0.5);
    expect(m).toMatchObject({
      source: 'speech-map',
      deadAirLongestS: 17,
      deadAirCount: 1,
      overtalkTotalS: 1,
      overtalkCount: 1,
      agentSpeechS: 20,
      customerSpeechS: 3.5,
    });
    const agentChars = GOOD.filter((l) => l[0] === 'agent').reduce(
      (n, l) => n + (l[3].match(/\p{Script=Han}|[0-9]+/gu)?.length ?? 0),
      0,
    );
    expect(m.agentCharsPerMinute).toBeCloseTo((agentChars * 60) / 20, 0);
    expect(m.agentTalkShare).toBeCloseTo(20 / 23.5, 2);
  });

  it('fails dead air and overtalk over the limits, excuses an announced hold', () => {
    const overlaps: Array<[number, number]> = Array.from({ length: 7 }, (_, i): [number, number] => [
      i * 4 + 1,
      i * 4 + 2,
    ]);
    const t = speechCall([[0, 30]], overlaps);
    expect(byId(scoreTranscript(zh, t)).overtalk.status).toBe('fail');
    const dead = speechCall(
      [
        [0, 10],
        [25, 33],
      ],
      [],
    );
    expect(byId(scoreTranscript(zh, dead))['dead-air'].status).toBe('fail');
    expect(
      byId(scoreTranscript(zh, { ...dead, speakerMode: 'mono', speech: { mixed: [[0, 33]] } })).overtalk
        .status,
    ).toBe('na');
  });

  it('hold etiquette: 请您稍等 before the silence, 感谢您的耐心等待 after', () => {
    const hold = (before: string, after: string) =>
      transcriptOf([
        ...GOOD.slice(0, 3),
        ['agent', 14, 16, before],
        ['agent', 40, 43, after],
        ...GOOD.slice(5).map((l): (typeof GOOD)[number] => [l[0], l[1] + 25, l[2] + 25, l[3]]),
      ]);
    const proper = byId(scoreTranscript(zh, hold('请您稍等,我帮您查询', '感谢您的耐心等待,已经查到了')));
    expect(proper['hold-etiquette'].status).toBe('pass');
    expect(proper['dead-air'].status).toBe('pass');
    const noThanks = byId(scoreTranscript(zh, hold('请您稍等,我帮您查询', '已经查到了')));
    expect(noThanks['hold-etiquette'].status).toBe('fail');
    expect(noThanks['hold-etiquette'].reason).toMatchObject({ code: 'hold_problems', params: { count: 1 } });
    const silent = byId(scoreTranscript(zh, hold('我帮您查询', '已经查到了')));
    expect(silent['dead-air'].status).toBe('fail');
    expect(silent['dead-air'].evidence[0]).toMatchObject({ method: 'metric', start: 16, end: 40 });
    expect(byId(scoreTranscript(zh, transcriptOf(GOOD)))['hold-etiquette'].status).toBe('na');
  });

  it('flags an agent speaking too fast', () => {
    const fast: typeof GOOD = [
      ...GOOD,
      [
        'agent',
        33,
        40,
        '您这个月的话费是八十八元,其中月租五十元,流量费二十元,语音通话费十八元,下个月开始套餐会自动续订',
      ],
    ];
    // The same words in 40% of the time: well over 330 characters a minute.
    const squeezed = fast.map((l): (typeof GOOD)[number] => [l[0], l[1] / 2.5, l[2] / 2.5, l[3]]);
    expect(byId(scoreTranscript(zh, transcriptOf(squeezed)))['speech-rate'].status).toBe('fail');
    expect(byId(scoreTranscript(zh, transcriptOf(fast)))['speech-rate'].status).toBe('pass');
  });
});

describe('mono calls', () => {
  const swapped = transcriptOf(
    GOOD.map((l): (typeof GOOD)[number] => [l[0] === 'agent' ? 'customer' : 'agent', l[1], l[2], l[3]]),
    { speakerMode: 'mono', speakerDecision: { method: 'default', confidence: 0 } },
  );

  it('finds the agent as the speaker whose turns sound like an agent, with a confidence', () => {
    const { transcript: fixed, decision } = assignRoles(zh, swapped);
    expect(decision.confidence).toBeGreaterThan(0.8);
    expect(fixed.segments[0].speaker).toBe('agent');
    expect(fixed.segments[1].speaker).toBe('customer');
    expect(decision.method).toBe('diarised');
  });

  it('relabels before scoring, and asks for review when nobody greets', () => {
    expect(scoreTranscript(zh, swapped).score).toBe(100);
    const silent = transcriptOf(
      [
        ['agent', 0, 2, '嗯'],
        ['customer', 3, 5, '嗯嗯'],
      ],
      { speakerMode: 'mono', speakerDecision: { method: 'default', confidence: 0 } },
    );
    const score = scoreTranscript(zh, silent);
    expect(score.needsReview).toBe(true);
    expect(score.reviewReasons[0]).toMatchObject({ code: 'speaker_roles_uncertain' });
  });
});

describe('weighted scorecards and diffScores', () => {
  it('weighted scoring: share of applicable weight passed', () => {
    const card = cardWith(
      [
        '  - { id: a, title: a, category: greeting, weight: 3, rule: { kind: match, cond: { any: [您好] } } }',
        '  - { id: b, title: b, category: closing, weight: 1, rule: { kind: match, cond: { any: [再见再见再见] } } }',
      ].join('\n'),
      'scoring: weighted',
    );
    expect(scoreTranscript(card, transcriptOf(GOOD)).score).toBe(75);
  });

  it('lists changed items and why when a call is re-scored under a new version', () => {
    const call = transcriptOf([...GOOD, ['agent', 33, 35, '你真罗嗦']]);
    const v1 = scoreTranscript(
      cardWith(
        '  - { id: a, title: a, category: greeting, points: 5, rule: { kind: match, cond: { any: [您好] } } }',
      ),
      call,
    );
    const v2Card = cardWith(
      [
        '  - { id: a, title: a, category: greeting, points: 5, rule: { kind: match, cond: { any: [你好啊朋友们] } } }',
        '  - { id: f, title: f, category: forbidden, points: 10, rule: { kind: forbidden, phrases: [你真罗嗦] } }',
      ].join('\n'),
    );
    const v2 = scoreTranscript({ ...v2Card, card: { ...v2Card.card, version: 2 } }, call);
    const diff = diffScores(v1, v2);
    expect(diff).toMatchObject({
      oldVersion: 't@1',
      newVersion: 't@2',
      oldScore: 100,
      newScore: 85,
      scoreDelta: -15,
    });
    expect(diff.changes.map((c) => [c.itemId, c.change, c.oldStatus, c.newStatus])).toEqual([
      ['a', 'changed', 'pass', 'fail'],
      ['f', 'added', undefined, 'fail'],
    ]);
    expect(diff.changes[0].why).toMatch(/pass → fail/);
    expect(diff.changes[0].why).toMatch(/evidence gone/);
    expect(diffScores(v2, v1).changes.find((c) => c.itemId === 'f')?.change).toBe('removed');
  });
});
