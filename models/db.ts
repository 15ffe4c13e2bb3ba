import pg from 'pg';

/** What a repository needs: a pool, a client or a transaction all fit. */
export type Queryable = Pick<pg.Pool, 'query'>;

// numeric and bigint arrive as strings by default; counts and durations here fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
// `date` columns are calendar days in the configured zone: keep them as 'YYYY-MM-DD'.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export function createPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return pool;
}

export async function withTransaction<T>(pool: pg.Pool, work: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * A row limit written into a statement's text rather than passed as a
 * parameter, for statements prepared under a name: a generic plan with
 * `limit $n` is costed for an unknown (large) limit. Only a positive safe
 * integer passes, so nothing but digits can reach the SQL.
 */
export function sqlLimit(limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`not a row limit: ${limit}`);
  return String(limit);
}
