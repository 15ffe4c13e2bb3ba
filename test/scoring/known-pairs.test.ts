import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenCC from 'opencc-js';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../models/mulberry32.ts';
import { corruptText } from '../../workers/scoring/asr-error-simulator.ts';
import { compileScorecard } from '../../workers/scoring/compile-scorecard.ts';
import { readCorpus } from '../../workers/scoring/run-corpus-test.ts';
import type { CorpusDialogue } from '../../workers/scoring/dialogue-corpus.ts';
import {
  learnKnownPairs,
  loadKnownPairs,
  noiseLevel,
  storeKnownPairs,
} from '../../workers/scoring/known-pairs.ts';
import { learnedModel } from '../../workers/scoring/learned-models.ts';
import { normaliseText } from '../../workers/scoring/normalise-text.ts';
import { parseScorecard } from '../../workers/scoring/parse-scorecard.ts';
import { renderReason } from '../../workers/scoring/reason.ts';
import { scoreTranscript } from '../../workers/scoring/score-transcript.ts';
import { defaultZh, repoRoot, transcriptOf } from './helpers.ts';

const shipped = () => learnedModel('violation-ngrams@5').pairs!;

describe('the known-pairs gauge of a noisy transcript', () => {
  // What a learned rule reads: the agent's turns, normalised.
  const agentTurns = (d: CorpusDialogue, heard: (text: string) => string = (text) => text) =>
    d.turns.filter((t) => t.speaker === 'agent').map((t) => normaliseText(heard(t.text)));

  it("tells the corpus's test dialogues from the same dialogues at 20 % CER, having read neither", async () => {
    const test = (await readCorpus(join(repoRoot, 'test/scoring/corpus'))).filter((d) => d.split === 'test');
    const random = mulberry32(5);
    const clean = test.map((d) => noiseLevel(shipped(), agentTurns(d)));
    const noisy = test.map((d) =>
      noiseLevel(
        shipped(),
        agentTurns(d, (t) => corruptText(t, 0.2, random)),
      ),
    );
    // 202 of 210 read as less than half-way noisy, and 180 of their noisy copies as more.
    expect(clean.filter((level) => level < 0.5).length).toBeGreaterThanOrEqual(0.9 * test.length);
    expect(noisy.filter((level) => level >= 0.5).length).toBeGreaterThanOrEqual(0.8 * test.length);
  });

  it('reads Traditional characters as the model does, not as noise', async () => {
    const toTraditional = OpenCC.Converter({ from: 'cn', to: 'tw' });
    const test = (await readCorpus(join(repoRoot, 'test/scoring/corpus'))).filter((d) => d.split === 'test');
    const levels = test.map((d) => noiseLevel(shipped(), agentTurns(d, toTraditional)));
    expect(levels.filter((level) => level < 0.5).length).toBeGreaterThanOrEqual(0.9 * test.length);
  });

  it('calls a transcript of too few pairs clean, and keeps its levels from dialogues it never read', () => {
    expect(noiseLevel(shipped(), ['拧好', '嗯'])).toBe(0);
    const texts = [
      ['您好，请问有什么可以帮您', '我想查一下话费', '好的，请您稍等，我帮您查询一下'],
      ['您好，很高兴为您服务', '我的快递一直没到', '非常抱歉，我帮您联系一下快递员'],
      ['您好，请问您需要办理什么业务', '我想改一下套餐', '可以的，我帮您看一下有哪些套餐'],
    ];
    // Agent, customer, agent: every turn's pairs are known, the agent's are gauged.
    const dialogues = texts.map((turns) => turns.map((text, i) => ({ text, gauged: i !== 1 })));
    const known = learnKnownPairs(dialogues, ['感谢您的来电，祝您生活愉快'], {
      bits: 12,
      noiseCer: 0.2,
      seed: 1,
      folds: 3,
    });
    expect(known.noisy).toBeGreaterThan(known.clean);
    // Every pair it read is known: its own words are clean.
    expect(noiseLevel(known, [...texts.flat(), '感谢您的来电，祝您生活愉快'].map(normaliseText))).toBe(0);
    expect(learnKnownPairs(dialogues, [], { bits: 12, noiseCer: 0.2, seed: 1, folds: 3 })).toEqual(
      learnKnownPairs(dialogues, [], { bits: 12, noiseCer: 0.2, seed: 1, folds: 3 }),
    );
    const again = loadKnownPairs(JSON.parse(JSON.stringify(storeKnownPairs(known))), 't@1');
    expect(again).toEqual(known);
    expect(() => loadKnownPairs({ ...storeKnownPairs(known), bits: 13 }, 't@1')).toThrow(
      /t@1: 512 bytes of known pairs, expected 1024/,
    );
  });
});

describe('a learned rule on a noisy transcript', () => {
  // Every turn but the one judged, through the simulator at 40 % CER: the transcript reads noisy.
  const call = (agent: string, cer: number) => {
    const random = mulberry32(11);
    const heard = (text: string) => (cer === 0 ? text : corruptText(text, cer, random));
    return transcriptOf([
      ['agent', 0, 3, heard('您好，阳光宽带，工号1023为您服务，请问有什么可以帮您')],
      ['customer', 4, 9, heard('我家宽带从昨天晚上开始就一直上不了网，路由器的灯一直在闪')],
      ['agent', 10, 14, heard('好的，我先帮您查一下线路，麻烦您报一下宽带账号或者装机地址')],
      ['customer', 15, 18, heard('账号是我身份证号，地址是幸福小区三栋二单元')],
      ['agent', 19, 21, agent],
      ['customer', 22, 25, heard('那你们到底什么时候能派师傅过来修')],
      ['agent', 26, 30, heard('请问还有其他问题吗？感谢您的来电，再见')],
    ]);
  };

  it('lowers the threshold as far as the transcript reads noisy, and says so', () => {
    const card = defaultZh();
    const turn = '您说了也白说';
    const model = learnedModel('violation-ngrams@5');
    const item = (cer: number) =>
      scoreTranscript(card, call(turn, cer)).items.find((i) => i.itemId === 'forbidden-suspected')!;
    const level = (cer: number) =>
      noiseLevel(
        model.pairs!,
        call(turn, cer)
          .segments.filter((s) => s.speaker === 'agent')
          .map((s) => normaliseText(s.text)),
      );
    expect(level(0)).toBeLessThan(0.1);
    expect(level(0.4)).toBe(1);
    // 0.88: under the phone card's 0.97, over its noisy 0.8.
    expect(item(0).status).toBe('pass');
    const noisy = item(0.4);
    expect(noisy.status).toBe('review');
    expect(noisy.reason).toEqual({ code: 'suspected_violation', params: { count: 1, threshold: 0.8 } });
    expect(renderReason(noisy.reason, 'en')).toContain('noisy transcript: threshold lowered to 0.8');
    expect(renderReason(noisy.reason, 'zh-CN')).toContain('转写噪声较大，阈值降至 0.8');
    expect(renderReason(item(0).reason, 'en')).toBe('no turn reads like a violation');
    expect(noisy.evidence.map((hit) => hit.segmentIndex)).toEqual([4]);
  });

  it('refuses noisyThreshold with a model that keeps no known pairs', () => {
    const source = readFileSync(join(repoRoot, 'workers/scoring/scorecards/default-zh.yaml'), 'utf8');
    const old = source.replace('model: violation-ngrams@5', 'model: violation-ngrams@4');
    expect(() => compileScorecard(parseScorecard(old, 't.yaml'))).toThrow(
      /violation-ngrams@4 keeps no known pairs, so noisyThreshold cannot tell a noisy transcript/,
    );
    expect(() =>
      compileScorecard(parseScorecard(old.replace(/ +noisyThreshold: 0\.8\n/, ''), 't.yaml')),
    ).not.toThrow();
  });
});
