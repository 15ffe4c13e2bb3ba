import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { WEB_APP_CSP } from '../../api/routes/web-app.ts';
import { builtStamp, ensureWebApp, sourceStamp, WEB_DIST_DIR } from '../../api/web/build.ts';
import { testConfig } from '../helpers/config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

/**
 * The built web app at /app/: the shell with its security headers for every
 * deep link, hashed assets, `/` leading there, and the API beside it as before.
 */

let db: TestDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  await ensureWebApp();
  db = await createTestDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'callqa-web-app-'));
  app = await buildApp({ pool: db.pool, config: testConfig(db.url, dir) });
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

describe('web app build', () => {
  it('stamps the build with its inputs and skips a build whose stamp matches', async () => {
    expect(await builtStamp()).toBe(await sourceStamp());
    const again = await ensureWebApp();
    expect(again.built).toBe(false);
  });
});

describe('web app serving', () => {
  it('answers / and /app with a redirect to /app/', async () => {
    for (const url of ['/', '/app']) {
      const response = await app.inject({ method: 'GET', url });
      expect({ url, status: response.statusCode, location: response.headers.location }).toEqual({
        url,
        status: 302,
        location: '/app/',
      });
    }
  });

  it('serves the shell for /app/ and any deep link, without credentials, with its security headers', async () => {
    for (const url of ['/app/', '/app/calls/c-1', '/app/some/deep/link?x=1']) {
      const response = await app.inject({ method: 'GET', url });
      expect({ url, status: response.statusCode }).toEqual({ url, status: 200 });
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.body).toContain('<div id="root"></div>');
      expect(response.headers['content-security-policy']).toBe(WEB_APP_CSP);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['cache-control']).toBe('no-cache');
    }
    expect(WEB_APP_CSP).toContain("default-src 'self'");
    expect(WEB_APP_CSP).toContain("frame-ancestors 'none'");
    expect(WEB_APP_CSP).not.toMatch(/script-src[^;]*unsafe/);
  });

  it('serves the hashed assets the shell names, cached for good; a missing one is a JSON 404', async () => {
    const shell = (await app.inject({ method: 'GET', url: '/app/' })).body;
    const assets = await readdir(join(WEB_DIST_DIR, 'assets'));
    const named = [...shell.matchAll(/\/app\/assets\/([^"]+\.js)"/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(0);
    // The shell's scripts, and the pages' chunks it loads later (React.lazy), all from the build.
    const scripts = assets.filter((name) => name.endsWith('.js'));
    expect(scripts).toEqual(expect.arrayContaining(named));
    expect(scripts.length).toBeGreaterThan(named.length);
    for (const script of scripts) {
      const response = await app.inject({ method: 'GET', url: `/app/assets/${script}` });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/javascript/);
      expect(response.headers['cache-control']).toContain('immutable');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    }

    const missing = await app.inject({ method: 'GET', url: '/app/assets/nope.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('not_found');
  });

  it('never serves a file outside the build', async () => {
    const stamp = (await builtStamp())!;
    for (const url of [
      '/app/assets/../build-stamp.txt',
      '/app/assets/%2e%2e/%2e%2e/build.ts',
      '/app/assets/..%2f..%2fbuild.ts',
    ]) {
      const response = await app.inject({ method: 'GET', url });
      // Either refused, or (a path the router resolves into /app/…) the shell: never the file.
      if (response.statusCode === 200) expect(response.body).toContain('<div id="root"></div>');
      expect(response.body).not.toContain(stamp);
      expect(response.body).not.toContain('ensureWebApp');
    }
  });

  it('leaves the API where it was', async () => {
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    const me = await app.inject({ method: 'GET', url: '/auth/me' });
    expect(me.statusCode).toBe(401);
    expect(me.json().code).toBe('unauthenticated');
  });
});
