import { mulberry32 } from '../../models/mulberry32.ts';
import {
  ASR_SLIPS,
  CLARIFY,
  CLOSINGS,
  CUSTOMER_ACK,
  CUSTOMER_ANNOYED,
  CUSTOMER_HELLO,
  HOLD,
  LOOK_ALIKES,
  OPENERS,
  REOPEN,
  SHORT_CALLS,
  SLOT_VALUES,
  TABOOS,
  TOPICS,
  type ClosingKind,
  type LookAlikeKind,
  type OpenerKind,
  type TabooFamily,
  type Topic,
} from './dialogue-lines.ts';

export interface DialogueTurn {
  speaker: 'agent' | 'customer';
  /** What the speaker says (what a rendered recording speaks). */
  said: string;
  /** What the transcript shows: the same words, or an ASR slip of them. */
  heard: string;
  /** How sure the ASR was of `heard`. */
  confidence: number;
  /** The customer waited on hold before this turn. */
  afterHold?: boolean;
}

export interface DialogueFeatures {
  topic: string;
  opener: OpenerKind | 'short_call';
  closing: ClosingKind | 'short_call';
  taboo: TabooFamily | null;
  lookAlike: LookAlikeKind | null;
  hold: 'thanked' | 'plain' | null;
  reopened: boolean;
  slips: number;
}

export interface Dialogue {
  turns: DialogueTurn[];
  features: DialogueFeatures;
}

export interface DialogueRequest {
  /** Seeds the dialogue together with `seed`: the same key and seed give the same call. */
  key: string;
  seed: number;
  /** The length the call should have, in seconds (it decides how much is said). */
  targetS: number;
  agentId: string;
  agentName: string;
  direction: 'inbound' | 'outbound';
}

type Random = () => number;

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];

/** Picks a key of `weights` with probability proportional to its weight. */
function weighted<K extends string>(random: Random, weights: Record<K, number>): K {
  const entries = Object.entries(weights) as Array<[K, number]>;
  let r = random() * entries.reduce((sum, [, w]) => sum + w, 0);
  for (const [key, w] of entries) {
    r -= w;
    if (r < 0) return key;
  }
  return entries[entries.length - 1][0];
}

function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** FNV-1a of the key, mixed with the seed: one independent stream per call. */
export function dialogueSeed(key: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Roughly how long Mandarin speech of `text` lasts, at 4.5 characters a second. */
export function speakingSeconds(text: string, charsPerSecond = 4.5): number {
  const spoken = text.replace(/[\s，。？！、,.?!：:；;…“”]/g, '').length;
  return Math.max(0.6, spoken / charsPerSecond);
}

/**
 * A Mandarin service call: opener, the customer's request, the agent asking
 * for details, perhaps a hold, the solution, follow-up questions as many as
 * the call's length allows, perhaps a 服务忌语 or a harmless look-alike of
 * one, and a closing of some kind (or none; sometimes the customer reopens
 * the call). Calls under 20 s are hang-ups, wrong numbers and silent lines.
 */
export function composeDialogue(request: DialogueRequest): Dialogue {
  const random = mulberry32(dialogueSeed(request.key, request.seed));
  const fill = slotFiller(random, request);
  const turns: DialogueTurn[] = [];
  const say = (speaker: DialogueTurn['speaker'], text: string, afterHold = false) =>
    turns.push({
      speaker,
      said: fill(text),
      heard: fill(text),
      confidence: round2(0.86 + random() * 0.12),
      ...(afterHold ? { afterHold } : {}),
    });
  const topic = pick(random, TOPICS);
  const matter = Math.floor(random() * topic.requests.length);
  const features: DialogueFeatures = {
    topic: topic.name,
    opener: 'short_call',
    closing: 'short_call',
    taboo: null,
    lookAlike: null,
    hold: null,
    reopened: false,
    slips: 0,
  };

  if (request.targetS < 20) {
    for (const [speaker, text] of pick(random, SHORT_CALLS)) say(speaker, text);
    features.slips = addSlips(random, turns);
    return { turns, features };
  }

  const opener: OpenerKind =
    request.direction === 'outbound' && random() < 0.7
      ? 'outbound'
      : weighted(random, { scripted: 45, noNumber: 22, informal: 15, none: 12 });
  features.opener = opener;
  say('agent', pick(random, OPENERS[opener]));
  if (opener === 'outbound') {
    say('customer', pick(random, ['对，我是。', '是我，你说。', '嗯，哪位？']));
    say('agent', pick(random, ['您之前反映的问题，', '是这样的，']) + topic.solutions[matter]);
  } else {
    const hello = random() < 0.35 ? pick(random, CUSTOMER_HELLO) : '';
    say('customer', hello + topic.requests[matter]);
  }

  const short = request.targetS < 45;
  if (!short) {
    say('agent', pick(random, topic.asks));
    say('customer', pick(random, topic.answers));
  }
  const wantsHold = !short && (request.targetS > 240 || random() < 0.4);
  if (wantsHold) {
    say('agent', pick(random, HOLD.ask));
    const thanked = random() < 0.65;
    features.hold = thanked ? 'thanked' : 'plain';
    const back = pick(random, thanked ? HOLD.backThanks : HOLD.backPlain);
    say('agent', back + (opener === 'outbound' ? '' : topic.solutions[matter]), true);
  } else if (opener !== 'outbound') {
    say('agent', topic.solutions[matter]);
  }

  // The middle: follow-ups of this topic, clarifications, then other matters for long calls,
  // as many as fill about 85% of the call with speech and the pauses between turns.
  const spoken = (texts: string[]) => texts.reduce((sum, text) => sum + speakingSeconds(text) + 0.8, 0);
  const budget = short
    ? 0
    : request.targetS * 0.85 - spoken(turns.map((t) => t.said)) - (wantsHold ? 15 : 0) - 18;
  const middle = middleExchanges(random, topic, budget, spoken);
  const tabooAt = random() < 0.2 ? Math.floor(random() * (middle.length + 1)) : -1;
  const lookAlikeAt = random() < 0.35 ? Math.floor(random() * (middle.length + 1)) : -1;
  for (let i = 0; i <= middle.length; i++) {
    if (i === tabooAt) {
      const family = weighted(random, {
        refusal: 1,
        ignorance: 1,
        impatience: 1,
        blame: 1,
        shirking: 1,
      } as Record<TabooFamily, number>);
      features.taboo = family;
      say('customer', pick(random, [...CUSTOMER_ANNOYED, '那怎么办？', '为什么啊？']));
      say('agent', pick(random, TABOOS[family]));
      say('customer', pick(random, ['你这什么态度啊？', '……行吧。', '那我投诉你。', '算了算了。']));
    }
    if (i === lookAlikeAt) {
      const kind = weighted(random, {
        conditional: 1,
        question: 1,
        thirdParty: 1,
        quote: 1,
        rule: 1,
      } as Record<LookAlikeKind, number>);
      features.lookAlike = kind;
      say('agent', pick(random, LOOK_ALIKES[kind]));
      say('customer', pick(random, CUSTOMER_ACK));
    }
    if (i < middle.length) for (const [speaker, text] of middle[i]) say(speaker, text);
  }

  if (random() < 0.6) say('customer', pick(random, CUSTOMER_ACK));
  const closing = weighted(random, { full: 45, thanks: 15, bye: 15, abrupt: 12, none: 13 });
  features.closing = closing;
  const lines = pick(random, CLOSINGS[closing]);
  lines.forEach((line, index) => say(index % 2 === 0 ? 'agent' : 'customer', line));
  if (closing === 'full' && random() < 0.2) {
    const [question, answer] = pick(random, REOPEN);
    features.reopened = true;
    say('customer', question);
    say('agent', answer);
    if (random() < 0.5)
      say('agent', pick(random, ['好的，那先这样，再见。', '还有别的吗？没有的话就先挂了。']));
  }
  features.slips = addSlips(random, turns);
  return { turns, features };
}

type Exchange = Array<['agent' | 'customer', string]>;

function middleExchanges(
  random: Random,
  topic: Topic,
  budgetS: number,
  spoken: (texts: string[]) => number,
): Exchange[] {
  const exchanges: Exchange[] = [];
  let used = 0;
  const add = (exchange: Exchange) => {
    if (used >= budgetS || exchanges.length >= 60) return false;
    exchanges.push(exchange);
    used += spoken(exchange.map(([, text]) => text));
    return true;
  };
  const first: Exchange[] = [
    ...topic.followUps.map(([c, a]): Exchange => [
      ['customer', c],
      ['agent', a],
    ]),
    ...CLARIFY.map(([a, c]): Exchange => [
      ['agent', a],
      ['customer', c],
    ]),
  ];
  for (const exchange of shuffled(random, first)) if (!add(exchange)) break;
  // Long calls: the customer brings up other matters.
  for (const other of shuffled(
    random,
    TOPICS.filter((t) => t.name !== topic.name),
  )) {
    const matter = Math.floor(random() * other.requests.length);
    const opened = add([
      ['customer', pick(random, ['还有一个问题，', '另外，', '对了，']) + other.requests[matter]],
      ['agent', other.solutions[matter]],
    ]);
    if (!opened) break;
    for (const [c, a] of shuffled(random, other.followUps))
      if (
        !add([
          ['customer', c],
          ['agent', a],
        ])
      )
        break;
  }
  return exchanges;
}

/** In about one call in five, one to three turns come out of ASR with a slip, at low confidence. */
function addSlips(random: Random, turns: DialogueTurn[]): number {
  if (random() >= 0.22) return 0;
  let slips = 0;
  const wanted = 1 + Math.floor(random() * 3);
  for (const turn of shuffled(random, turns)) {
    if (slips >= wanted) break;
    const slip = ASR_SLIPS.find(([word]) => turn.heard.includes(word));
    if (!slip) continue;
    turn.heard = turn.heard.replace(slip[0], slip[1]);
    turn.confidence = round2(0.42 + random() * 0.3);
    slips += 1;
  }
  return slips;
}

function slotFiller(random: Random, request: DialogueRequest): (text: string) => string {
  const values: Record<string, string> = {
    id: request.agentId,
    name: '小' + (request.agentName.slice(0, 1) || '王'),
  };
  for (const [slot, options] of Object.entries(SLOT_VALUES)) values[slot] = pick(random, options);
  return (text) => text.replace(/\{(\w+)\}/g, (whole, slot: string) => values[slot] ?? whole);
}

const round2 = (n: number) => Math.round(n * 100) / 100;
