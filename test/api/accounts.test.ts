import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { ACTOR_CACHE_MS, ActorCache } from '../../api/auth/actor-cache.ts';
import { LOGIN_POLICY } from '../../api/services/account-service.ts';
import { createUserToken } from '../helpers/auth.ts';
import { testConfig } from '../helpers/config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

let db: TestDatabase;
let app: FastifyInstance;
// The API trusts a resolved credential for ACTOR_CACHE_MS (api/auth/actor-cache.ts); its clock is this
// counter, so a test moves past the bound instead of waiting for it.
let clock = 0;
const actorCache = new ActorCache(ACTOR_CACHE_MS, () => clock);
const passCacheBound = () => (clock += ACTOR_CACHE_MS + 1);
let admin: string;
const PASSWORD = 'correct horse battery';
const xhr = { 'x-requested-with': 'callqa' };

beforeAll(async () => {
  db = await createTestDatabase();
  app = await buildApp({
    pool: db.pool,
    config: testConfig(db.url, await mkdtemp(join(tmpdir(), 'callqa-acc-'))),
    actorCache,
  });
  admin = (await createUserToken(db.pool, 'admin')).token;
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

async function login(username: string, password: string, remoteAddress = '10.0.0.1') {
  return app.inject({
    method: 'POST',
    url: '/auth/login',
    headers: xhr,
    remoteAddress,
    payload: { username, password },
  });
}
const cookieOf = (response: Awaited<ReturnType<typeof login>>) =>
  String(response.headers['set-cookie']).split(';')[0];

describe('browser sessions', () => {
  it('login sets an httpOnly SameSite=Strict cookie that signs requests in; logout ends it', async () => {
    await createUserToken(db.pool, 'qa', { username: 'qa-web', password: PASSWORD });
    const response = await login('qa-web', PASSWORD);
    expect(response.statusCode).toBe(200);
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toMatch(
      /^callqa_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/,
    );
    const cookie = cookieOf(response);
    const me = await app.inject({ method: 'GET', url: '/auth/me', headers: { cookie } });
    expect(me.json()).toMatchObject({ username: 'qa-web', role: 'qa' });
    // The database holds the session id's SHA-256 only.
    const { rows } = await db.pool.query(`select encode(session_hash, 'hex') as h from sessions`);
    expect(rows.map((r) => r.h).join()).not.toContain(cookie.split('=')[1]);

    const out = await app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie, ...xhr } });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/Max-Age=0/);
    // At once, not within the cache's bound: the cache's clock has not moved since the session was used.
    expect((await app.inject({ method: 'GET', url: '/auth/me', headers: { cookie } })).statusCode).toBe(401);
  });

  it('an expired session is refused', async () => {
    const cookie = cookieOf(await login('qa-web', PASSWORD));
    expect((await app.inject({ method: 'GET', url: '/pipeline', headers: { cookie } })).statusCode).toBe(200);
    await db.pool.query(`update sessions set expires_at = now() - interval '1 second'`);
    passCacheBound();
    const expired = await app.inject({ method: 'GET', url: '/pipeline', headers: { cookie } });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().code).toBe('unauthenticated');
  });

  it('CSRF: a cookie request that changes something needs X-Requested-With; a bearer token does not', async () => {
    const cookie = cookieOf(await login('qa-web', PASSWORD));
    const body = [{ callId: 'none', score: 1, passed: true }];
    const refused = await app.inject({
      method: 'POST',
      url: '/qa-outcomes',
      headers: { cookie },
      payload: body,
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('csrf_header_missing');
    const withHeader = await app.inject({
      method: 'POST',
      url: '/qa-outcomes',
      headers: { cookie, ...xhr },
      payload: body,
    });
    expect(withHeader.statusCode).toBe(404); // past the CSRF check: the call does not exist
    const loginWithout = await app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: 'qa-web', password: PASSWORD },
    });
    expect(loginWithout.json().code).toBe('csrf_header_missing');
    const token = await app.inject({
      method: 'PUT',
      url: '/agents/nobody/month-scores/2026-09',
      headers: { authorization: `Bearer ${admin}` },
      payload: { score: 1 },
    });
    expect(token.statusCode).toBe(404);
  });

  it('locks a username after repeated failures, logs it, and answers unknown names the same way', async () => {
    await createUserToken(db.pool, 'agent', { username: 'ag-lock', agentId: 'A9', password: PASSWORD });
    for (let i = 0; i < LOGIN_POLICY.lockAfterFailures; i++) {
      const wrong = await login('ag-lock', 'wrong password', '10.0.0.2');
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().code).toBe('invalid_credentials');
    }
    const locked = await login('ag-lock', PASSWORD, '10.0.0.3');
    expect(locked.statusCode).toBe(429);
    expect(locked.json().code).toBe('login_locked');
    const { rows } = await db.pool.query(
      `select action from audit_log where target = 'user:ag-lock' order by audit_id`,
    );
    expect(rows.map((r) => r.action)).toEqual([
      'user_added',
      'token_created',
      ...Array(LOGIN_POLICY.lockAfterFailures)
        .fill('login_failed')
        .flatMap((a, i) => (i === LOGIN_POLICY.lockAfterFailures - 1 ? [a, 'login_locked'] : [a])),
      'login_refused_locked',
    ]);
    // Once the lock window has passed, the right password works again.
    await db.pool.query(
      `update login_attempts set at = at - interval '${LOGIN_POLICY.lockMinutes + 1} minutes'`,
    );
    expect((await login('ag-lock', PASSWORD, '10.0.0.3')).statusCode).toBe(200);

    for (let i = 0; i < LOGIN_POLICY.lockAfterFailures; i++) await login('nobody-here', 'x', '10.0.0.4');
    expect((await login('nobody-here', 'x', '10.0.0.5')).json().code).toBe('login_locked');
  });

  it('rate-limits one address whatever usernames it tries', async () => {
    for (let i = 0; i < LOGIN_POLICY.ipMaxFailures; i++) await login(`spray-${i}`, 'x', '10.9.9.9');
    const limited = await login('qa-web', PASSWORD, '10.9.9.9');
    expect(limited.statusCode).toBe(429);
    expect((await login('qa-web', PASSWORD, '10.9.9.10')).statusCode).toBe(200);
  });
});

describe('stored credentials', () => {
  it('passwords are scrypt with a per-user salt; tokens are stored as SHA-256 only', async () => {
    await createUserToken(db.pool, 'qa', { username: 'same-a', password: PASSWORD });
    const { token } = await createUserToken(db.pool, 'qa', { username: 'same-b', password: PASSWORD });
    const { rows } = await db.pool.query(
      `select password_hash from users where username in ('same-a', 'same-b') order by username`,
    );
    for (const r of rows)
      expect(r.password_hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{88}$/);
    expect(rows[0].password_hash).not.toBe(rows[1].password_hash);
    expect(rows[0].password_hash).not.toContain(PASSWORD);
    const tokens = await db.pool.query(`select encode(token_hash, 'hex') as h, token_hash from api_tokens`);
    const dump = JSON.stringify(tokens.rows) + tokens.rows.map((r) => r.token_hash.toString('latin1')).join();
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(token.slice(4));
  });

  it('a revoked token and a disabled user’s token stop working', async () => {
    const { token, username } = await createUserToken(db.pool, 'qa');
    const me = () =>
      app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } });
    expect((await me()).statusCode).toBe(200);
    await db.pool.query(
      `update api_tokens set revoked_at = now() where user_id = (select user_id from users where username = $1)`,
      [username],
    );
    // What the CLI changes reaches the API within the cache's bound (ACTOR_CACHE_MS).
    passCacheBound();
    expect((await me()).statusCode).toBe(401);
    const other = await createUserToken(db.pool, 'qa');
    const otherMe = () =>
      app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${other.token}` } });
    expect((await otherMe()).statusCode).toBe(200);
    await db.pool.query(`update users set disabled_at = now() where username = $1`, [other.username]);
    passCacheBound();
    const disabled = await app.inject({
      method: 'GET',
      url: '/auth/me',
      headers: { authorization: `Bearer ${other.token}` },
    });
    expect(disabled.statusCode).toBe(401);
  });

  it('a token’s last use is noted to the minute: the first use and a use a minute later, not every request', async () => {
    const { token, username } = await createUserToken(db.pool, 'qa');
    const me = () =>
      app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } });
    const lastUsed = async () =>
      (
        await db.pool.query(
          `select t.last_used_at from api_tokens t join users u using (user_id) where u.username = $1`,
          [username],
        )
      ).rows[0].last_used_at as Date | null;
    expect(await lastUsed()).toBeNull();
    expect((await me()).statusCode).toBe(200);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    // Within the minute a request only reads (no write, no commit per request).
    await db.pool.query(
      `update api_tokens set last_used_at = now() - interval '30 seconds'
       where user_id = (select user_id from users where username = $1)`,
      [username],
    );
    const thirtySecondsAgo = await lastUsed();
    passCacheBound();
    expect((await me()).statusCode).toBe(200);
    expect(await lastUsed()).toEqual(thirtySecondsAgo);
    await db.pool.query(
      `update api_tokens set last_used_at = now() - interval '2 minutes'
       where user_id = (select user_id from users where username = $1)`,
      [username],
    );
    passCacheBound();
    expect((await me()).statusCode).toBe(200);
    expect((await lastUsed())!.getTime()).toBeGreaterThan(thirtySecondsAgo!.getTime());
  });
});

describe('GET /audit', () => {
  it('lists who did what, newest first, filtered and paged; the log cannot be rewritten', async () => {
    const get = (query: string) =>
      app.inject({ method: 'GET', url: `/audit${query}`, headers: { authorization: `Bearer ${admin}` } });
    const logins = (await get('?action=login&limit=2')).json();
    expect(logins.entries).toHaveLength(2);
    expect(logins.entries.every((e: { action: string }) => e.action === 'login')).toBe(true);
    expect(logins.entries[0].auditId).toBeGreaterThan(logins.entries[1].auditId);
    const next = (await get(`?action=login&limit=2&before=${logins.next}`)).json();
    expect(next.entries[0].auditId).toBeLessThan(logins.entries[1].auditId);
    const byActor = (await get('?actor=qa-web&action=logout')).json();
    expect(byActor.entries).toEqual([expect.objectContaining({ actor: 'qa-web', action: 'logout' })]);
    expect((await get('?from=2999-01-01T00:00:00Z')).json().entries).toEqual([]);
    expect((await get('?limit=0')).json().code).toBe('invalid_query');
    await expect(db.pool.query(`delete from audit_log`)).rejects.toThrow(/append-only/);
    await expect(db.pool.query(`update audit_log set actor = 'x'`)).rejects.toThrow(/append-only/);
  });
});
