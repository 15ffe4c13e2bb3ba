import type { Transcript } from '../../models/transcript.ts';
import type { LabelledCall } from '../../workers/scoring/labelled-call.ts';
import { normaliseText } from '../../workers/scoring/normalise-text.ts';
import type { ForbiddenPhrase } from '../../workers/scoring/scorecard-schema.ts';
import { buildTranscript, swapSpeakers, toLabelled, type Turn } from './call-builder.ts';

/**
 * Seeded generator of labelled Mandarin calls from the seeds' scripts
 * (002 第二篇(三)(四), 第四篇; 003; 000) and realistic variations. Each choice
 * records what a QA reviewer would mark, so labels come from construction,
 * not from the engine under test.
 */

type Random = () => number;
const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)];
const chance = (random: Random, p: number): boolean => random() < p;

const DIGITS = '零一二三四五六七八九';
function agentNumber(random: Random): string {
  const n = String(100 + Math.floor(random() * 9900));
  const form = random();
  if (form < 0.6) return `${n}号`;
  if (form < 0.8) return `${[...n].map((d) => DIGITS[Number(d)]).join('')}号`;
  return `工号${n},`;
}

const GREETINGS = {
  full: (no: string) => [`您好,客服中心,${no}为您服务,请问您需要什么帮助?`],
  full003: (no: string) => [`您好!启明公司,我是${no},请问有什么可以帮助您?`],
  holiday: (no: string, random: Random) => [
    `${pick(random, ['节日好', '周末好', '新年好'])}!${no}为您服务,请问您需要什么帮助?`,
  ],
  // An ASR homophone (号 for 好). Not 你好: 您/你 is never within similarity (hard-characters.ts).
  homophone: (no: string) => [`您号,客服中心,${no}为您服务,请问您需要什么帮助?`],
  companyOnly: () => ['您好,欢迎致电客服中心,很高兴为您服务,请问有什么可以帮助您!'],
  noHello: (no: string) => [`客服中心,${no}为您服务,请问您需要什么帮助?`],
  noIdentify: () => ['您好,请问您需要什么帮助?'],
  noOffer: (no: string) => [`您好,客服中心,${no}为您服务。`],
  none: () => ['嗯,您说。'],
} as const;
type GreetingKind = keyof typeof GREETINGS | 'late' | 'split' | 'context';

const TOPICS: Array<{ customer: string[]; agent: string[] }> = [
  {
    customer: ['我家宽带从昨天晚上开始就上不了网了', '光猫上面的灯一直在闪', '那大概什么时候能修好'],
    agent: [
      '请您提供一下宽带账号或者手机号码',
      '我帮您重复一下,您的账号是八八六七五二',
      '系统显示您所在的小区线路正在抢修',
      '维修师傅会在两个小时内和您联系',
    ],
  },
  {
    customer: ['我想查一下这个月的话费', '怎么比上个月多了三十块钱', '那我以后怎么避免这个问题'],
    agent: [
      '请您提供机主的手机号码',
      '这个月多出的费用是流量超出套餐产生的',
      '您可以办理一个流量加油包,每月十元',
      '办理后下个月一号生效',
    ],
  },
  {
    customer: ['我要改一下套餐', '现在这个套餐用不完太浪费了', '改成最便宜的那个吧'],
    agent: [
      '好的,我先帮您核实一下机主信息',
      '您现在的套餐是每月一百二十八元',
      '最低档的套餐每月三十八元,包含十个G流量',
      '变更已经提交,下个月一号开始执行',
    ],
  },
  {
    customer: ['我的账户密码忘记了', '登录的时候一直提示密码错误', '短信验证码一直收不到'],
    agent: [
      '请您提供注册时使用的手机号码',
      '我这边已经为您发送了重置链接',
      '如果没有收到短信,可以在官网上通过身份证号码找回',
      '验证码五分钟内有效',
    ],
  },
  {
    customer: ['我要投诉你们的装机师傅', '约好了上午来结果下午才到', '而且态度也不好'],
    agent: [
      '先生,我首先对此问题给您带来的不便表示歉意,请您详细讲一下您要反映的情况,我们会帮您解决的',
      '您的投诉内容我们已做好了详细记录,会很快转发到相关部门解决',
      '处理完毕后我们会将结果立即通知到您',
      '非常欢迎您监督我们的服务,我们会在以后的工作中注意改进',
    ],
  },
];

type Line = ['agent' | 'customer', string];
const CLOSINGS: Record<string, () => Line[]> = {
  full: () => [
    ['agent', '请问您还需要其它帮助吗?'],
    ['customer', '没有了'],
    ['agent', '感谢您的来电,再见!'],
  ],
  full34: () => [
    ['agent', '请问还有什么可以帮助您?'],
    ['customer', '没有了'],
    ['agent', '感谢您的来电,若有问题请再次来电,谢谢再见!'],
  ],
  full003: () => [
    ['agent', '您还需要什么进一步的帮助?'],
    ['customer', '不用了'],
    ['agent', '谢谢您给启明服务台的来电,再见!'],
  ],
  holiday: () => [
    ['agent', '请问您还需要其它帮助吗?'],
    ['customer', '没有了'],
    ['agent', '再次祝您节日快乐!感谢您的来电,再见!'],
  ],
  homophone: () => [
    ['agent', '请问您还需要其它帮助吗?'],
    ['customer', '没有了'],
    ['agent', '感谢您的来电,在见!'],
  ],
  noAnythingElse: () => [['agent', '好的,感谢您的来电,再见!']],
  noGoodbye: () => [
    ['agent', '请问您还需要其它帮助吗?'],
    ['customer', '没有了'],
    ['agent', '好的。'],
  ],
  noThanks: () => [
    ['agent', '请问您还需要其它帮助吗?'],
    ['customer', '没有了'],
    ['agent', '好的,再见。'],
  ],
  none: () => [['agent', '好的,那就这样。']],
};
type ClosingKind =
  | 'full'
  | 'full34'
  | 'full003'
  | 'holiday'
  | 'homophone'
  | 'noAnythingElse'
  | 'noGoodbye'
  | 'noThanks'
  | 'none'
  | 'early';

export interface ForbiddenLists {
  /** item id → phrases (with their exceptions) */
  [itemId: string]: ForbiddenPhrase[];
}

/** What the agent said, checked literally (after normalisation) against the forbidden lists. */
export function forbiddenLabels(
  agentTexts: string[],
  lists: ForbiddenLists,
): Record<string, 'pass' | 'fail'> {
  const texts = agentTexts.map(normaliseText);
  const out: Record<string, 'pass' | 'fail'> = {};
  for (const [itemId, phrases] of Object.entries(lists)) {
    const said = phrases.some((entry) => {
      const spec = typeof entry === 'string' ? { text: entry, except: [] as string[] } : entry;
      const phrase = normaliseText(spec.text);
      const friends = (spec.except ?? []).map(normaliseText);
      return texts.some((text) => {
        for (let at = text.indexOf(phrase); at >= 0; at = text.indexOf(phrase, at + 1)) {
          const excused = friends.some((friend) => {
            for (let f = text.indexOf(friend); f >= 0; f = text.indexOf(friend, f + 1)) {
              if (f < at + phrase.length && at < f + friend.length) return true;
            }
            return false;
          });
          if (!excused) return true;
        }
        return false;
      });
    });
    out[itemId] = said ? 'fail' : 'pass';
  }
  return out;
}

const POLITE_GROUPS = [
  ['您好', '您号', '节日好', '周末好', '新年好'],
  ['请'],
  ['谢谢', '感谢'],
  ['对不起', '很抱歉'],
  ['再见', '在见'],
];

const FALSE_FRIENDS = [
  '师傅明天上午上门,不知道您是否方便?',
  '如果您不清楚账号,可以看一下账单上的号码',
  '如果您不知道密码,可以通过短信找回',
  '不知道您现在是否方便接听电话?',
];
const CUSTOMER_FORBIDDEN = [
  '我不知道密码是多少',
  '这事不归我管吧,是我家里人办的',
  '我不清楚,我老婆办的',
  '你们有本事就投诉我啊,开玩笑的',
  '我没办法,只能找你们',
];

export interface ZhCallOptions {
  id: string;
  lists: ForbiddenLists;
  /** Extra topic rounds (the benchmark wants five-minute calls). */
  bodyRounds?: number;
}

export function generateZhCall(random: Random, options: ZhCallOptions): LabelledCall {
  const turns: Turn[] = [];
  const agent = (text: string, extra: Partial<Turn> = {}): void =>
    void turns.push({ speaker: 'agent', text, ...extra });
  const customer = (text: string, extra: Partial<Turn> = {}): void =>
    void turns.push({ speaker: 'customer', text, ...extra });
  const expected: LabelledCall['expected'] = {};
  const notes: string[] = [];
  const no = agentNumber(random);

  // Wrong-number short call (002 (四)8): its own script.
  if (chance(random, 0.05)) {
    agent('您好,这里是客服中心,请问您有什么问题需要咨询?');
    customer('不好意思,打错了');
    agent('没关系,再见!');
    const t = buildTranscript(turns, { callId: options.id, random });
    return toLabelled(
      options.id,
      t,
      {
        'greeting-hello': 'pass',
        'greeting-identify': 'pass',
        'greeting-offer': 'pass',
        'closing-anything-else': 'na',
        'closing-thanks-goodbye': 'na',
        'polite-words': 'na',
        ...forbiddenLabels(['您好,这里是客服中心,请问您有什么问题需要咨询?', '没关系,再见!'], options.lists),
        'no-flat-no': 'pass',
        'hold-etiquette': 'na',
      },
      { scorecard: 'default-zh', note: 'wrong number, customer says 打错了' },
    );
  }

  const outbound = chance(random, 0.06);
  const greeting: GreetingKind = outbound
    ? 'full'
    : pick(random, [
        'full',
        'full',
        'full',
        'full003',
        'holiday',
        'homophone',
        'companyOnly',
        'noHello',
        'noIdentify',
        'noOffer',
        'none',
        'late',
        'split',
        'context',
      ] as const);
  const context: LabelledCall['context'] = outbound ? { direction: 'outbound' } : undefined;
  let contextOut = context;
  let greetingLabels = { hello: 'pass', identify: 'pass', offer: 'pass' } as Record<
    string,
    'pass' | 'fail' | 'na'
  >;
  if (outbound) {
    agent('您好,请问您是宽带用户王先生吗?我是客服中心的客服代表,不知道您现在是否方便接听电话?');
    customer('方便,你说');
    greetingLabels = { hello: 'na', identify: 'na', offer: 'na' };
  } else if (greeting === 'late') {
    agent('嗯,您说。');
    customer('我有个问题想咨询一下');
    agent('好的,您讲。');
    customer('就是关于我的账户');
    agent(`您好,客服中心,${no}为您服务,请问您需要什么帮助?`);
    greetingLabels = { hello: 'fail', identify: 'fail', offer: 'fail' };
  } else if (greeting === 'split') {
    agent(`您好,客服中心,${no}为您服务。`);
    customer('喂,你好');
    agent('您好,请问您需要什么帮助?');
  } else if (greeting === 'context') {
    agent('您好,阳光宽带为您服务,请问您需要什么帮助?');
    contextOut = { companyNames: ['阳光宽带'] };
  } else {
    for (const line of GREETINGS[greeting](no, random)) agent(line);
    if (greeting === 'noHello') greetingLabels.hello = 'fail';
    if (greeting === 'noIdentify') greetingLabels.identify = 'fail';
    if (greeting === 'noOffer') greetingLabels.offer = 'fail';
    if (greeting === 'none') greetingLabels = { hello: 'fail', identify: 'fail', offer: 'fail' };
  }
  notes.push(`greeting:${outbound ? 'outbound' : greeting}`);

  const closing: ClosingKind = pick(random, [
    'full',
    'full',
    'full',
    'full34',
    'full003',
    'holiday',
    'homophone',
    'noAnythingElse',
    'noGoodbye',
    'noThanks',
    'none',
    'early',
  ] as const);
  if (closing === 'early') {
    customer('我先问一下');
    agent('请问您还需要其它帮助吗?感谢您的来电,再见!');
    customer('等一下,我还没说完');
  }

  // Body: the topic's lines, with injected variations.
  const topic = pick(random, TOPICS);
  const rounds = 1 + (options.bodyRounds ?? 0);
  const rate = pick(random, ['normal', 'normal', 'normal', 'normal', 'normal', 'fast', 'slow'] as const);
  const agentRate =
    rate === 'fast' ? 6.4 + random() * 0.6 : rate === 'slow' ? 1.5 + random() * 0.3 : 3.6 + random() * 0.8;
  const hold = pick(random, [
    'none',
    'none',
    'none',
    'proper',
    'proper',
    'noBefore',
    'noAfter',
    'deadAir',
    'shortPause',
  ] as const);
  const inject = pick(random, [
    'none',
    'none',
    'none',
    'none',
    'forbidden',
    'forbidden',
    'notAllowed',
    'abusive',
    'customer',
    'falseFriend',
    'falseFriend',
  ] as const);
  const flatNo = pick(random, ['none', 'none', 'none', 'none', 'flat', 'soft'] as const);
  const thanks = pick(random, ['none', 'none', 'responded', 'ignored'] as const);
  const repeat = pick(random, ['none', 'none', 'none', 'polite', 'rude'] as const);
  const overtalk = pick(random, ['none', 'none', 'none', 'light', 'heavy'] as const);
  let lowConfidence = false;
  const forbiddenSaid: string[] = [];

  for (let round = 0; round < rounds; round += 1) {
    // Later rounds (long benchmark calls) say more per turn, as real five-minute calls do.
    const more = (lines: string[], i: number): string =>
      round === 0 ? '' : `,${lines[(i + round) % lines.length]}`;
    topic.customer.forEach((line, i) => {
      customer(line, overtalk !== 'none' && i === 1 && round === 0 ? { gap: -1.2 } : {});
      agent(topic.agent[i % topic.agent.length] + more(topic.agent, i + 1), { rate: agentRate });
      if (overtalk === 'heavy' && round === 0) {
        customer('嗯嗯,对对', { gap: -1.5 });
        customer('是的是的', { gap: 0.4 });
        agent('好的,我明白了,我继续帮您看一下', { rate: agentRate });
        customer('嗯', { gap: -1.0 });
      }
    });
    if (round === 0) {
      if (repeat !== 'none') {
        customer('那个我想问的是另外一个号码的情况');
        agent(repeat === 'polite' ? '很抱歉,我没有听清您的问题,请您重复一遍好吗?' : '请您重复一遍。', {
          rate: agentRate,
        });
        customer('我说另外一个号码');
      }
      if (hold !== 'none') {
        const silence = hold === 'shortPause' ? 4 : 12 + random() * 25;
        agent(hold === 'noBefore' || hold === 'deadAir' ? '我帮您查询一下' : '请您稍等,我帮您查询', {
          rate: agentRate,
        });
        agent(
          hold === 'noAfter' || hold === 'deadAir'
            ? '查到了,您的业务已经办理成功'
            : '感谢您的耐心等待,您的业务已经办理成功',
          { gap: silence, rate: agentRate },
        );
      }
      if (flatNo !== 'none') {
        customer('那能不能把这个月的费用免掉?');
        agent(
          flatNo === 'flat'
            ? pick(random, ['不行。', '不。', '不可以。'])
            : '很抱歉,恐怕我不能帮助您,这超出了我们的服务范围',
          { rate: agentRate },
        );
      }
      if (inject === 'forbidden' || inject === 'notAllowed' || inject === 'abusive') {
        const itemId =
          inject === 'forbidden'
            ? 'forbidden-phrases'
            : inject === 'notAllowed'
              ? 'forbidden-not-allowed'
              : 'forbidden-abusive';
        const entry = pick(random, options.lists[itemId]);
        const text = typeof entry === 'string' ? entry : entry.text;
        lowConfidence = chance(random, 0.15);
        forbiddenSaid.push(text);
        agent(`${text}。`, { rate: agentRate, ...(lowConfidence ? { confidence: 0.4 } : {}) });
      } else if (inject === 'customer') {
        customer(pick(random, CUSTOMER_FORBIDDEN));
      } else if (inject === 'falseFriend') {
        agent(pick(random, FALSE_FRIENDS), { rate: agentRate });
        customer('可以的');
      }
      if (thanks !== 'none') {
        customer(pick(random, ['太好了,谢谢您', '好的,非常感谢', '行,谢谢你']));
        agent(
          thanks === 'responded'
            ? pick(random, ['不客气,这是我应该做的。', '不用客气。'])
            : '嗯,那我继续帮您看一下',
          { rate: agentRate },
        );
      }
    }
  }

  if (closing === 'early') {
    agent('好的,您的问题已经记录了', { rate: agentRate });
    customer('行');
    agent('就这样吧', { rate: agentRate });
    customer('好');
    agent('嗯。', { rate: agentRate });
  } else {
    for (const [speaker, text] of CLOSINGS[closing]())
      turns.push({ speaker, text, ...(speaker === 'agent' ? { rate: agentRate } : {}) });
  }
  notes.push(`closing:${closing}`, `inject:${inject}`, `hold:${hold}`, `rate:${rate}`);

  // Mono only for calls that open with a greeting (the way the agent is found).
  const mono = !outbound && ['full', 'holiday', 'full003'].includes(greeting) && chance(random, 0.12);
  let transcript: Transcript = buildTranscript(turns, {
    callId: options.id,
    random,
    agentRate,
    speakerMode: mono ? 'mono' : 'stereo',
  });
  if (mono && chance(random, 0.5)) transcript = swapSpeakers(transcript);

  const agentTexts = turns.filter((t) => t.speaker === 'agent').map((t) => t.text);
  const allAgent = agentTexts.join('');
  const polite = POLITE_GROUPS.filter((group) => group.some((word) => allAgent.includes(word))).length;
  const closingLabels: Record<ClosingKind, [string, string]> = {
    full: ['pass', 'pass'],
    full34: ['pass', 'pass'],
    full003: ['pass', 'pass'],
    holiday: ['pass', 'pass'],
    homophone: ['pass', 'pass'],
    noAnythingElse: ['fail', 'pass'],
    noGoodbye: ['pass', 'fail'],
    noThanks: ['pass', 'fail'],
    none: ['fail', 'fail'],
    early: ['fail', 'fail'],
  };
  const longSilence = hold !== 'none' && hold !== 'shortPause';
  Object.assign(expected, {
    'greeting-hello': greetingLabels.hello,
    'greeting-identify': greetingLabels.identify,
    'greeting-offer': greetingLabels.offer,
    'closing-anything-else': closingLabels[closing][0],
    'closing-thanks-goodbye': closingLabels[closing][1],
    ...forbiddenLabels(agentTexts, options.lists),
    'no-flat-no': flatNo === 'flat' ? 'fail' : 'pass',
    'polite-words': polite >= 4 ? 'pass' : 'fail',
    'thanks-response': thanks === 'none' ? 'na' : thanks === 'responded' ? 'pass' : 'fail',
    'repeat-request-apology': repeat === 'none' ? 'na' : repeat === 'polite' ? 'pass' : 'fail',
    'hold-etiquette': !longSilence ? 'na' : hold === 'proper' ? 'pass' : 'fail',
    'dead-air': hold === 'noBefore' || hold === 'deadAir' ? 'fail' : 'pass',
    overtalk: mono ? 'na' : overtalk === 'heavy' ? 'fail' : 'pass',
    'speech-rate': rate === 'normal' ? 'pass' : 'fail',
    'talk-ratio': 'pass',
  });
  if (forbiddenSaid.length > 0)
    notes.push(`said:${forbiddenSaid.join('|')}${lowConfidence ? ' (low confidence)' : ''}`);
  if (mono) notes.push('mono');
  return toLabelled(options.id, transcript, expected, {
    scorecard: 'default-zh',
    note: notes.join(' '),
    ...(contextOut ? { context: contextOut } : {}),
  });
}
