import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTranscriptRecord } from '../../models/transcript-record.ts';
import type { Speaker, Transcript } from '../../models/transcript.ts';
import { assignRoles, needsRoles } from '../../workers/scoring/assign-roles.ts';
import { dialogueTranscript, parseCorpus } from '../../workers/scoring/dialogue-corpus.ts';
import { scoreTranscript } from '../../workers/scoring/score-transcript.ts';
import { defaultZh, repoRoot, transcriptOf } from './helpers.ts';

const zh = defaultZh();
type Turn = ['a' | 'c', string];

/** Phone dialogues written for this test: polite and curt agents, customers who open with 喂, who say 不知道. */
const DIALOGUES: Turn[][] = [
  [
    ['a', '您好，阳光宽带客服中心，工号1023为您服务，请问有什么可以帮您？'],
    ['c', '喂，你好，我家的宽带从昨天晚上开始就上不了网了'],
    ['a', '非常抱歉给您带来不便，麻烦您提供一下宽带账号或者装机电话'],
    ['c', '账号我不知道，电话是13905512874'],
    ['a', '好的，请您稍等，我这边帮您查询一下'],
    ['a', '感谢您的耐心等待，系统显示您的光猫昨晚掉线了，您先把光猫电源拔掉再插上试一下'],
    ['c', '插上了，现在好像可以了'],
    ['a', '好的，请问您还有其他需要帮助的吗？'],
    ['c', '没有了，谢谢你啊'],
    ['a', '感谢您的来电，祝您生活愉快，再见'],
  ],
  [
    ['a', '喂，你好，燃气公司'],
    ['c', '喂，我们楼道里燃气味特别大，你们能不能派人来看看'],
    ['a', '哪个小区几号楼？'],
    ['c', '翠苑一区十二幢'],
    ['a', '马上派人，你们先别开灯，开窗通风'],
    ['c', '好好好，要多久能到'],
    ['a', '半小时之内，师傅到了会给您打电话'],
    ['c', '行，那我等着'],
  ],
  [
    ['a', '您好，招商银行信用卡中心，请讲'],
    ['c', '我想问一下我的信用卡还款日是几号'],
    ['a', '请您提供一下身份证号后四位'],
    ['c', '3317'],
    ['a', '好的，张先生，您的账单日是每月5号，还款日是23号'],
    ['c', '那我这个月能不能晚几天还'],
    ['a', '建议您按时还款，您也可以在app里申请延期'],
    ['c', '好的知道了'],
    ['a', '还有其他需要帮您的吗？'],
    ['c', '没了'],
    ['a', '感谢您的来电，再见'],
  ],
  [
    ['a', '您好，顺丰速运，工号6623'],
    ['c', '你好，我的快递显示签收了，但是我根本没收到，怎么回事啊'],
    ['a', '请问您的运单号是多少？'],
    ['c', 'SF1234567890'],
    ['a', '系统显示是放在门卫签收的，您可以到门卫那边看一下'],
    ['c', '我问过了门卫说没有，你们到底管不管'],
    ['a', '非常抱歉，我这边给您登记一下，让快递员联系您'],
    ['c', '好吧，尽快'],
    ['a', '好的，感谢您的来电，再见'],
  ],
];

function unknownTranscript(turns: Turn[], overrides: Partial<Transcript> = {}): Transcript {
  return transcriptOf(
    turns.map(([, text], i): [Speaker, number, number, string] => ['unknown', i * 6, i * 6 + 5, text]),
    {
      speakerMode: 'mono',
      speakerDecision: { method: 'imported', confidence: 1 },
      source: 'import',
      ...overrides,
    },
  );
}

const truthOf = (turns: Turn[]): Speaker[] => turns.map(([who]) => (who === 'a' ? 'agent' : 'customer'));

describe('roles from text alone (imported transcripts with unknown speakers)', () => {
  it('assigns at least 90 % of the turns of the written dialogues correctly', () => {
    let right = 0;
    let total = 0;
    for (const turns of DIALOGUES) {
      const { transcript, decision } = assignRoles(zh, unknownTranscript(turns));
      expect(decision.method).toBe('text_cues');
      const truth = truthOf(turns);
      transcript.segments.forEach((s, i) => (right += s.speaker === truth[i] ? 1 : 0));
      total += turns.length;
    }
    expect(right / total).toBeGreaterThanOrEqual(0.9);
  });

  it('is confident when the cues are many and agree, and not when there are none', () => {
    const clear = assignRoles(zh, unknownTranscript(DIALOGUES[0]));
    expect(clear.decision.confidence).toBeGreaterThanOrEqual(0.6);
    const mumbles = assignRoles(
      zh,
      unknownTranscript([
        ['a', '嗯'],
        ['c', '好的'],
        ['a', '对'],
        ['c', '嗯嗯'],
      ]),
    );
    expect(mumbles.decision.confidence).toBeLessThan(0.6);
  });

  it('keeps the speakers that were given and lets them anchor the rest', () => {
    const call = unknownTranscript([
      ['a', '嗯'],
      ['c', '嗯'],
      ['a', '好'],
    ]);
    call.segments[1].speaker = 'customer';
    const { transcript } = assignRoles(zh, call);
    expect(transcript.segments.map((s) => s.speaker)).toEqual(['agent', 'customer', 'agent']);
  });

  it('leaves transcripts with known speakers alone', () => {
    const stereo = transcriptOf([['agent', 0, 2, '您好']]);
    expect(needsRoles(stereo)).toBe(false);
    expect(needsRoles(unknownTranscript(DIALOGUES[0]))).toBe(true);
  });
});

describe('roles of two voices (mono ASR)', () => {
  const voiced = (turns: Turn[], agentVoice: number, separation: number): Transcript => {
    const call = unknownTranscript(turns, {
      source: 'asr',
      speakerDecision: { method: 'default', confidence: 0, voiceSeparation: separation },
    });
    call.segments.forEach((s, i) => (s.voice = turns[i][0] === 'a' ? agentVoice : 1 - agentVoice));
    return call;
  };

  it('gives the agent role to the voice that talks like an agent, every turn of it', () => {
    for (const agentVoice of [0, 1]) {
      const { transcript, decision } = assignRoles(zh, voiced(DIALOGUES[2], agentVoice, 0.9));
      expect(decision.method).toBe('diarised');
      expect(decision.confidence).toBeGreaterThanOrEqual(0.6);
      expect(decision.voiceSeparation).toBe(0.9);
      expect(transcript.segments.map((s) => s.speaker)).toEqual(truthOf(DIALOGUES[2]));
    }
  });

  it('is less sure when the voices barely separate, and ignores voices that do not separate', () => {
    const sure = assignRoles(zh, voiced(DIALOGUES[2], 0, 0.9)).decision.confidence;
    const unsure = assignRoles(zh, voiced(DIALOGUES[2], 0, 0.4)).decision.confidence;
    expect(unsure).toBeLessThan(sure);
    const one = assignRoles(zh, voiced(DIALOGUES[2], 0, 0.1));
    expect(one.decision.method).toBe('text_cues');
    expect(one.decision.note).toMatch(/voices not told apart/);
  });

  it('reports low confidence when the text contradicts the voices', () => {
    // Voices that do not follow the speakers: each voice says agent things and customer things.
    const call = voiced(DIALOGUES[0], 0, 0.9);
    call.segments.forEach((s, i) => (s.voice = Math.floor(i / 2) % 2));
    expect(assignRoles(zh, call).decision.confidence).toBeLessThan(0.6);
  });
});

/** The lead's independent corpus, when it has landed in test/scoring/corpus/. */
const corpusDir = join(repoRoot, 'test/scoring/corpus');
const corpusFiles = existsSync(corpusDir) ? readdirSync(corpusDir).filter((f) => f.endsWith('.jsonl')) : [];

describe.skipIf(corpusFiles.length === 0)('roles on the dialogue corpus, speakers stripped', () => {
  it('assigns phone turns ≥ 93 % right (≥ 97 % on calls it is confident about), chat turns ≥ 85 %', () => {
    const tally = { phone: [0, 0, 0, 0], chat: [0, 0, 0, 0] };
    for (const file of corpusFiles) {
      for (const dialogue of parseCorpus(readFileSync(join(corpusDir, file), 'utf8'), file)) {
        const call = dialogueTranscript(dialogue);
        const stripped: Transcript = {
          ...call,
          speakerMode: 'mono',
          segments: call.segments.map((s) => ({ ...s, speaker: 'unknown' })),
        };
        const { transcript, decision } = assignRoles(zh, stripped, { direction: 'inbound' });
        const t = tally[dialogue.channel];
        dialogue.turns.forEach((turn, i) => {
          const right = transcript.segments[i].speaker === (turn.true_speaker ?? turn.speaker) ? 1 : 0;
          t[0] += right;
          t[1] += 1;
          if (decision.confidence >= 0.6) {
            t[2] += right;
            t[3] += 1;
          }
        });
      }
    }
    expect(tally.phone[0] / tally.phone[1]).toBeGreaterThanOrEqual(0.93);
    expect(tally.phone[2] / tally.phone[3]).toBeGreaterThanOrEqual(0.97);
    expect(tally.chat[0] / tally.chat[1]).toBeGreaterThanOrEqual(0.85);
  });
});

describe('scoring a call whose speakers were unknown', () => {
  const imported = (segments: Array<[string, number, number]>) => {
    const parsed = parseTranscriptRecord({
      call_id: 'm1',
      segments: segments.map(([text, start, end]) => ({ speaker: 'unknown', start, end, text })),
    });
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.transcript;
  };
  const call = imported([
    ['您好，阳光宽带客服中心，工号1023为您服务，请问有什么可以帮您？', 0.5, 6],
    ['喂？喂？有没有声音啊，说话，我家的宽带不知道怎么回事上不了网了', 6.5, 12],
    ['非常抱歉给您带来不便，麻烦您提供一下宽带账号', 12.5, 17],
    ['账号我不知道啊，你们自己查不了吗', 17.5, 21],
    ['好的，请您提供一下装机电话，我这边帮您查询', 21.5, 25],
    ['13905512874', 25.5, 28],
    ['查到了，您的线路已经恢复，您重启一下光猫就可以了。请问您还有其他需要帮助的吗？', 28.5, 36],
    ['没有了', 36.5, 37.5],
    ['感谢您的来电，再见', 38, 40],
  ]);
  const byId = (score: ReturnType<typeof scoreTranscript>) =>
    Object.fromEntries(score.items.map((i) => [i.itemId, i]));

  it("does not charge the agent for the customer's 喂 and 不知道", () => {
    const score = scoreTranscript(zh, call);
    const items = byId(score);
    expect(score.speakerDecision.method).toBe('text_cues');
    expect(score.speakerDecision.confidence).toBeGreaterThanOrEqual(0.6);
    expect(items['forbidden-ignorance'].status).toBe('pass');
    expect(items['forbidden-rude-opener'].status).toBe('pass');
    expect(items['greeting-hello'].status).toBe('pass');
    expect(score.metrics.agentTalkShare).toBeLessThan(0.8);
    // The same words said by the agent would cost points: the items above measure something.
    const asAgent = scoreTranscript(zh, {
      ...call,
      segments: call.segments.map((s) => ({ ...s, speaker: 'agent' as const })),
      speakerMode: 'stereo',
    });
    expect(byId(asAgent)['forbidden-ignorance'].status).toBe('fail');
    expect(byId(asAgent)['forbidden-rude-opener'].status).toBe('fail');
  });

  it('sends a call whose roles cannot be told apart to review instead of passing it with 100', () => {
    const mumbles = imported([
      ['嗯', 0, 1],
      ['好的', 2, 3],
      ['嗯嗯', 4, 5],
      ['对', 6, 7],
    ]);
    const score = scoreTranscript(zh, mumbles);
    expect(score.needsReview).toBe(true);
    expect(score.reviewReasons[0]).toMatchObject({ code: 'speaker_roles_uncertain' });
    // Agent items are judged, never N/A for want of an agent.
    expect(byId(score)['greeting-hello'].status).not.toBe('na');
    expect(score.score).toBeLessThan(100);
  });

  it('asks for review when role assignment is switched off and speakers stay unknown', () => {
    const score = scoreTranscript(zh, call, { detectMonoAgent: false });
    expect(score.needsReview).toBe(true);
    expect(score.reviewReasons).toContainEqual({ code: 'speaker_roles_unknown' });
  });
});
