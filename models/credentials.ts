import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Passwords: scrypt (node:crypto, no dependency) with a per-user 16-byte salt;
 * the parameters are stored with the hash so they can be raised later.
 * Session ids and API tokens are 32 random bytes: guessing one is hopeless,
 * so a fast SHA-256 is enough to keep the stored value useless to a reader
 * of the database, and lets a request be looked up by its hash in one query.
 */
const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 64 };
export const MIN_PASSWORD_LENGTH = 8;

function scryptAsync(password: string, salt: Buffer, N: number, r: number, p: number, keyLength: number) {
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, keyLength, { N, r, p, maxmem: 64 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p, keyLength } = SCRYPT;
  const key = await scryptAsync(password, salt, N, r, p, keyLength);
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  // Without a stored hash the work is still done, so timing does not tell which usernames exist.
  const [scheme, n, r, p, salt, hash] = (stored ?? DUMMY_HASH).split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64'), +n, +r, +p, expected.length);
  return stored !== null && stored !== undefined && timingSafeEqual(key, expected);
}
const DUMMY_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(64).toString('base64')}`;

/** A random secret to hand out once (API token, session id, generated password). */
export function newSecret(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

export const TOKEN_PREFIX = 'cqa_';

export function sha256(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}
