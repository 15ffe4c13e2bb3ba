import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.ts';
import { testConfig } from '../helpers/config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

/** The OpenAPI document at /docs/json is built from the route schemas: every route is in it. */

let db: TestDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  db = await createTestDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'callqa-openapi-'));
  app = await buildApp({ pool: db.pool, config: testConfig(db.url, dir) });
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

const isWebAppRoute = (url: string) => url === '/' || url === '/app' || url.startsWith('/app/');

/** Actions that take no body. */
const TAKE_NO_BODY = ['/auth/logout', '/sampling/runs/{id}/replay'];

type Operation = {
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: unknown;
  responses: Record<string, { content?: unknown }>;
};

describe('OpenAPI document', () => {
  it('lists every route of the app (but its own pages and the web app shell) with its inputs, without credentials', async () => {
    const response = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toMatch(/^3\./);
    const listed = Object.entries(document.paths as Record<string, Record<string, Operation>>).flatMap(
      ([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const served = app.routeCatalogue
      // The docs' own pages and the web app's shell and bundles are not API routes.
      .filter((r) => !r.url.startsWith('/docs') && !isWebAppRoute(r.url) && r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    expect(listed.sort()).toEqual([...new Set(served)].sort());

    for (const [path, operations] of Object.entries(
      document.paths as Record<string, Record<string, Operation>>,
    )) {
      for (const [method, operation] of Object.entries(operations)) {
        // Every path parameter is described by the route's params schema.
        const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        const described = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect({ route: `${method} ${path}`, params: described.sort() }).toEqual({
          route: `${method} ${path}`,
          params: inPath,
        });
        // A route that takes a body describes it.
        if (method === 'post' || method === 'put') {
          expect({ route: `${method} ${path}`, body: operation.requestBody !== undefined }).toEqual({
            route: `${method} ${path}`,
            body: !TAKE_NO_BODY.includes(path),
          });
        }
      }
    }
  });

  it('describes the sampling pages: their query, items, cursor and totals', async () => {
    const document = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    const run = document.paths['/sampling/runs/{id}'].get;
    expect(run.parameters.map((p: { name: string }) => p.name).sort()).toEqual(
      ['id', 'agent', 'reason', 'limit', 'after'].sort(),
    );
    const answer = run.responses['200'].content['application/json'].schema;
    expect(Object.keys(answer.properties)).toEqual(
      expect.arrayContaining(['items', 'nextCursor', 'totals', 'agents']),
    );
    for (const route of ['/sampling/runs', '/sampling/runs/{id}', '/calls/{id}']) {
      expect(Object.keys(document.paths[route].get.responses)).toContain('200');
    }
  });

  it('serves the page at /docs', async () => {
    const page = await app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('swagger');
  });
});
