import type pg from 'pg';

/** A row PostgreSQL refused, by its index in the batch, with the SQLSTATE that says why. */
export interface RefusedRow {
  index: number;
  sqlstate: string;
}

/**
 * SQLSTATE classes that blame the data of a row, not the connection or the
 * code: 22 data exception (a NUL byte, a value out of range), 23 integrity
 * (a foreign or unique key), 54 program limit (an index row over the btree
 * limit). Anything else is the system's fault and is thrown.
 */
export function isRowError(error: unknown): error is { code: string } {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23|54)[0-9A-Z]{3}$/.test(code);
}

/**
 * Writes a batch in one transaction; when PostgreSQL refuses it because of a
 * row, the batch is split in halves under savepoints until the refused rows
 * stand alone, so they are reported and every other row lands. Each write must
 * do all of a row's statements (its agent, its team, the call) so that a
 * refused row leaves nothing of itself behind. One bad row in 2,000 costs
 * about 22 extra statements, not 2,000.
 */
export async function writeBatch<T, R>(
  pool: pg.Pool,
  items: readonly T[],
  write: (tx: pg.PoolClient, items: readonly T[]) => Promise<R>,
  merge: (results: R[]) => R,
): Promise<{ result: R; refused: RefusedRow[] }> {
  const client = await pool.connect();
  const results: R[] = [];
  const refused: RefusedRow[] = [];
  let savepoints = 0;
  const attempt = async (from: number, to: number): Promise<void> => {
    const name = `part_${(savepoints += 1)}`;
    await client.query(`savepoint ${name}`);
    try {
      results.push(await write(client, items.slice(from, to)));
      await client.query(`release savepoint ${name}`);
    } catch (error) {
      await client.query(`rollback to savepoint ${name}`);
      await client.query(`release savepoint ${name}`);
      if (!isRowError(error)) throw error;
      if (to - from === 1) refused.push({ index: from, sqlstate: error.code });
      else {
        const middle = from + Math.ceil((to - from) / 2);
        await attempt(from, middle);
        await attempt(middle, to);
      }
    }
  };
  try {
    await client.query('begin');
    await attempt(0, items.length);
    await client.query('commit');
    return { result: merge(results), refused };
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
