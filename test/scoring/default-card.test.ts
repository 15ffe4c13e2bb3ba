import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Speaker } from '../../models/transcript.ts';
import type { CallScore } from '../../workers/scoring/call-score.ts';
import { compileScorecard } from '../../workers/scoring/compile-scorecard.ts';
import { parseScorecard } from '../../workers/scoring/parse-scorecard.ts';
import { renderException, renderReason } from '../../workers/scoring/reason.ts';
import { scoreTranscript } from '../../workers/scoring/score-transcript.ts';
import { cardWith, defaultZh, scorecardPath, transcriptOf } from './helpers.ts';

const phone = defaultZh();
const chat = compileScorecard(
  parseScorecard(readFileSync(scorecardPath('default-zh-chat'), 'utf8'), 'default-zh-chat.yaml'),
);

/** A call from turns; times are laid out 4 s apart. */
function call(turns: Array<[Speaker, string]>) {
  return transcriptOf(turns.map(([speaker, text], i) => [speaker, i * 4, i * 4 + 3, text]));
}
const item = (score: CallScore, id: string) => {
  const found = score.items.find((i) => i.itemId === id);
  if (!found) throw new Error(`no item ${id}`);
  return found;
};
const OPEN: Array<[Speaker, string]> = [
  ['agent', '您好，阳光宽带，工号1023为您服务，请问有什么可以帮您'],
  ['customer', '我家网断了'],
];
const CLOSE: Array<[Speaker, string]> = [
  ['agent', '请问还有其他问题吗'],
  ['customer', '没有了'],
  ['agent', '感谢您的来电，再见'],
];
/** An item's status on a chat whose agent says `said` between a proper opening and closing. */
const statusMidCall = (said: string, id: string) =>
  item(scoreTranscript(chat, call([...OPEN, ['agent', said], ...CLOSE])), id).status;

describe('default-zh v2: families, exceptions, positions', () => {
  it('counts a refusal the agent speaks for, whatever the subject, and names the family', () => {
    // 每法: ASR's spelling of 没法. 做不到，您可以申诉: no polite 不知道您 hides in 不到您.
    for (const said of [
      '这个我们这边没办法',
      '小妹也帮不了您',
      '咱这办不了',
      '这边也每法',
      '这个我做不到，您可以申诉。',
    ]) {
      const score = scoreTranscript(phone, call([...OPEN, ['agent', said], ...CLOSE]));
      expect(item(score, 'forbidden-refusal').status, said).toBe('fail');
      expect(item(score, 'forbidden-refusal').reason).toMatchObject({ code: 'violation' });
    }
  });

  it.each([
    ['如果重启还是没办法上网的话，我帮您报修', 'forbidden-refusal', '没办法', 'conditional'],
    ['系统暂时没办法查询，我帮您登记', 'forbidden-refusal', '', 'third-party'],
    ['注销后就没办法恢复了', 'forbidden-refusal', '', 'rule-consequence'],
    ['您是说您不知道密码是吗', 'forbidden-ignorance', '', 'quotation'],
    ['如果您不清楚的话我给您发短信', 'forbidden-ignorance', '', 'conditional'],
  ])('does not count "%s" and names why in the evidence', (said, itemId, _word, exception) => {
    const score = scoreTranscript(phone, call([...OPEN, ['agent', said], ...CLOSE]));
    const result = item(score, itemId);
    expect(result.status).toBe('pass');
    expect(result.evidence.some((hit) => hit.excusedBy !== undefined)).toBe(true);
    expect(result.evidence[0].excusedBy).toBe(exception);
    expect(renderException(exception, 'zh-CN')).toMatch(/^不计：/);
  });

  it("names every exception the default cards define in people's words, in both languages", () => {
    for (const compiled of [phone, chat]) {
      const names = Object.keys(compiled.card.exceptions ?? {});
      expect(names).toContain('apology');
      for (const name of names) expect(renderException(name, 'zh-CN'), name).not.toMatch(/[a-z]/);
    }
  });

  it('takes 么 as a question only as a particle, never the 么 of 怎么 / 什么 / 那么', () => {
    for (const said of ['这个我不知道么', '您是不清楚了么']) {
      const result = item(
        scoreTranscript(phone, call([...OPEN, ['agent', said], ...CLOSE])),
        'forbidden-ignorance',
      );
      expect(result.status, said).toBe('pass');
      expect(result.evidence[0].excusedBy, said).toBe('question');
    }
    for (const said of ['我也不知道怎么办', '我不清楚什么原因', '我不知道那么多']) {
      const result = item(
        scoreTranscript(phone, call([...OPEN, ['agent', said], ...CLOSE])),
        'forbidden-ignorance',
      );
      expect(result.status, said).toBe('fail');
    }
  });

  it('never counts what the customer says', () => {
    const score = scoreTranscript(
      phone,
      call([...OPEN, ['customer', '不行，我不知道，你们没办法吗'], ...CLOSE]),
    );
    for (const id of ['forbidden-refusal', 'forbidden-ignorance', 'no-flat-no']) {
      expect(item(score, id).status).toBe('pass');
    }
  });

  it('hears a bare refusal through ASR homophones (布行的, 步能), only as a whole clause', () => {
    // … and a refusal of three or more characters with one stray character ASR put inside.
    for (const said of ['布行的', '步能', '卜可以。', '不性的', '不餐可以', '不法可以。']) {
      const score = scoreTranscript(phone, call([...OPEN, ['agent', said], ...CLOSE]));
      expect(item(score, 'no-flat-no').status, said).toBe('fail');
    }
    // With a topic before it, a homophone is another word: 或者步行 is walking.
    for (const said of ['您可以坐地铁，或者步行', '可以的', '不行不行，我再帮您看看', '不太好', '不用谢']) {
      const score = scoreTranscript(phone, call([...OPEN, ['agent', said], ...CLOSE]));
      expect(item(score, 'no-flat-no').status, said).toBe('pass');
    }
  });

  it('takes a greeting and a closing that ASR noise broke, and only scripted formulas', () => {
    const opened = (said: string) =>
      scoreTranscript(phone, call([['agent', said], ...OPEN.slice(1), ...CLOSE]));
    // 您 lost, or heard as 泞 (its accent group: never as 你), before the company or 工号; the 好 of
    // 你好 lost, or the 您 of 喂您好 (v7).
    for (const said of [
      '您，XX饮行在线客服，工号6610',
      '你 中国银行客服 工号六七零一',
      '喂好 顺远快递客服 工号两七',
      '好，拼好物官方售后，号7713',
      '好，我是外卖平台客服小美',
      '你吧好燃气公司',
      '好，广发信用卡，工号3346',
      '泞，95598供电服务热线，工号0921',
      '您壕 水司',
    ]) {
      expect(item(opened(said), 'greeting-hello').status, said).toBe('pass');
    }
    // Identification by 专线, and after a time-of-day greeting.
    for (const said of ['您好，蔚来服务专线', '下午好 中国银行']) {
      expect(item(opened(said), 'greeting-identify').status, said).toBe('pass');
    }
    expect(item(opened('顺丰速运，号87231，请问有什么可以帮您'), 'greeting-identify').status).toBe('pass');
    // 好的 opening a turn is no greeting.
    expect(item(opened('好的，请问您要办理什么业务'), 'greeting-hello').status).toBe('fail');
    const closed = scoreTranscript(
      phone,
      call([
        ...OPEN,
        ['agent', '好的已经处理了'],
        ['customer', '好'],
        ['agent', '不客气，您生活愉快，再呃见'],
      ]),
    );
    expect(item(closed, 'closing-goodbye').status).toBe('pass');
  });

  it('takes 喂 as rude only opening a turn with a demand, never 为 in 为您服务', () => {
    const rude = scoreTranscript(phone, call([['agent', '喂，说话呀'], ...OPEN.slice(1), ...CLOSE]));
    expect(item(rude, 'forbidden-rude-opener').status).toBe('fail');
    const fine = scoreTranscript(
      phone,
      call([['agent', '喂您好，1023号喂您服务'], ...OPEN.slice(1), ...CLOSE]),
    );
    expect(item(fine, 'forbidden-rude-opener').status).toBe('pass');
  });

  it("flags the customer's own verb refused flat (不能退 answering 能退吗), never 步行", () => {
    const asked = (question: string, answer: string) =>
      item(
        scoreTranscript(phone, call([...OPEN, ['customer', question], ['agent', answer], ...CLOSE])),
        'no-flat-no',
      ).status;
    expect(asked('这个能退吗', '不能退')).toBe('fail');
    expect(asked('可以改地址吗', '不可以改的哦')).toBe('fail');
    // Not when the customer asked about something else, nor as an A-not-A question.
    expect(asked('什么时候发货', '不能退')).toBe('pass');
    expect(asked('能退吗', '能不能退我帮您看看')).toBe('pass');
    const walk = scoreTranscript(
      chat,
      call([...OPEN, ['agent', '离酒店最近的是万达店，步行 8 分钟'], ...CLOSE]),
    );
    expect(item(walk, 'no-flat-no').status).toBe('pass');
  });

  it('counts the families as a second blind batch said them, and excuses a third party', () => {
    const said = (text: string, card = phone) =>
      scoreTranscript(card, call([...OPEN, ['agent', text], ...CLOSE]));
    expect(item(said('价格的事我们管不着'), 'forbidden-refusal').status).toBe('fail');
    expect(item(said('每个月都发了短信的，您自己没看吧'), 'forbidden-impatience').status).toBe('fail');
    expect(item(said('这可怪不了我们'), 'forbidden-impatience').status).toBe('fail');
    for (const blame of ['谁让你不早点来', '你自己填错了', '你不还钱还嫌我们打电话烦']) {
      expect(item(said(blame), 'forbidden-impatience').status, blame).toBe('fail');
    }
    // … but not the agent taking the blame, nor a conditional.
    for (const fine of ['这是我们的问题', '如果是您自己填错了的话我帮您改']) {
      expect(item(said(fine), 'forbidden-impatience').status, fine).toBe('pass');
    }
    expect(item(said('喂 有事说事', chat), 'forbidden-rude-opener').status).toBe('fail');
    const excused = item(said('配送员那边现在没法改卡片内容了', chat), 'forbidden-refusal');
    expect(excused.status).toBe('pass');
    expect(excused.evidence[0].excusedBy).toBe('third-party');
  });

  it("lets the agent's own subject take back a third-party excuse, and never excuses a threat as conditional", () => {
    const said = (text: string) => scoreTranscript(phone, call([...OPEN, ['agent', text], ...CLOSE]));
    // 酒店 is a third party, but 我们 right before the refusal makes it the agent's.
    expect(item(said('酒店这块我们办不了'), 'forbidden-refusal').status).toBe('fail');
    expect(item(said('这个减免政策我也不太清楚'), 'forbidden-ignorance').status).toBe('fail');
    // …and so does a hit that is the agent speaking: 司机 is a third party, 我哪知道 the agent's shrug.
    expect(item(said('司机在哪我哪知道'), 'forbidden-ignorance').status).toBe('fail');
    // 实际 only sounds like the third party 司机.
    expect(item(said('流量是实际产生的 退不了'), 'forbidden-refusal').status).toBe('fail');
    const system = item(said('系统暂时没办法查询，我帮您登记'), 'forbidden-refusal');
    expect(system.status).toBe('pass');
    expect(system.evidence[0].excusedBy).toBe('third-party');
    // 是在 only sounds like the conditional 实在.
    expect(item(said('我这不是在给你解释嘛，你急什么'), 'forbidden-impatience').status).toBe('fail');
    expect(item(said('您要是闹事，我们这边也可以报警的'), 'forbidden-abusive').status).toBe('fail');
    // A consequence, and checking the customer is still there, are not violations.
    expect(item(said('恢复出厂以后原来的密码就没法保留了'), 'forbidden-refusal').status).toBe('pass');
    const stillThere = scoreTranscript(phone, call([...OPEN, ['agent', '喂 您好 还在吗'], ...CLOSE]));
    expect(item(stillThere, 'forbidden-rude-opener').status).toBe('pass');
  });

  it('takes a wish for recovery as a farewell, and 亲 opening an answer as no greeting', () => {
    const closed = scoreTranscript(
      chat,
      call([...OPEN, ['agent', '好的呢，早点休息多喝水，祝您早日恢复～']]),
    );
    expect(item(closed, 'closing-goodbye').status).toBe('pass');
    // v5: see you on a day, and the offer to come back said short.
    const last = (said: string) => scoreTranscript(chat, call([...OPEN, ['agent', said]]));
    expect(item(last('应该的，周六见~'), 'closing-goodbye').status).toBe('pass');
    expect(item(last('以经给驿站备注了 有啥再找我哈'), 'closing-anything-else').status).toBe('pass');
    const opened = (said: string) =>
      scoreTranscript(chat, call([['agent', said], ...OPEN.slice(1), ...CLOSE]));
    expect(item(opened('亲 麻烦发一下订单截图'), 'greeting-hello').status).toBe('fail');
    expect(item(opened('亲亲~'), 'greeting-hello').status).toBe('pass');
    // v5: 在 as a preposition, and 请问 in an answer, are no hello; a bare 在 as the whole answer is one.
    expect(item(opened('那您在微信里搜掌上12333小程序'), 'greeting-hello').status).toBe('fail');
    expect(item(opened('亲 视频看到了，请问轨道是直轨还是弯轨呀'), 'greeting-hello').status).toBe('fail');
    expect(item(opened('亲 在'), 'greeting-hello').status).toBe('pass');
    expect(item(opened('亲～请问有什么可以帮您'), 'greeting-hello').status).toBe('pass');
    // A crowd greeted, and a shop's name before 为您服务.
    expect(item(opened('家人们好呀~老李家大米直播间客服在线'), 'greeting-hello').status).toBe('pass');
    expect(item(opened('您好，厨作良品为您服务～请问是哪个订单呢'), 'greeting-identify').status).toBe('pass');
  });

  it.each([
    ['谁拿走的我哪知道啊', 'forbidden-ignorance'],
    ['退换货的事别找我 我这是售前 找售后去', 'forbidden-shirking'],
    ['平台上买的就找平台，我们这不管', 'forbidden-shirking'],
    ['在问了 别催', 'forbidden-impatience'],
    ['有提醒的，是你自己把流量提醒关了', 'forbidden-impatience'],
    ['恶意仅退款的话我们会直接走法律程序的', 'forbidden-abusive'],
    ['拖鞋这种我们一律不给换的', 'forbidden-refusal'],
    // Batch 8 and 9 dev halves (default-zh-chat v5).
    ['送会场 这个我们做不来的', 'forbidden-refusal'],
    ['你问了我好几遍了，只能告诉你看审核', 'forbidden-impatience'],
    ['预装是预装了，激活是另一回事，都讲第三遍了', 'forbidden-impatience'],
    ['我这边马上交班了，您快点下单吧', 'forbidden-impatience'],
    ['验证码都是您亲手填的 这能怪谁', 'forbidden-impatience'],
    ['您爱去哪提去哪提，监管、法院都行', 'forbidden-shirking'],
    // Batch 10 dev half (default-zh-chat v6).
    ['运费这个我们这边免不了的', 'forbidden-refusal'],
    ['他几点送到我哪儿知道', 'forbidden-ignorance'],
    ['能不能退我也吃不准', 'forbidden-ignorance'],
    ['行了行了 我看到了', 'forbidden-impatience'],
    ['这个我刚回答过了 您往上翻翻', 'forbidden-impatience'],
    ['收货的时候都不拆开看看 现在说少了', 'forbidden-impatience'],
    ['再闹我们就按恶意投诉处理了', 'forbidden-abusive'],
    ['再这样这个会话我只能先结束了', 'forbidden-abusive'],
  ])('counts "%s" as a batch said it (%s)', (said, itemId) => {
    expect(statusMidCall(said, itemId)).toBe('fail');
  });

  it.each([
    ['您刚才电话断了，我给您回过来', 'forbidden-abusive'],
    ['每个项目都会有公告 您说一下是哪个片区', 'forbidden-abusive'],
    ['用干净的布把芯片擦一擦再插', 'forbidden-impatience'],
    ['本次会话即将结束，祝您生活愉快', 'forbidden-abusive'],
    ['如果下单时没备注的话，我这边帮您联系骑手', 'forbidden-impatience'],
    // Sound-alikes across words: 机是什么 is no 急什么, 网络所以 no 罗嗦, 孩子往 no 还指望.
    ['请问您旧机是什么型号呢，小麦帮您估个价', 'forbidden-impatience'],
    ['还用不上5G网络，所以一直显示4G', 'forbidden-impatience'],
    ['这两天别让孩子往那边凑', 'forbidden-impatience'],
    // A long conditional or rule before the refusal words (v7: within 14 and 12).
    ['不过温馨提示，如果评价被删掉了，返现就没法领了', 'forbidden-refusal'],
    ['签收后超过24小时反馈坏果 就没法走包赔了', 'forbidden-refusal'],
  ])('leaves "%s" alone (%s)', (said, itemId) => {
    expect(statusMidCall(said, itemId)).toBe('pass');
  });

  it('takes the agent sorry for the asking as no impatience (apology)', () => {
    const sorry = scoreTranscript(
      chat,
      call([...OPEN, ['agent', '真的很抱歉让您来回问了几次，这一单我来负责跟到底'], ...CLOSE]),
    );
    const impatience = item(sorry, 'forbidden-impatience');
    expect(impatience.status).toBe('pass');
    expect(impatience.evidence[0].excusedBy).toBe('apology');
    const tired = scoreTranscript(chat, call([...OPEN, ['agent', '您都问了几次了，还是那句话'], ...CLOSE]));
    expect(item(tired, 'forbidden-impatience').status).toBe('fail');
  });

  it('scores sarcasm with impatience, never as an automatic fail, and hears 不得行 as a flat no', () => {
    const score = scoreTranscript(chat, call([...OPEN, ['agent', '几个小样而已 至于这么较真吗'], ...CLOSE]));
    expect(item(score, 'forbidden-impatience').status).toBe('fail');
    expect(item(score, 'forbidden-abusive').status).toBe('pass');
    expect(score.autoFailed).toBe(false);
    expect(
      item(scoreTranscript(phone, call([...OPEN, ['agent', '不得行'], ...CLOSE])), 'no-flat-no').status,
    ).toBe('fail');
  });

  it('closes on a wish of any words, and takes no "X好" as a hello', () => {
    const closed = scoreTranscript(chat, call([...OPEN, ['agent', '应该的～祝您冬天暖暖和和的']]));
    expect(item(closed, 'closing-goodbye').status).toBe('pass');
    const opened = scoreTranscript(
      chat,
      call([['agent', '订单号发过来了是吧 我看下'], ...OPEN.slice(1), ...CLOSE]),
    );
    expect(item(opened, 'greeting-hello').status).toBe('fail');
  });

  it('flags a bare refusal with its particles, not an A-not-A question', () => {
    const flat = scoreTranscript(phone, call([...OPEN, ['agent', '不行的哦'], ...CLOSE]));
    expect(item(flat, 'no-flat-no').status).toBe('fail');
    const asks = scoreTranscript(phone, call([...OPEN, ['agent', '给您免一个月，您看行不行？'], ...CLOSE]));
    expect(item(asks, 'no-flat-no').status).toBe('pass');
  });

  it('counts a greeting said with 你 as a greeting, and the 你 as its own politeness point', () => {
    const score = scoreTranscript(
      phone,
      call([['agent', '你好，阳光宽带，请问有什么可以帮你'], ...OPEN.slice(1), ...CLOSE]),
    );
    expect(item(score, 'greeting-hello').status).toBe('pass');
    expect(item(score, 'greeting-offer').status).toBe('pass');
    expect(item(score, 'polite-address').status).toBe('fail');
  });

  it('does not count a closing the customer reopened after', () => {
    const reopened = scoreTranscript(
      phone,
      call([...OPEN, ...CLOSE, ['customer', '哎等一下，那师傅什么时候上门'], ['agent', '明天上午']]),
    );
    expect(item(reopened, 'closing-goodbye').status).toBe('fail');
    expect(item(scoreTranscript(phone, call([...OPEN, ...CLOSE])), 'closing-goodbye').status).toBe('pass');
  });

  it('scores a chat session with chat formulas: 亲 / 在的 / 祝您购物愉快, no 来电 needed', () => {
    const session = call([
      ['agent', '亲，在的，小美为您服务~'],
      ['customer', '这件有M码吗'],
      ['agent', '有的亲'],
      ['agent', '还有别的需要小美帮忙的吗'],
      ['customer', '没了'],
      ['agent', '感谢亲的支持，祝您购物愉快'],
    ]);
    const score = scoreTranscript(chat, { ...session, channel: 'chat' });
    for (const id of [
      'greeting-hello',
      'greeting-identify',
      'closing-anything-else',
      'closing-thanks',
      'closing-goodbye',
    ]) {
      expect(item(score, id).status, id).toBe('pass');
    }
    expect(score.items.some((i) => i.itemId === 'dead-air')).toBe(false);
  });

  it('stores reasons as codes and renders them in zh-CN and English', () => {
    const score = scoreTranscript(phone, call([...OPEN, ['agent', '我不知道'], ...CLOSE]));
    const reason = item(score, 'forbidden-ignorance').reason;
    expect(reason.code).toBe('violation');
    expect(renderReason(reason, 'en')).toMatch(/^violation: ignorance/);
    expect(renderReason(reason, 'zh-CN')).toBe('违规：一问三不知（不知道/不清楚）');
    expect(renderReason('stored before v2', 'zh-CN')).toBe('stored before v2');
    // Descriptors of what was looked for: intent ids and speakers become words, phrases stay.
    const missing = item(
      scoreTranscript(phone, call([['agent', '嗯'], ...CLOSE])),
      'greeting-identify',
    ).reason;
    expect(renderReason(missing, 'en')).toMatch(/^not found: intent identify \(agent\)/);
    expect(renderReason(missing, 'zh-CN')).toBe('未找到：自报单位/工号（坐席）');
    expect(
      renderReason(
        {
          code: 'not_found',
          params: { what: 'not any of [您好, 请] (agent) and intent thanks / farewell (customer)' },
        },
        'zh-CN',
      ),
    ).toBe('未找到：没有任一[您好, 请]（坐席） 且 致谢或道别/祝福（客户）');
  });
});

describe('violation rules on a card of their own', () => {
  const card = cardWith(
    '  - { id: refusal, title: r, category: forbidden, points: 10, rule: { kind: violation, intents: [refusal], unless: [redirect, conditional] } }',
    [
      'intents:',
      "  refusal: ['[没办法|办不了]']",
      'exceptions:',
      "  conditional: { before: ['[如果|要是]'], within: 8 }",
      "  redirect: { after: ['[需要|可以] …4 [到|去]'], within: 10, review: true }",
    ].join('\n'),
  );

  it('an exception marked review sends its hit to a human instead of clearing it', () => {
    const score = scoreTranscript(card, call([['agent', '电话里是办不了的，需要到营业厅办理']]));
    const result = item(score, 'refusal');
    expect(result).toMatchObject({ status: 'review', deduction: 0 });
    expect(result.evidence[0]).toMatchObject({ reviewBecause: 'redirect', uncertain: true });
    expect(score.needsReview).toBe(true);
  });

  it('an ordinary exception clears its hit and a plain hit counts', () => {
    expect(item(scoreTranscript(card, call([['agent', '要是还是办不了您再打来']])), 'refusal').status).toBe(
      'pass',
    );
    expect(item(scoreTranscript(card, call([['agent', '这个办不了']])), 'refusal')).toMatchObject({
      status: 'fail',
      deduction: 10,
    });
  });

  it('refuses a rule that names an exception or intent the card does not define', () => {
    expect(() =>
      cardWith(
        '  - { id: x, title: x, category: forbidden, points: 1, rule: { kind: violation, intents: [nope], unless: [gone] } }',
      ),
    ).toThrow(/unknown intent "nope"[\s\S]*unknown exception "gone"/);
  });
});
