import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertCalls } from '../../models/call-repository.ts';
import { sampleCompletedDays } from '../../sampling/daily-sampling.ts';
import { buildCall, buildSamplingParams } from '../helpers/builders.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

const params = buildSamplingParams();

describe('daily sampling', () => {
  it('samples up to midnight today in the configured zone, once a day', async () => {
    const yesterday = new Date(Date.now() - 86400_000);
    await upsertCalls(db.pool, [buildCall({ callId: 'y', durationS: 5, startedAt: yesterday })]);
    const run = await sampleCompletedDays(db.pool, params);
    expect(run).toBeDefined();
    const { rows } = await db.pool.query(
      `select kind, through = date_trunc('day', now() at time zone 'Asia/Shanghai') at time zone 'Asia/Shanghai' as at_midnight
       from sampling_runs`,
    );
    expect(rows).toEqual([{ kind: 'scheduled', at_midnight: true }]);
    expect(await sampleCompletedDays(db.pool, params)).toBeUndefined();
  });
});
