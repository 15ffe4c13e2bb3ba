import type { LabelledCall } from '../../workers/scoring/labelled-call.ts';
import { buildTranscript, swapSpeakers, toLabelled, type Turn } from './call-builder.ts';

/**
 * Hand-written edge cases for default-zh: ASR homophones, Traditional script,
 * false friends, the customer saying the forbidden phrase, closings in the
 * wrong place, a diariser that swapped the speakers.
 */

const A = (text: string, extra: Partial<Turn> = {}): Turn => ({ speaker: 'agent', text, ...extra });
const C = (text: string, extra: Partial<Turn> = {}): Turn => ({ speaker: 'customer', text, ...extra });

const GREETING = A('您好,客服中心,1023号为您服务,请问您需要什么帮助?');
const BODY = [
  C('我想查一下我的话费'),
  A('请您提供机主的手机号码'),
  C('一三八零零一三八零零零'),
  A('您这个月的话费是八十八元'),
];
const CLOSING = [A('请问您还需要其它帮助吗?'), C('没有了'), A('感谢您的来电,再见!')];

interface Case {
  id: string;
  note: string;
  turns: Turn[];
  expected: LabelledCall['expected'];
  mono?: 'swapped';
}

const CASES: Case[] = [
  {
    id: 'tricky-homophones',
    note: 'ASR heard 您号 for 您好 and 在见 for 再见 (never 你 for 您: a politeness difference, not a homophone)',
    turns: [
      A('您号,客服中心,1023号为您服务,请问您需要什么帮助?'),
      ...BODY,
      A('请问您还需要其它帮助吗?'),
      C('没有了'),
      A('感谢您的来电,在见!'),
    ],
    expected: { 'greeting-hello': 'pass', 'closing-thanks-goodbye': 'pass', 'polite-words': 'pass' },
  },
  {
    id: 'tricky-traditional',
    note: 'Traditional characters and Chinese numerals throughout',
    turns: [
      A('您好,客服中心,一零二三號為您服務,請問您需要什麼幫助?'),
      ...BODY,
      A('請問您還需要其它幫助嗎?'),
      C('沒有了'),
      A('感謝您的來電,再見!'),
    ],
    expected: {
      'greeting-hello': 'pass',
      'greeting-identify': 'pass',
      'greeting-offer': 'pass',
      'closing-anything-else': 'pass',
      'closing-thanks-goodbye': 'pass',
    },
  },
  {
    id: 'tricky-full-width',
    note: 'full-width digits, spaces and punctuation',
    turns: [A('您 好 ,客服中心 ,１０２３号 为您服务 ! 请问 您需要 什么帮助 ?'), ...BODY, ...CLOSING],
    expected: { 'greeting-hello': 'pass', 'greeting-identify': 'pass', 'greeting-offer': 'pass' },
  },
  {
    id: 'tricky-false-friend-bu-zhidao',
    note: '不知道您是否方便 is a polite question, not 不知道',
    turns: [GREETING, ...BODY, A('师傅明天上午上门,不知道您是否方便?'), C('方便'), ...CLOSING],
    expected: { 'forbidden-phrases': 'pass' },
  },
  {
    id: 'tricky-false-friend-bu-qingchu',
    note: '如果您不清楚 is about the customer, not 我不清楚',
    turns: [GREETING, ...BODY, A('如果您不清楚账号,可以看一下账单'), C('好的'), ...CLOSING],
    expected: { 'forbidden-phrases': 'pass' },
  },
  {
    id: 'tricky-customer-abusive',
    note: 'the customer, not the agent, says 有本事就投诉我',
    turns: [
      GREETING,
      C('你们有本事就投诉我啊'),
      A('先生,请您不要着急,我会尽力帮您解决'),
      ...BODY,
      ...CLOSING,
    ],
    expected: { 'forbidden-abusive': 'pass', 'forbidden-phrases': 'pass' },
  },
  {
    id: 'tricky-agent-abusive',
    note: 'agent says 有本事就投诉我: auto-fail',
    turns: [GREETING, ...BODY, C('你们这服务太差了'), A('有本事就投诉我。'), ...CLOSING],
    expected: { 'forbidden-abusive': 'fail' },
  },
  {
    id: 'tricky-asr-forbidden',
    note: 'ASR wrote 我不知到 for 我不知道 — same syllables, still forbidden',
    turns: [GREETING, ...BODY, C('那什么时候能修好'), A('这个我不知到。'), ...CLOSING],
    expected: { 'forbidden-phrases': 'fail' },
  },
  {
    id: 'tricky-wei-opening',
    note: 'opening with 喂 before a complete greeting',
    turns: [A('喂,您好,客服中心,1023号为您服务,请问您需要什么帮助?'), ...BODY, ...CLOSING],
    expected: {
      'greeting-hello': 'pass',
      'greeting-identify': 'pass',
      'greeting-offer': 'pass',
      'forbidden-phrases': 'fail',
    },
  },
  {
    id: 'tricky-closing-mid-call',
    note: 'closing phrases said mid-call, call then goes on and ends flatly',
    turns: [
      GREETING,
      A('请问您还需要其它帮助吗?感谢您的来电,再见!'),
      ...BODY,
      C('还有一个问题'),
      A('您说'),
      C('宽带能提速吗'),
      A('可以办理提速包'),
      A('好的,就这样。'),
    ],
    expected: { 'closing-anything-else': 'fail', 'closing-thanks-goodbye': 'fail' },
  },
  {
    id: 'tricky-flat-no',
    note: 'a bare 不。 is a flat refusal; 不行的话 inside a sentence is not',
    turns: [GREETING, ...BODY, C('能免掉这个月的费用吗'), A('不。'), ...CLOSING],
    expected: { 'no-flat-no': 'fail' },
  },
  {
    id: 'tricky-not-flat-no',
    note: '不行的话 inside a sentence',
    turns: [GREETING, ...BODY, C('这个套餐不合适'), A('这个套餐不行的话,我们可以换一个方案'), ...CLOSING],
    expected: { 'no-flat-no': 'pass' },
  },
  {
    id: 'tricky-holiday',
    note: '002 (四)1 holiday greeting and closing',
    turns: [
      A('新年好!1023号为您服务,请问您需要什么帮助?'),
      ...BODY,
      A('请问您还需要其它帮助吗?'),
      C('没有了'),
      A('再次祝您节日快乐!感谢您的来电,再见!'),
    ],
    expected: {
      'greeting-hello': 'pass',
      'greeting-identify': 'pass',
      'greeting-offer': 'pass',
      'closing-anything-else': 'pass',
      'closing-thanks-goodbye': 'pass',
    },
  },
  {
    id: 'tricky-mono-swapped',
    note: 'mono call whose diariser labelled the agent as customer',
    turns: [GREETING, ...BODY, ...CLOSING],
    mono: 'swapped',
    expected: {
      'greeting-hello': 'pass',
      'greeting-identify': 'pass',
      'greeting-offer': 'pass',
      'closing-anything-else': 'pass',
      'closing-thanks-goodbye': 'pass',
      overtalk: 'na',
    },
  },
  {
    id: 'tricky-agent-number-yao',
    note: '工号幺零二三 read out digit by digit',
    turns: [A('您好,客服中心工号幺零二三为您服务,请问有什么可以帮助您?'), ...BODY, ...CLOSING],
    expected: { 'greeting-identify': 'pass', 'greeting-offer': 'pass' },
  },
  {
    id: 'tricky-customer-greets-first',
    note: "customer speaks first; the agent greeting is still the agent's first utterance",
    turns: [C('喂,你好'), GREETING, ...BODY, ...CLOSING],
    expected: {
      'greeting-hello': 'pass',
      'greeting-identify': 'pass',
      'greeting-offer': 'pass',
      'forbidden-phrases': 'pass',
    },
  },
];

export function trickyCases(): LabelledCall[] {
  return CASES.map((c) => {
    let transcript = buildTranscript(c.turns, { callId: c.id, speakerMode: c.mono ? 'mono' : 'stereo' });
    if (c.mono === 'swapped') transcript = swapSpeakers(transcript);
    return toLabelled(c.id, transcript, c.expected, { scorecard: 'default-zh', note: c.note });
  });
}
