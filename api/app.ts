import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type pg from 'pg';
import { ZodType } from 'zod';
import type { Config } from '../models/config.ts';
import { MAX_ID_LENGTH } from '../models/input-checks.ts';
import { ApiError, describeRoute } from './api-error.ts';
import { ActorCache } from './auth/actor-cache.ts';
import { DOCS_PREFIX, installAccess, SESSION_COOKIE, type RouteEntry } from './auth/access.ts';
import { auditRoutes } from './routes/audit.ts';
import { authRoutes } from './routes/auth.ts';
import { callRoutes } from './routes/calls.ts';
import { healthRoutes } from './routes/health.ts';
import { meRoutes } from './routes/me.ts';
import { resultRoutes } from './routes/results.ts';
import { reviewRoutes } from './routes/review.ts';
import { samplingRoutes } from './routes/sampling.ts';
import { scoreRoutes } from './routes/scores.ts';
import { webAppRoutes } from './routes/web-app.ts';
import { masksPersonalDataFor, maskResponse } from './personal-data-masking.ts';
import { pathScrubber, scrubResponse } from './server-paths.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with the access it declares (the authorization matrix test walks it). */
    routeCatalogue: readonly RouteEntry[];
  }
}

export interface AppDeps {
  pool: pg.Pool;
  config: Config;
  /** Who recent credentials belong to (actor-cache.ts); a fresh one per app unless a test passes its own. */
  actorCache?: ActorCache;
}

/** Fastify's own 4xx errors, as the stable codes this API documents. */
const FASTIFY_ERRORS: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'body_too_large' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'empty_body' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'malformed_json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_content_length' },
  FST_ERR_BAD_URL: { status: 400, code: 'bad_url' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 400, code: 'invalid_path' },
};

/** Which part of the request a schema refused. */
const VALIDATION_CODES: Record<string, string> = {
  params: 'invalid_path',
  querystring: 'invalid_query',
  body: 'invalid_body',
  headers: 'invalid_header',
};

type AnyError = Error & {
  statusCode?: number;
  code?: string;
  validation?: Array<{ instancePath: string; params: Record<string, unknown> }>;
  validationContext?: string;
  severity?: string;
};

/** Builds the HTTP API without listening, so tests drive it with app.inject(). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.config.logLevel === 'silent' ? false : { level: deps.config.logLevel },
    bodyLimit: 20 * 1024 * 1024,
    routerOptions: {
      // A 200-character id of 4-byte characters is 2,400 characters percent-encoded;
      // longer is refused by the router (400 invalid_path), shorter by the route schema.
      maxParamLength: MAX_ID_LENGTH * 12,
    },
    // Bad percent-encoding in the URL is answered like every other error.
    frameworkErrors: (error, request, reply) => void sendError(error as AnyError, request, reply),
  });
  // Every route takes JSON (or, for recordings, audio): plain text is a 415 like any other type.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((error: AnyError, request, reply) => sendError(error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ code: 'not_found', message: `there is no ${describeRoute(request)}` }),
  );

  const scrub = pathScrubber(deps.config);
  app.addHook('preSerialization', async (_request, _reply, payload) => scrubResponse(payload, scrub));
  // request.actor is set by the access hook (onRequest), before any handler answers.
  app.addHook('preSerialization', async (request, _reply, payload) =>
    masksPersonalDataFor(request.actor, deps.config.privacy.maskRoles) ? maskResponse(payload) : payload,
  );

  // Before any route: every route must declare its access, and every request is authenticated.
  const actorCache = deps.actorCache ?? new ActorCache();
  deps = { ...deps, actorCache };
  app.decorate('routeCatalogue', installAccess(app, deps.pool, actorCache));
  // The OpenAPI document is built from the route schemas below (GET /docs/json, the page at /docs).
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'callqa',
        version: '0.1.0',
        description: 'Speech-analytics QA for call-centre recordings',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'a token from `callqa tokens create`' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: zodInputsToJsonSchema,
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX });
  await app.register(healthRoutes, deps);
  await app.register(authRoutes, deps);
  await app.register(auditRoutes, deps);
  await app.register(callRoutes, deps);
  await app.register(samplingRoutes, deps);
  await app.register(scoreRoutes, deps);
  await app.register(resultRoutes, deps);
  await app.register(reviewRoutes, deps);
  await app.register(meRoutes, deps);
  // The review workspace (the built browser app) at /app/; / leads there.
  await app.register(webAppRoutes);
  return app;
}

type SwaggerTransform = Parameters<typeof jsonSchemaTransform>[0];

/**
 * The review routes validate with zod (api/contracts/review.ts), the others
 * with JSON schema: the OpenAPI document turns a route's zod inputs into JSON
 * schema and leaves everything else (JSON-schema inputs, every response) as
 * written.
 */
function zodInputsToJsonSchema(document: SwaggerTransform) {
  const { schema, url } = document;
  const parts = schema ? [schema.params, schema.querystring, schema.body, schema.headers] : [];
  if (!schema || !parts.some((part) => part instanceof ZodType)) return { schema, url };
  const { response, ...inputs } = schema;
  const transformed = jsonSchemaTransform({ ...document, schema: inputs });
  return { schema: { ...transformed.schema, ...(response ? { response } : {}) }, url: transformed.url };
}

/**
 * Every error leaves as `{ code, message }` (plus `field` for a refused
 * value). 4xx messages say what the client sent wrong; a 5xx says only that
 * the server failed — the error itself, with any paths and SQL, goes to the log.
 */
function sendError(error: AnyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof ApiError) {
    return reply.status(error.statusCode).send({ code: error.code, message: error.message, ...error.extra });
  }
  if (error.validation) {
    const first = error.validation[0];
    const field =
      (first?.params?.missingProperty as string | undefined) ??
      first?.instancePath.replace(/^\//, '').replaceAll('/', '.');
    return reply.status(400).send({
      code: VALIDATION_CODES[error.validationContext ?? 'body'] ?? 'invalid_request',
      message: error.message,
      ...(field ? { field } : {}),
    });
  }
  const known = error.code ? FASTIFY_ERRORS[error.code] : undefined;
  if (known) return reply.status(known.status).send({ code: known.code, message: error.message });
  if (error instanceof SyntaxError && error.statusCode === 400) {
    // The JSON parser's own errors (a syntax error, a __proto__ key) carry no code.
    return reply.status(400).send({ code: 'malformed_json', message: 'the request body is not valid JSON' });
  }
  if (error.severity && error.code?.startsWith('22')) {
    // A value PostgreSQL refused (SQLSTATE class 22): the client's input, not a server fault.
    request.log.warn({ err: error }, 'a request value the database refused');
    return reply
      .status(400)
      .send({ code: 'invalid_value', message: 'a value in the request is not acceptable' });
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return reply.status(status).send({ code: 'bad_request', message: error.message });
  }
  request.log.error({ err: error }, 'request failed');
  return reply.status(500).send({ code: 'internal_error', message: 'internal error; see the server log' });
}
