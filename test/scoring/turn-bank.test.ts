import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bankTrainingTurns, parseTurnBank, readTurnBank } from '../../workers/scoring/turn-bank.ts';
import { repoRoot } from './helpers.ts';

const line = (fields: Record<string, unknown>) =>
  JSON.stringify({
    id: 'x-1',
    channel: 'chat',
    customer: '能退吗',
    agent: '亲 这个退不了哦',
    label: 'ok',
    ...fields,
  });

describe('a turn bank', () => {
  it('teaches the model its violations, and its near misses and ordinary turns as not violations', () => {
    const turns = parseTurnBank(
      [
        line({ id: 'a', label: 'violation', class: 'refusal', span: '退不了' }),
        line({ id: 'b', agent: '如果还不行的话您再联系我们', label: 'near_miss', class: 'conditional' }),
        line({ id: 'c', agent: '好的，我帮您查一下。', label: 'ok' }),
      ].join('\n'),
      'bank.jsonl',
    );
    expect(bankTrainingTurns(turns)).toEqual([
      { text: '亲这个退不了哦', violation: true, written: '亲 这个退不了哦' },
      { text: '如果还不行的话您再联系我们', violation: false, written: '如果还不行的话您再联系我们' },
      { text: '好的我帮您查1下', violation: false, written: '好的，我帮您查一下。' },
    ]);
  });

  it('refuses bad lines, naming the file, the line and the field', () => {
    const bad = [
      line({ label: 'maybe' }),
      line({ label: 'violation', span: '不退' }),
      '{not json',
      line({ channel: 'fax' }),
    ].join('\n');
    expect(() => parseTurnBank(bad, 'bank.jsonl')).toThrow(
      /bank\.jsonl:1: label[^\n]*\n[^\n]*bank\.jsonl:2: span: span is not part of the agent turn\n[^\n]*bank\.jsonl:3: not valid JSON[^\n]*\n[^\n]*bank\.jsonl:4: channel/,
    );
  });

  it('ships banks written from the seeds: every id its own, every violation class, hard negatives beside them', async () => {
    const bank = await readTurnBank(join(repoRoot, 'test/scoring/turn-bank'));
    expect(bank.length).toBeGreaterThanOrEqual(800);
    expect(new Set(bank.map((t) => t.id)).size).toBe(bank.length);
    const classes = new Set(bank.filter((t) => t.label === 'violation').map((t) => t.class));
    for (const c of [
      'refusal',
      'ignorance',
      'shirking',
      'impatience',
      'blame',
      'flat_no',
      'threat',
      'sarcasm',
    ])
      expect(classes).toContain(c);
    expect(bank.filter((t) => t.label !== 'violation').length).toBeGreaterThan(bank.length / 2);
    // The banks kept beside it (measured, not learned) share no id with it or each other.
    const all = [
      ...bank,
      ...(await readTurnBank(join(repoRoot, 'test/scoring/turn-bank-chat'))),
      ...(await readTurnBank(join(repoRoot, 'test/scoring/turn-bank-ordinary'))),
    ];
    expect(all.length).toBeGreaterThanOrEqual(4200);
    expect(new Set(all.map((t) => t.id)).size).toBe(all.length);
  });
});
