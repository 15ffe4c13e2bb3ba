import type { LabelledCall } from '../../workers/scoring/labelled-call.ts';
import { buildTranscript, toLabelled, type Turn } from './call-builder.ts';
import { forbiddenLabels, type ForbiddenLists } from './zh-call-generator.ts';

/** Seeded English calls for the en-example scorecard: greeting, forbidden phrases, closing. */

type Random = () => number;
const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)];

const GREETINGS: Record<string, { text: string; labels: [string, string, string] }> = {
  full: {
    text: 'Hello, thank you for calling customer service, this is agent 2041, how can I help you?',
    labels: ['pass', 'pass', 'pass'],
  },
  name: {
    text: 'Good morning, my name is Sarah, how may I help you today?',
    labels: ['pass', 'pass', 'pass'],
  },
  noHello: {
    text: 'Customer service, agent 2041 speaking, how can I help you?',
    labels: ['fail', 'pass', 'pass'],
  },
  noIdentify: { text: 'Hello, how can I help you?', labels: ['pass', 'fail', 'pass'] },
  noOffer: { text: 'Hello, thank you for calling customer support.', labels: ['pass', 'pass', 'fail'] },
  none: { text: 'Yeah, go on.', labels: ['fail', 'fail', 'fail'] },
};

const BODY: Array<[string, string]> = [
  ['My internet has been down since last night.', 'Let me check the line status for your address.'],
  ['The router light keeps blinking red.', 'I can see an outage in your area, engineers are working on it.'],
  ['When will it be fixed?', 'It should be restored within two hours, and we will text you.'],
];

const CLOSINGS: Record<string, { turns: Array<[Turn['speaker'], string]>; labels: [string, string] }> = {
  full: {
    turns: [
      ['agent', 'Is there anything else I can help you with?'],
      ['customer', 'No, that is all.'],
      ['agent', 'Thank you for calling, have a nice day. Goodbye.'],
    ],
    labels: ['pass', 'pass'],
  },
  noAnythingElse: { turns: [['agent', 'Thanks for calling, bye.']], labels: ['fail', 'pass'] },
  noGoodbye: {
    turns: [
      ['agent', 'Anything else I can do for you?'],
      ['customer', 'No.'],
      ['agent', 'Okay then.'],
    ],
    labels: ['pass', 'fail'],
  },
  none: { turns: [['agent', 'Okay.']], labels: ['fail', 'fail'] },
};

const FALSE_FRIENDS = [
  "If you don't know your account number, it is on the bill.",
  "You don't know the password? I can reset it.",
];
const CUSTOMER_SAYS = [
  "Honestly that's not my problem, my wife set it up.",
  "I don't know the account number.",
];

export function generateEnCall(random: Random, id: string, lists: ForbiddenLists): LabelledCall {
  const greeting = pick(random, [
    'full',
    'full',
    'name',
    'noHello',
    'noIdentify',
    'noOffer',
    'none',
  ] as const);
  const closing = pick(random, ['full', 'full', 'noAnythingElse', 'noGoodbye', 'none'] as const);
  const inject = pick(random, ['none', 'none', 'forbidden', 'abusive', 'customer', 'falseFriend'] as const);
  const turns: Turn[] = [{ speaker: 'agent', text: GREETINGS[greeting].text }];
  BODY.forEach(([customer, agent], i) => {
    turns.push({ speaker: 'customer', text: customer }, { speaker: 'agent', text: agent });
    if (i !== 1) return;
    if (inject === 'forbidden' || inject === 'abusive') {
      const list = lists[inject === 'forbidden' ? 'forbidden-phrases' : 'forbidden-abusive'];
      const entry = pick(random, list);
      turns.push({ speaker: 'agent', text: `Well, ${typeof entry === 'string' ? entry : entry.text}.` });
    } else if (inject === 'customer') {
      turns.push({ speaker: 'customer', text: pick(random, CUSTOMER_SAYS) });
    } else if (inject === 'falseFriend') {
      turns.push({ speaker: 'agent', text: pick(random, FALSE_FRIENDS) });
    }
  });
  for (const [speaker, text] of CLOSINGS[closing].turns) turns.push({ speaker, text });
  const transcript = buildTranscript(turns, { callId: id, language: 'en', random });
  const [hello, identify, offer] = GREETINGS[greeting].labels;
  const [anythingElse, goodbye] = CLOSINGS[closing].labels;
  const agentTexts = turns.filter((t) => t.speaker === 'agent').map((t) => t.text);
  return toLabelled(
    id,
    transcript,
    {
      'greeting-hello': hello as 'pass' | 'fail',
      'greeting-identify': identify as 'pass' | 'fail',
      'greeting-offer': offer as 'pass' | 'fail',
      'closing-anything-else': anythingElse as 'pass' | 'fail',
      'closing-thanks-goodbye': goodbye as 'pass' | 'fail',
      ...forbiddenLabels(agentTexts, lists),
    },
    { scorecard: 'en-example', note: `greeting:${greeting} closing:${closing} inject:${inject}` },
  );
}
