import { describe, expect, it } from 'vitest';
import { compileScorecard } from '../../workers/scoring/compile-scorecard.ts';
import { loadScorecard } from '../../workers/scoring/load-scorecard.ts';
import { scoreTranscript } from '../../workers/scoring/score-transcript.ts';
import { defaultZh, scorecardPath, transcriptOf } from './helpers.ts';

/** The agent's greeting an export or a diariser credited to the customer (opening-slip.ts). */
describe('a greeting credited to the customer', () => {
  const imported = { speakerDecision: { method: 'imported' as const, confidence: 1 } };
  const greeting = (
    card: ReturnType<typeof defaultZh>,
    lines: Parameters<typeof transcriptOf>[0],
    over = {},
  ) => {
    const score = scoreTranscript(card, transcriptOf(lines, { ...imported, ...over }));
    const status = (id: string) => score.items.find((item) => item.itemId === id)?.status;
    return { score, hello: status('greeting-hello'), offer: status('greeting-offer') };
  };

  it("is the agent's when it offers the centre's help, and the speaker decision says so", async () => {
    const chat = compileScorecard(await loadScorecard(scorecardPath('default-zh-chat')));
    const { score, hello, offer } = greeting(
      chat,
      [
        ['customer', 0, 1, '您好，这里是清研护肤旗舰店，客服小研在线，请问有什么可以帮您～'],
        ['agent', 2, 3, '亲 积分系统这两天在升级，暂时查不了哦'],
      ],
      { channel: 'chat' },
    );
    expect([hello, offer]).toEqual(['pass', 'pass']);
    expect(score.speakerDecision.note).toMatch(/segment 0: the agent's greeting, credited to the customer/);
  });

  it("stays the customer's when it only names the company, comes after the agent's hello, or the channel says who", () => {
    const card = defaultZh();
    // A caller checking the number: 你好 + the company, no offer of help.
    expect(
      greeting(card, [
        ['agent', 0, 1, '邮政。'],
        ['customer', 1, 4, '哎，你好，是邮政客服吧？我问一下我寄的一个包裹'],
        ['agent', 4, 5, '单号。'],
      ]).hello,
    ).toBe('fail');
    // The agent greeted first.
    const after = greeting(card, [
      ['agent', 0, 1, '您好'],
      ['customer', 1, 4, '您好，请问有什么可以帮您'],
    ]);
    expect(after.offer).toBe('fail');
    expect(after.score.speakerDecision.note).toBeUndefined();
    // Stereo by channel: the customer's channel is the customer's.
    const stereo = greeting(
      card,
      [
        ['customer', 0, 2, '您好，阳光宽带，请问有什么可以帮您'],
        ['agent', 2, 3, '嗯'],
      ],
      { speakerDecision: { method: 'channel', confidence: 1 } },
    );
    expect(stereo.hello).toBe('fail');
  });
});
