import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCall, upsertCalls } from '../../models/call-repository.ts';
import {
  BUILT_IN_SCORECARDS,
  chooseScorecard,
  createScorer,
  loadScorecards,
} from '../../workers/scoring-service.ts';
import { buildCall, buildTranscript } from '../helpers/builders.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await upsertCalls(db.pool, [
    buildCall({ callId: 'good', agentId: 'A1', startedAt: new Date('2026-10-08T02:00:00Z') }),
    buildCall({ callId: 'rude', agentId: 'A1', startedAt: new Date('2026-10-09T02:00:00Z') }),
    buildCall({ callId: 'out', agentId: 'A1', direction: 'outbound' }),
  ]);
});
afterAll(() => db.drop());

const transcript = (callId: string, agentLines: string[]) =>
  buildTranscript(callId, {
    source: 'import',
    segments: [
      ...agentLines
        .slice(0, -1)
        .map((text, i) => ({ speaker: 'agent' as const, start: i * 5, end: i * 5 + 4, text })),
      { speaker: 'customer', start: 20, end: 24, text: '我想查一下我的话费' },
      { speaker: 'agent', start: 50, end: 58, text: agentLines[agentLines.length - 1] },
    ],
  });

describe('scoring service', () => {
  it('chooses the scorecard by language and direction, scores, stores the version and feeds QA outcomes', async () => {
    const cards = await loadScorecards([BUILT_IN_SCORECARDS]);
    const good = (await getCall(db.pool, 'good'))!;
    expect(chooseScorecard(cards, good, 'zh')?.compiled.card.id).toBe('default-zh');
    const version = chooseScorecard(cards, good, 'zh')!.compiled.card.version;
    expect(chooseScorecard(cards, good, 'en')?.compiled.card.id).toBe('en-example');
    const scoreCall = await createScorer({ pool: db.pool, cards, timeZone: 'Asia/Shanghai' });

    const polite = await scoreCall(
      good,
      transcript('good', [
        '您好,客服中心,1001号为您服务,请问您需要什么帮助?',
        '请问您还需要其它帮助吗?感谢您的来电,请挂机,再见!',
      ]),
    );
    const rude = await scoreCall(
      (await getCall(db.pool, 'rude'))!,
      transcript('rude', ['喂,说吧', '这事不归我管,有本事就投诉我']),
    );
    expect(polite.score).toBeGreaterThan(rude.score);
    expect(rude.autoFailed).toBe(true);
    expect(rude.passed).toBe(false);

    const { rows } = await db.pool.query(
      `select call_id, scorecard_id, scorecard_version, passed from call_scores order by call_id`,
    );
    expect(rows).toEqual([
      { call_id: 'good', scorecard_id: 'default-zh', scorecard_version: version, passed: polite.passed },
      { call_id: 'rude', scorecard_id: 'default-zh', scorecard_version: version, passed: false },
    ]);
    const outcome = await db.pool.query(`select passed, source from qa_outcomes where call_id = 'rude'`);
    expect(outcome.rows[0]).toEqual({ passed: false, source: 'automatic' });
    const month = await db.pool.query(`select score, source from agent_month_scores where agent_id = 'A1'`);
    expect(month.rows[0]).toEqual({
      score: Math.round(((polite.score + rude.score) / 2) * 100) / 100,
      source: 'computed',
    });
  });

  it('fails a call no scorecard applies to with a clear reason', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'callqa-chat-only-'));
    const chat = await readFile(join(BUILT_IN_SCORECARDS, 'default-zh-chat.yaml'), 'utf8');
    await writeFile(join(dir, 'default-zh-chat.yaml'), chat);
    const cards = await loadScorecards([dir]);
    const scoreCall = await createScorer({ pool: db.pool, cards, timeZone: 'Asia/Shanghai' });
    await expect(
      scoreCall((await getCall(db.pool, 'out'))!, transcript('out', ['您好', '再见'])),
    ).rejects.toThrow(/no scorecard applies to phone outbound calls/);
  });

  it('scores an outbound call with the phone card: greeting and identification count, the offer of help does not', async () => {
    const cards = await loadScorecards([BUILT_IN_SCORECARDS]);
    const out = (await getCall(db.pool, 'out'))!;
    expect(chooseScorecard(cards, out, 'zh', 'phone')?.compiled.card.id).toBe('default-zh');
    const scoreCall = await createScorer({ pool: db.pool, cards, timeZone: 'Asia/Shanghai' });
    const score = await scoreCall(out, transcript('out', ['喂你好', '嗯', '再见']));
    const status = (id: string) => score.items.find((i) => i.itemId === id)?.status;
    expect({
      hello: status('greeting-hello'),
      identify: status('greeting-identify'),
      offer: status('greeting-offer'),
    }).toEqual({ hello: 'pass', identify: 'fail', offer: 'na' });
  });

  it('chooses the chat profile for a chat transcript, and the phone card for a call', async () => {
    const cards = await loadScorecards([BUILT_IN_SCORECARDS]);
    const good = (await getCall(db.pool, 'good'))!;
    expect(chooseScorecard(cards, good, 'zh', 'chat')?.compiled.card.id).toBe('default-zh-chat');
    expect(chooseScorecard(cards, good, 'zh', 'phone')?.compiled.card.id).toBe('default-zh');
    // A chat session has no direction: the chat card still applies to an outbound call's chat.
    const out = (await getCall(db.pool, 'out'))!;
    expect(chooseScorecard(cards, out, 'zh', 'chat')?.compiled.card.id).toBe('default-zh-chat');
  });

  it('refuses a changed scorecard that kept its version', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'callqa-cards-'));
    const source = await readFile(join(BUILT_IN_SCORECARDS, 'default-zh.yaml'), 'utf8');
    await writeFile(join(dir, 'default-zh.yaml'), source.replace('passThreshold: 80', 'passThreshold: 85'));
    const cards = await loadScorecards([dir]);
    await expect(createScorer({ pool: db.pool, cards, timeZone: 'Asia/Shanghai' })).rejects.toThrow(
      /bump its version/,
    );
  });

  it('prefers a scorecard for the call team over one for its direction', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'callqa-team-'));
    const source = await readFile(join(BUILT_IN_SCORECARDS, 'default-zh.yaml'), 'utf8');
    await writeFile(
      join(dir, 'vip.yaml'),
      source
        .replace(/^id: default-zh$/m, 'id: vip-zh')
        .replace(/^ {2}directions: \[inbound, outbound\]$/m, '  teams: [VIP]'),
    );
    const cards = await loadScorecards([BUILT_IN_SCORECARDS, dir]);
    const good = (await getCall(db.pool, 'good'))!;
    expect(chooseScorecard(cards, { ...good, teamId: 'VIP' }, 'zh')?.compiled.card.id).toBe('vip-zh');
    expect(chooseScorecard(cards, { ...good, teamId: 'T1' }, 'zh')?.compiled.card.id).toBe('default-zh');
  });
});
