import { createHash } from 'node:crypto';

/** The default seed of a month: every run of that month draws from the same random order. */
export function defaultSeed(month: string): string {
  return `callqa:${month}`;
}

/** A seed string as the signed 64-bit integer PostgreSQL's hashtextextended() takes. */
export function seedToBigint(seed: string): string {
  return createHash('sha256').update(seed).digest().readBigInt64BE(0).toString();
}
