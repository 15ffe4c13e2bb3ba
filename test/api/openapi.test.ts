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

type Schema = {
  type?: string | string[];
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  required?: string[];
};

/**
 * Where a success answer carries data whose fields are not listed, each with
 * why: stored documents whose shape is the one of the code that wrote them.
 * Anything else open fails the test below, so a route cannot answer an open
 * object (whose fields the serializer would pass unchecked) by accident.
 */
const OPEN_BY_DESIGN = [
  // the audited change, as each action records it
  'GET /audit 200 entries[].before',
  'GET /audit 200 entries[].after',
  // the scorer's full result, in the shape of the scorer version that stored it
  'GET /calls/{id}/scores 200 scores[].result',
  // a pick's figures (they differ per sampling reason) and a run's stored parameters
  'GET /sampling/runs/{id} 200 items[].detail',
  'GET /sampling/runs/{id} 200 params',
  'GET /calls/{id}/review 200 sample.detail',
];

const typesOf = (schema: Schema) => (Array.isArray(schema.type) ? schema.type : [schema.type]);

/** The places in a schema that admit any JSON, or an object with unlisted fields. */
function openSpots(schema: Schema, at: string): Array<{ at: string; description?: string }> {
  const nested = [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])];
  if (nested.length > 0) return nested.flatMap((s) => openSpots(s, at));
  if (schema.type === undefined) return [{ at, description: schema.description }];
  const spots: Array<{ at: string; description?: string }> = [];
  if (typesOf(schema).includes('object')) {
    const typedMap = typeof schema.additionalProperties === 'object';
    if (schema.additionalProperties === true || (!schema.properties && !typedMap)) {
      spots.push({ at, description: schema.description });
    }
    for (const [key, property] of Object.entries(schema.properties ?? {})) {
      spots.push(...openSpots(property, at ? `${at}.${key}` : key));
    }
    if (typedMap) spots.push(...openSpots(schema.additionalProperties as Schema, `${at}.*`));
  }
  if (typesOf(schema).includes('array') && schema.items) spots.push(...openSpots(schema.items, `${at}[]`));
  return spots;
}

function jsonSchemaOf(response: { content?: unknown }): Schema | undefined {
  return (response.content as Record<string, { schema?: Schema }> | undefined)?.['application/json']?.schema;
}

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

  it('gives every success answer a schema that lists its fields; errors are { code, message }', async () => {
    const document = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    const open: string[] = [];
    const undescribed: string[] = [];
    const missing: string[] = [];
    for (const [path, operations] of Object.entries(
      document.paths as Record<string, Record<string, Operation>>,
    )) {
      for (const [method, operation] of Object.entries(operations)) {
        const route = `${method.toUpperCase()} ${path}`;
        const statuses = Object.keys(operation.responses);
        expect({ route, errors: statuses.filter((s) => /^[45]XX$/i.test(s)).sort() }).toEqual({
          route,
          errors: ['4XX', '5XX'],
        });
        for (const status of statuses.filter((s) => /^[45]/.test(s))) {
          // An error body, or (POST /calls's 400: the ingest report when nothing landed) one of its forms.
          const error = jsonSchemaOf(operation.responses[status]);
          const forms = error ? [error, ...(error.anyOf ?? [])] : [];
          const isError = (f: Schema) => ['code', 'message'].every((k) => f.required?.includes(k));
          expect({ route, status, error: forms.some(isError) }).toEqual({ route, status, error: true });
        }
        const successes = statuses.filter((s) => s.startsWith('2'));
        expect(successes.length, route).toBeGreaterThan(0);
        for (const status of successes) {
          const content = operation.responses[status].content as
            Record<string, { schema?: Schema }> | undefined;
          if (status === '204') {
            expect(content?.['application/json']?.schema?.type ?? 'null', route).toBe('null');
            continue;
          }
          if (!content) {
            missing.push(`${route} ${status}`);
            continue;
          }
          for (const [type, { schema }] of Object.entries(content)) {
            if (!schema) missing.push(`${route} ${status} ${type}`);
            else if (type !== 'application/json') {
              // Bytes (audio): a binary string under each content type it is served as.
              expect({ route, type, schema }).toEqual({
                route,
                type,
                schema: { type: 'string', format: 'binary' },
              });
            } else {
              for (const spot of openSpots(schema, '')) {
                open.push(`${route} ${status} ${spot.at || '(the answer)'}`);
                if (!spot.description) undescribed.push(`${route} ${status} ${spot.at}`);
              }
            }
          }
        }
      }
    }
    expect(missing).toEqual([]);
    expect(open.sort()).toEqual([...OPEN_BY_DESIGN].sort());
    // Each of them says why it is open.
    expect(undescribed).toEqual([]);
  });

  it('documents the audio by its content types, and its 416 as an error', async () => {
    const document = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    const audio = document.paths['/calls/{id}/audio'].get.responses;
    for (const status of ['200', '206']) {
      expect(Object.keys(audio[status].content)).toEqual(
        expect.arrayContaining(['audio/wav', 'audio/mpeg', 'application/octet-stream']),
      );
      expect(audio[status].content).not.toHaveProperty('application/json');
    }
    expect(audio['416'].content['application/json'].schema.required).toEqual(['code', 'message']);
  });

  it('serves the page at /docs', async () => {
    const page = await app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('swagger');
  });
});
