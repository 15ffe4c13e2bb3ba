import type { Speaker, SpeakerDecision, Transcript } from '../../models/transcript.ts';
import type { SegmentReading } from './call-view.ts';
import type { CompiledScorecard } from './compile-scorecard.ts';
import { CompiledIntent } from './intent-pattern.ts';
import { normaliseText } from './normalise-text.ts';
import type { Direction } from './scorecard-schema.ts';
import { keysIn, soundText } from './sound-text.ts';

/**
 * Who is the agent in a call whose speakers nobody labelled: a mono recording
 * (two anonymous voices from workers/asr/diarise-mono.ts) or an imported
 * transcript with `unknown` speakers. Pure.
 *
 * Each turn gets a text score: positive for what agents say (the card's
 * hello / identify / offer intents in the opening, asking for the customer's
 * details, holds, 您, 为您/帮您, closing formulas), negative for what
 * customers say (我想问, 我的…, 怎么回事, 你们, 帮我). Then:
 *
 * - with voices: the voice whose turns score higher is the agent; every turn
 *   of a voice gets its role. Confidence = strength of the margin × share of
 *   (cue weight that agrees with the assignment − weight that contradicts
 *   it) × how well the voices separated.
 * - without voices (or voices that did not separate): a two-state hidden
 *   Markov model over the turns — turns mostly alternate — with the text
 *   scores as evidence; each turn gets its more probable role. Confidence =
 *   mean posterior margin over the turns, so turns without cues lower it.
 *
 * Segments already labelled agent or customer keep their label and anchor the
 * others.
 */

interface Cue {
  intent: CompiledIntent;
  weight: number;
  /** Only in the call's opening (first turns). */
  opening?: boolean;
  /** Counted once per match, up to this many times per turn (default once per turn). */
  most?: number;
}

const cue = (name: string, weight: number, patterns: string[], extra: Partial<Cue> = {}): Cue => ({
  intent: new CompiledIntent(`roles.${name}`, patterns, []),
  weight,
  ...extra,
});

/** What agents say and customers rarely do (positive), and the reverse (negative). Weights tuned on the corpus's dev split. */
const BUILT_IN_CUES: Cue[] = [
  // Asking for the customer's details.
  cue('request-details', 2.5, [
    '[请|麻烦|请问|劳烦] …4 [提供|报一下|说一下|告诉我|核对|确认|留一下|发一下|描述]',
  ]),
  cue('ask-details', 1.5, [
    '[您|你|机主|登记的|预留的] …6 [手机号|电话|号码|身份证|订单号|订单|账号|卡号|姓名|名字|全名|地址|后四位|验证码|单号|哪个小区|几号楼]',
  ]),
  // Holding and coming back.
  cue('hold', 2.5, ['[请您稍等|请稍等|您稍等|稍等片刻|耐心等待|让您久等|久等了]']),
  // Serving the customer.
  cue('serve', 2, ['[帮您|为您|给您|替您]'], { most: 2 }),
  cue('this-side', 1.5, ['[我这边|我们这边|这边] …4 [帮|给|为|查|看|处理|登记|反馈|申请|核实|操作]']),
  cue('system', 1.5, ['[系统|后台] …4 [显示|查询|查到|看到|记录]', '[查询到|核实]']),
  cue('address', 0.8, ['[先生|女士|阿姨|叔叔|同学|宝子|小主]']),
  cue('apology', 1.5, ['[很抱歉|非常抱歉|抱歉|给您添麻烦|给您带来]']),
  cue('advise', 1.5, ['[建议您|您可以|您需要|您这边|您那边|您看一下|您先|您把|您再]']),
  cue('closing', 2.5, [
    '感谢您 …2 [来电|耐心|支持|理解|配合|咨询|等待]',
    '祝 [您|你]',
    '[不客气|不用客气|不用谢]',
  ]),
  cue('polite-you', 0.6, ['您'], { most: 3 }),
  // Telling the customer what to do (rude agents say 你 here too, so 你 alone is no cue).
  cue('instruct', 1, [
    '[你|您] [先|再|去|可以|得|要|需要|自己|就] …4 [去|找|问|看|重启|拔|插|带|提交|办|打|登录|点]',
  ]),
  cue('chat-dear', 1, ['亲'], { most: 2 }),
  // The customer's side.
  cue('want', -2, [
    '[我想|我要|我需要|我得|我打算] …2 [问|咨询|查|办|投诉|退|取消|改|开|了解|买|换|知道|反映|申请]',
  ]),
  cue('ask-for', -1.5, ['[想|就是想] [问|咨询|了解] [一下|下|个]', '[我问一下|问一下|问下]']),
  cue('mine', -1.5, [
    '[我的|我家|我们家|我买的|我刚|我昨天|我前天|我今天|我上个月|我这个|我那个|我老公|我老婆|我妈|我爸|我儿子|我女儿|我孩子]',
  ]),
  cue('complain', -1.5, ['[怎么回事|怎么搞的|咋回事|凭什么|什么意思|搞什么|到底|太慢了|太差了]']),
  cue('why', -1, ['[为什么|为啥|怎么] …6 [还|又|没|不]']),
  cue('you-plural', -2, ['你们']),
  cue('help-me', -1.5, ['[帮我|给我|替我|帮帮我]']),
  cue('chat-anyone', -2.5, ['^ [在吗|在不在|有人吗|人呢|客服]']),
  cue('thanks-you', -1, ['[谢谢你|谢谢啊|谢谢了|多谢|麻烦你了]']),
];

/** The card's intents that only an agent says, and where. */
const CARD_CUES: Array<{ name: string; opening: number; anywhere: number }> = [
  { name: 'hello', opening: 0.5, anywhere: 0 },
  { name: 'identify', opening: 2.5, anywhere: 0.5 },
  { name: 'offer', opening: 3, anywhere: 1.5 },
  { name: 'anything-else', opening: 0, anywhere: 1 },
];

/** Turns this early in the call count as its opening. */
const OPENING_TURNS = 3;
const OPENING_S = 30;
/** One turn's evidence is capped: a long monologue is not proof of anything by its length. */
const MAX_TURN_SCORE = 6;
/** Text score → log-likelihood ratio of agent vs. customer. */
const NATS_PER_POINT = 0.8;
/** Probability that the next turn is the other speaker's (phone calls alternate more than chats). */
const SWITCH: Record<'phone' | 'chat', number> = { phone: 0.85, chat: 0.7 };
/** Below this separation the two voices are one voice (or two alike): turns are assigned by text alone. */
const MIN_SEPARATION = 0.3;
const FULL_SEPARATION = 0.6;

export interface RoleOptions {
  direction?: Direction;
  companies?: string[];
}

export interface RoleAssignment {
  transcript: Transcript;
  decision: SpeakerDecision;
  /** P(agent) of each segment, in transcript order. */
  agentProbability: number[];
  /** Each segment's text as the cues read it (transcript order; none for an empty one), for the CallView to reuse. */
  readings: Array<SegmentReading | undefined>;
}

/** Whether a transcript needs roles decided: mono not yet decided, or any `unknown` speaker. */
export function needsRoles(transcript: Transcript): boolean {
  if (transcript.segments.length === 0) return false;
  if (transcript.segments.some((s) => s.speaker === 'unknown')) return true;
  return transcript.speakerMode === 'mono' && transcript.speakerDecision.method === 'default';
}

/** Text score of each segment (transcript order): > 0 sounds like the agent, < 0 like the customer. */
export function turnScores(
  compiled: CompiledScorecard | undefined,
  transcript: Transcript,
  companies: string[] = [],
  readings?: Array<SegmentReading | undefined>,
): number[] {
  const order = timeOrder(transcript);
  const origin = order.length > 0 ? transcript.segments[order[0]].start : 0;
  const scores = new Array<number>(transcript.segments.length).fill(0);
  const cardCues = CARD_CUES.flatMap((c) => {
    const intent = compiled?.intents.get(c.name);
    return intent ? [{ ...c, intent }] : [];
  });
  order.forEach((index, rank) => {
    const segment = transcript.segments[index];
    const text = normaliseText(segment.text);
    const sound = soundText(text);
    if (sound.length === 0) return;
    // The turn's sound keys let each cue skip the patterns it cannot hold (the same hits, far fewer regex runs).
    const keys = keysIn(sound);
    if (readings) readings[index] = { text, sound, keys };
    const opening = rank < OPENING_TURNS && segment.start < origin + OPENING_S;
    let score = 0;
    for (const c of cardCues) {
      const weight = opening ? Math.max(c.opening, c.anywhere) : c.anywhere;
      if (weight !== 0 && c.intent.find(sound, companies, keys)) score += weight;
    }
    for (const c of BUILT_IN_CUES) {
      if (c.opening && !opening) continue;
      const most = c.most ?? 1;
      const hits =
        most === 1 ? (c.intent.find(sound, [], keys) ? 1 : 0) : c.intent.findAll(sound, [], keys).length;
      score += c.weight * Math.min(most, hits);
    }
    scores[index] = Math.max(-MAX_TURN_SCORE, Math.min(MAX_TURN_SCORE, score));
  });
  return scores;
}

export function assignRoles(
  compiled: CompiledScorecard | undefined,
  transcript: Transcript,
  options: RoleOptions = {},
): RoleAssignment {
  const readings: Array<SegmentReading | undefined> = new Array(transcript.segments.length);
  const scores = turnScores(compiled, transcript, options.companies, readings);
  const voices = voicesOf(transcript);
  const separation = transcript.speakerDecision.voiceSeparation;
  const quality =
    separation === undefined
      ? 1
      : Math.max(0, Math.min(1, (separation - MIN_SEPARATION) / (FULL_SEPARATION - MIN_SEPARATION)));
  if (voices && quality > 0) return { ...byVoice(transcript, scores, voices, quality, options), readings };
  const why = voices
    ? `voices not told apart (separation ${separation}); turns assigned by text`
    : 'no voices; turns assigned by text';
  return { ...byTurn(transcript, scores, options, why), readings };
}

/**
 * Voices of the segments, when the transcript has two: the diariser's voice
 * numbers, or the agent/customer labels of a mono call nobody has decided
 * (an external diariser's guess, which may be the wrong way round).
 */
function voicesOf(transcript: Transcript): number[] | null {
  const segments = transcript.segments;
  if (segments.length > 0 && segments.every((s) => s.voice === 0 || s.voice === 1)) {
    return segments.map((s) => s.voice as number);
  }
  const undecided = transcript.speakerMode === 'mono' && transcript.speakerDecision.method === 'default';
  if (undecided && segments.length > 0 && segments.every((s) => s.speaker !== 'unknown')) {
    return segments.map((s) => (s.speaker === 'agent' ? 0 : 1));
  }
  return null;
}

function agentFirstPrior(transcript: Transcript, options: RoleOptions): number {
  if (transcript.channel === 'chat') return 0.5;
  // Inbound: the agent answers; outbound: the customer picks up and speaks first.
  return options.direction === 'outbound' ? 0.35 : 0.75;
}

function byVoice(
  transcript: Transcript,
  scores: number[],
  voices: number[],
  quality: number,
  options: RoleOptions,
): Omit<RoleAssignment, 'readings'> {
  const order = timeOrder(transcript);
  // Log-likelihood ratio "voice 0 is the agent" vs. "voice 1 is".
  const prior = agentFirstPrior(transcript, options);
  const firstVoice = order.length > 0 ? voices[order[0]] : 0;
  let llr = (firstVoice === 0 ? 1 : -1) * Math.log(prior / (1 - prior));
  scores.forEach((s, i) => (llr += (voices[i] === 0 ? 1 : -1) * s * NATS_PER_POINT));
  const agentVoice = llr >= 0 ? 0 : 1;
  let agreeing = 0;
  let total = 0;
  scores.forEach((s, i) => {
    total += Math.abs(s);
    if ((voices[i] === agentVoice) === s > 0) agreeing += Math.abs(s);
  });
  const agreement = total > 0 ? agreeing / total : 0;
  // A margin of ~6 nats (three clear cues) is near certainty; cues that contradict the voices lower it.
  const margin = 1 - Math.exp(-Math.abs(llr) / 3);
  // Agreement as a margin too: cue weight for the assignment minus cue weight against it.
  const confidence = round3(margin * Math.max(0, 2 * agreement - 1) * quality);
  const segments = transcript.segments.map((segment, i) => ({
    ...segment,
    speaker: (voices[i] === agentVoice ? 'agent' : 'customer') as Speaker,
  }));
  const pAgent = 1 / (1 + Math.exp(-Math.abs(llr)));
  return {
    transcript: {
      ...transcript,
      segments,
      speakerDecision: decision(transcript, 'diarised', confidence, note()),
    },
    decision: decision(transcript, 'diarised', confidence, note()),
    agentProbability: voices.map((v) => round3(v === agentVoice ? pAgent : 1 - pAgent)),
  };

  function note(): string {
    return (
      `voice ${agentVoice} is the agent: text cues ${llr >= 0 ? '+' : ''}${llr.toFixed(1)} nats for voice 0, ` +
      `${Math.round(agreement * 100)}% of cue weight agrees, voice quality ${quality.toFixed(2)}`
    );
  }
}

/** Forward–backward over two states (0 agent, 1 customer), in time order. */
function byTurn(
  transcript: Transcript,
  scores: number[],
  options: RoleOptions,
  why: string,
): Omit<RoleAssignment, 'readings'> {
  const order = timeOrder(transcript);
  const n = order.length;
  const stay = 1 - SWITCH[transcript.channel === 'chat' ? 'chat' : 'phone'];
  // Evidence as P(turn | agent) : P(turn | customer), normalised to sum 1.
  const likelihood = order.map((index) => {
    const given = transcript.segments[index].speaker;
    if (given === 'agent') return [1, 0];
    if (given === 'customer') return [0, 1];
    const p = 1 / (1 + Math.exp(-scores[index] * NATS_PER_POINT));
    return [p, 1 - p];
  });
  const forward: number[][] = [];
  const first = agentFirstPrior(transcript, options);
  let previous = [first, 1 - first];
  for (let t = 0; t < n; t++) {
    const predicted =
      t === 0
        ? previous
        : [previous[0] * stay + previous[1] * (1 - stay), previous[0] * (1 - stay) + previous[1] * stay];
    const joint = [predicted[0] * likelihood[t][0], predicted[1] * likelihood[t][1]];
    const sum = joint[0] + joint[1] || 1;
    previous = [joint[0] / sum, joint[1] / sum];
    forward.push(previous);
  }
  const posterior = new Array<number>(n);
  let backward = [1, 1];
  for (let t = n - 1; t >= 0; t--) {
    const p0 = forward[t][0] * backward[0];
    const p1 = forward[t][1] * backward[1];
    posterior[t] = p0 + p1 > 0 ? p0 / (p0 + p1) : 0.5;
    const b0 = likelihood[t][0] * backward[0];
    const b1 = likelihood[t][1] * backward[1];
    const next = [stay * b0 + (1 - stay) * b1, (1 - stay) * b0 + stay * b1];
    const sum = next[0] + next[1] || 1;
    backward = [next[0] / sum, next[1] / sum];
  }
  const agentProbability = new Array<number>(transcript.segments.length).fill(0.5);
  order.forEach((index, t) => (agentProbability[index] = round3(posterior[t])));
  let weighted = 0;
  let weights = 0;
  transcript.segments.forEach((segment, i) => {
    if (segment.speaker !== 'unknown') return;
    const weight = Math.min(40, segment.text.length) + 1;
    weighted += weight * Math.abs(2 * agentProbability[i] - 1);
    weights += weight;
  });
  const confidence = round3(weights > 0 ? weighted / weights : 0);
  const segments = transcript.segments.map((segment, i) =>
    segment.speaker === 'unknown'
      ? { ...segment, speaker: (agentProbability[i] >= 0.5 ? 'agent' : 'customer') as Speaker }
      : segment,
  );
  const agentTurns = segments.filter((s) => s.speaker === 'agent').length;
  const note = `${why}: ${agentTurns} of ${segments.length} turns to the agent, mean posterior margin ${confidence}`;
  const made = decision(transcript, 'text_cues', confidence, note);
  return { transcript: { ...transcript, segments, speakerDecision: made }, decision: made, agentProbability };
}

function decision(
  transcript: Transcript,
  method: SpeakerDecision['method'],
  confidence: number,
  note: string,
): SpeakerDecision {
  const separation = transcript.speakerDecision.voiceSeparation;
  return separation === undefined
    ? { method, confidence, note }
    : { method, confidence, note, voiceSeparation: separation };
}

/** Segment indexes in time order (start, then transcript order). */
export function timeOrder(transcript: Transcript): number[] {
  const segments = transcript.segments;
  return segments.map((_, i) => i).sort((a, b) => segments[a].start - segments[b].start || a - b);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
