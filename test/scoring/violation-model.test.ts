import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../models/mulberry32.ts';
import { demoTranscript } from '../../api/demo/demo-transcript.ts';
import { learnKnownPairs } from '../../workers/scoring/known-pairs.ts';
import { learnedModel, LEARNED_MODELS_DIR } from '../../workers/scoring/learned-models.ts';
import { parseScorecard } from '../../workers/scoring/parse-scorecard.ts';
import { compileScorecard } from '../../workers/scoring/compile-scorecard.ts';
import { scoreTranscript } from '../../workers/scoring/score-transcript.ts';
import { loadCompiledScorecard } from '../../workers/scoring/load-scorecard.ts';
import { loadScorecards } from '../../workers/scoring-service.ts';
import { learnViolationModel, trainFromCorpora } from '../../workers/scoring/train-violation-model.ts';
import {
  loadStoredModel,
  storeModel,
  trainViolationModel,
  turnFeatures,
  violationProbability,
  DEFAULT_TRAINING,
  type StoredViolationModel,
} from '../../workers/scoring/violation-model.ts';
import { normaliseText } from '../../workers/scoring/normalise-text.ts';
import { corruptText } from '../../workers/scoring/asr-error-simulator.ts';
import { readTurnBank } from '../../workers/scoring/turn-bank.ts';
import { defaultZh, repoRoot, scorecardPath, transcriptOf } from './helpers.ts';

const turns = [
  { text: '这个我们没办法', violation: true },
  { text: '我也不知道', violation: true },
  { text: '您好请问有什么可以帮您', violation: false },
  { text: '好的我帮您查一下', violation: false },
];

describe('the learned violation model', () => {
  it('trains the same weights from the same turns, and stores and loads them unchanged', () => {
    const a = trainViolationModel('t@1', turns);
    const b = trainViolationModel('t@1', turns);
    expect(Buffer.from(a.weights.buffer).equals(Buffer.from(b.weights.buffer))).toBe(true);
    const stored = storeModel(a, { turns: 4, violations: 2, corpora: [], split: 'dev' }, DEFAULT_TRAINING);
    const loaded = loadStoredModel(JSON.parse(JSON.stringify(stored)) as StoredViolationModel);
    expect(loaded.bias).toBe(a.bias);
    expect(Buffer.from(loaded.weights.buffer).equals(Buffer.from(a.weights.buffer))).toBe(true);
    expect(violationProbability(a, '我们没办法')).toBeGreaterThan(violationProbability(a, '我帮您查一下'));
  });

  it('learns from noisy copies of the turns as written, drawn from a seed, only when asked', () => {
    const written = turns.map((t) => ({ ...t, written: t.text }));
    const plain = { ...DEFAULT_TRAINING, noisyCopies: 0 };
    expect(learnViolationModel('t@1', written, plain).weights).toEqual(
      trainViolationModel('t@1', written, plain).weights,
    );
    const noisy = { ...DEFAULT_TRAINING, noisyCopies: 2, noiseCer: 0.3 };
    const a = learnViolationModel('t@1', written, noisy);
    expect(learnViolationModel('t@1', written, noisy).weights).toEqual(a.weights);
    expect(a.weights).not.toEqual(learnViolationModel('t@1', written, plain).weights);
    // A turn with nothing as written has no copies to make.
    expect(learnViolationModel('t@1', turns, noisy).weights).toEqual(
      trainViolationModel('t@1', turns, noisy).weights,
    );
  });

  it('can spell its grams by syllable, so that a homophone ASR wrote reads the same, and keeps that when stored', () => {
    const bySound = { ...DEFAULT_TRAINING, units: 'syllables' as const };
    const model = trainViolationModel('t@1', turns, bySound);
    // 再/在, 帮/邦: one syllable each.
    expect(turnFeatures('我在帮您查', 16, 'syllables')).toEqual(turnFeatures('我再邦您查', 16, 'syllables'));
    expect(turnFeatures('我在帮您查', 16, 'characters')).not.toEqual(
      turnFeatures('我再邦您查', 16, 'characters'),
    );
    expect(violationProbability(model, '这个我们没版法')).toBe(violationProbability(model, '这个我们没办法'));
    // 您 (nin) and 你 (ni) stay apart.
    expect(turnFeatures('您说', 16, 'syllables')).not.toEqual(turnFeatures('你说', 16, 'syllables'));
    const stored = storeModel(model, { turns: 4, violations: 2, corpora: [], split: 'dev' }, bySound);
    const loaded = loadStoredModel(JSON.parse(JSON.stringify(stored)) as StoredViolationModel);
    expect(violationProbability(loaded, '这个我们没版法')).toBe(
      violationProbability(model, '这个我们没办法'),
    );
    // Both: the character grams and the syllable grams, in buckets of their own.
    const both = turnFeatures('我在帮您查', 16, 'both');
    expect(new Set(both)).toEqual(
      new Set([
        ...turnFeatures('我在帮您查', 16, 'characters'),
        ...turnFeatures('我在帮您查', 16, 'syllables'),
      ]),
    );
  });

  it('sums, on its fast path, exactly the buckets its features name', () => {
    const model = learnedModel('violation-ngrams@1');
    const random = mulberry32(3);
    const alphabet = '不没你您好的了吗我们这边办法知道清楚请问帮查一下，a1';
    for (let n = 0; n < 300; n += 1) {
      const text = Array.from({ length: Math.floor(random() * 40) }, () =>
        alphabet.charAt(Math.floor(random() * alphabet.length)),
      ).join('');
      let z = model.bias;
      for (const bucket of turnFeatures(text, model.bits)) z += model.weights[bucket];
      expect(violationProbability(model, text)).toBeCloseTo(1 / (1 + Math.exp(-z)), 9);
    }
  });

  it('ships every model as `callqa scorecard train` makes it from what it says it learned, never a test half', async () => {
    const files = readdirSync(LEARNED_MODELS_DIR).filter((f) => f.endsWith('.json'));
    expect(files).toContain('violation-ngrams@2.json');
    for (const file of files) {
      const shipped = JSON.parse(
        readFileSync(join(LEARNED_MODELS_DIR, file), 'utf8'),
      ) as StoredViolationModel;
      expect(shipped.trainedOn.split, file).toBe('dev');
      // Each with the options it stores: @1 was trained before turn banks and noisy copies.
      const again = await trainFromCorpora(
        shipped.id,
        shipped.trainedOn.corpora.map((c) => join(repoRoot, c)),
        'dev',
        (shipped.trainedOn.banks ?? []).map((b) => join(repoRoot, b)),
        shipped.options,
      );
      expect(again.trainedOn, file).toEqual(shipped.trainedOn);
      expect(shipped.weights, file).toBe(again.weights);
      expect(shipped.bias, file).toBe(again.bias);
      // @5 onwards keep the character pairs of their training text, the gauge of a noisy transcript.
      expect(shipped.pairs, file).toEqual(again.pairs);
    }
  }, 60_000);
});

describe('a learned rule', () => {
  const card = defaultZh();
  const call = (agent: string) =>
    transcriptOf([
      ['agent', 0, 3, '您好，阳光宽带，工号1023为您服务，请问有什么可以帮您'],
      ['customer', 4, 6, '我要退款'],
      ['agent', 7, 9, agent],
      ['customer', 10, 12, agent],
      ['agent', 13, 15, '请问还有其他问题吗？感谢您的来电，再见'],
    ]);
  const suspected = (agent: string) => {
    const score = scoreTranscript(card, call(agent));
    return { score, item: score.items.find((i) => i.itemId === 'forbidden-suspected')! };
  };

  it('sends a turn that reads like a violation the rules did not name to a human, costing nothing', () => {
    // Sarcasm no family names (a dev-half line the model learned from).
    const { score, item } = suspected('您这么懂，要不您来我们这上班吧');
    expect(item.status).toBe('review');
    expect(item.deduction).toBe(0);
    expect(item.reason).toMatchObject({ code: 'suspected_violation', params: { count: 1 } });
    expect(item.evidence[0]).toMatchObject({
      segmentIndex: 2,
      method: 'model',
      phrase: 'violation-ngrams@5',
    });
    expect(score.needsReview).toBe(true);
    // The customer's identical words are never looked at.
    expect(item.evidence.map((hit) => hit.segmentIndex)).not.toContain(3);
  });

  it('leaves out a turn a rule already counted or an exception cleared, and passes a polite one', () => {
    const counted = suspected('这个我们没办法');
    expect(counted.score.items.find((i) => i.itemId === 'forbidden-refusal')?.status).toBe('fail');
    expect(counted.item.status).toBe('pass');
    expect(suspected('好的，我帮您登记一下，稍后给您回电').item.status).toBe('pass');
    // A bare refusal the flat-no item failed is named already.
    const flat = suspected('不行，这个不能给你退');
    expect(flat.score.items.find((i) => i.itemId === 'no-flat-no')?.status).toBe('fail');
    expect(flat.item.status).toBe('pass');
    // Words a family found and an exception cleared are judged too: a courier's refusal reported.
    const reported = suspected('快递员说他也没办法');
    expect(violationProbability(learnedModel('violation-ngrams@5'), '快递员说他也没办法')).toBeGreaterThan(
      0.97,
    );
    const refusal = reported.score.items.find((i) => i.itemId === 'forbidden-refusal');
    expect(refusal?.evidence[0].excusedBy).toBe('third-party');
    expect(reported.item.status).toBe('pass');
  });

  it("sends few of the demo's calls to a human: no common polite line reads as a violation", () => {
    // A model that learned one polite question (您之前有没有打过我们电话反映过这个问题？) as a violation
    // sent 9 calls in 10 to review; a line agents say in every call must never read like one.
    let flagged = 0;
    for (let i = 0; i < 200; i += 1) {
      const { record } = demoTranscript(
        {
          callId: `C${i}`,
          agentId: '1001',
          agentName: '王霞',
          durationS: 60 + ((i * 37) % 400),
          direction: 'inbound',
          agentChannel: 'left',
        },
        1,
      );
      const lines = record.segments.map((seg) => [seg.speaker, seg.start, seg.end, seg.text] as const);
      const score = scoreTranscript(card, transcriptOf(lines.map((line) => [...line])));
      if (score.items.find((item) => item.itemId === 'forbidden-suspected')?.status === 'review')
        flagged += 1;
    }
    expect(flagged).toBeLessThanOrEqual(20);
  });

  it.each(['default-zh', 'default-zh-chat'])(
    'reads hardly any ordinary agent turn, written apart from the cards, as a violation (%s at its threshold)',
    async (name) => {
      // turn-bank-ordinary: 1,000 everyday agent turns full of 没 / 这 / 我们 (and a few violations),
      // which the model never learned from; each card's own model and threshold judge them.
      const compiled = compileScorecard(parseScorecard(readFileSync(scorecardPath(name), 'utf8'), name));
      const rule = compiled.items.find((item) => item.item.id === 'forbidden-suspected')!.rule;
      if (rule.kind !== 'learned') throw new Error('forbidden-suspected is no learned rule');
      const bank = await readTurnBank(join(repoRoot, 'test/scoring/turn-bank-ordinary'));
      const flagged = (label: string, heard = (text: string) => text, threshold = rule.threshold) => {
        const turns = bank.filter((t) => t.label === label);
        const hits = turns.filter(
          (t) => violationProbability(rule.model, normaliseText(heard(t.agent))) >= threshold,
        );
        return hits.length / turns.length;
      };
      expect(bank.filter((t) => t.label === 'ok').length).toBeGreaterThanOrEqual(800);
      expect(flagged('ok')).toBeLessThanOrEqual(0.01);
      expect(flagged('near_miss')).toBeLessThanOrEqual(0.05);
      // …while it still reads most of the bank's violations as such.
      expect(flagged('violation')).toBeGreaterThanOrEqual(0.7);
      // The same turns heard at 20 % CER, at the card's noisy threshold: a noisy call's ordinary
      // turns do not flood review (3 of 4,250 noisy copies reach 0.6).
      const random = mulberry32(3);
      const noisy = (text: string) => corruptText(text, 0.2, random);
      expect(rule.noisyThreshold).toBeDefined();
      expect(flagged('ok', noisy, rule.noisyThreshold)).toBeLessThanOrEqual(0.01);
      expect(flagged('near_miss', noisy, rule.noisyThreshold)).toBeLessThanOrEqual(0.05);
      expect(flagged('violation', noisy, rule.noisyThreshold)).toBeGreaterThanOrEqual(0.7);
    },
  );

  it("reads a centre's own model from beside its card before the built-in ones", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'callqa-own-model-'));
    const builtIn = readFileSync(join(repoRoot, 'workers/scoring/scorecards/default-zh.yaml'), 'utf8');
    await writeFile(
      join(dir, 'acme.yaml'),
      builtIn
        .replace('id: default-zh', 'id: acme')
        .replace('model: violation-ngrams@5', 'model: acme-violations@1'),
    );
    // Not there yet: the error says where it looked.
    await expect(loadCompiledScorecard(join(dir, 'acme.yaml'))).rejects.toThrow(
      /no learned model "acme-violations@1" in .*callqa-own-model-.*learned or /,
    );
    // With the character pairs of its text: the card reads it at a noisy transcript's threshold too.
    const own = {
      ...trainViolationModel('acme-violations@1', turns),
      pairs: learnKnownPairs([turns.map((t) => ({ text: t.text, gauged: true }))], [], {
        bits: 12,
        noiseCer: 0.2,
        seed: 1,
      }),
    };
    await mkdir(join(dir, 'learned'));
    await writeFile(
      join(dir, 'learned', 'acme-violations@1.json'),
      JSON.stringify(
        storeModel(own, { turns: 4, violations: 2, corpora: [], split: 'dev' }, DEFAULT_TRAINING),
      ),
    );
    for (const compiled of [
      await loadCompiledScorecard(join(dir, 'acme.yaml')),
      (await loadScorecards([dir]))[0].compiled,
    ]) {
      const rule = compiled.items.find((item) => item.item.id === 'forbidden-suspected')!.rule;
      expect(rule.kind === 'learned' && [...rule.model.weights]).toEqual([...own.weights]);
      expect(rule.kind === 'learned' && rule.model.pairs).toEqual(own.pairs);
    }
  });

  it('refuses a card that names a model that is not there, or a threshold outside 0..1', () => {
    const builtIn = readFileSync(join(repoRoot, 'workers/scoring/scorecards/default-zh.yaml'), 'utf8');
    const source = (model: string, threshold: number) =>
      builtIn
        .replace('model: violation-ngrams@5', `model: ${model}`)
        .replace(/threshold: 0\.\d+/, `threshold: ${threshold}`);
    expect(() => compileScorecard(parseScorecard(source('nothing-here@1', 0.9), 't.yaml'))).toThrow(
      /no learned model "nothing-here@1"/,
    );
    expect(() => parseScorecard(source('violation-ngrams@1', 1.5), 't.yaml')).toThrow();
    expect(() => parseScorecard(source('violation-ngrams', 0.9), 't.yaml')).toThrow(/built-in model id/);
  });
});
