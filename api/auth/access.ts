import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { sha256, TOKEN_PREFIX } from '../../models/credentials.ts';
import { may, type Actor, type Permission } from '../../models/permissions.ts';
import { actorBySessionHash, actorByTokenHash } from '../../models/user-repository.ts';
import { ApiError } from '../api-error.ts';
import { CSRF_HEADER } from '../contracts/session.ts';
import type { ActorCache } from './actor-cache.ts';

/**
 * What a route needs: 'public' (health probes, login), 'signed-in' (any
 * user: /auth/me, logout), or one permission from models/permissions.ts.
 * Every route must say: a route registered without `config.access` stops
 * the app from starting, so a new route can never be open by accident.
 */
export type Access = 'public' | 'signed-in' | Permission;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    actor?: Actor;
  }
}

export const SESSION_COOKIE = 'callqa_session';
export { CSRF_HEADER };
/**
 * Where the OpenAPI document and its page live. Public: the API's shape is
 * no secret (the project is open source and the README lists every route),
 * it reveals no data, and a browser opening /docs sends no bearer token.
 */
export const DOCS_PREFIX = '/docs';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface RouteEntry {
  method: string;
  url: string;
  access: Access;
}

/**
 * Installs authentication before any route plugin: every request to a
 * non-public route must carry `Authorization: Bearer <token>` or the session
 * cookie, resolved in one query each (then kept for ACTOR_CACHE_MS, see
 * actor-cache.ts), checked before the body is read (an unauthenticated 20 MB
 * upload is refused at its first byte). Returns the
 * catalogue of routes with their access, which the authorization matrix
 * test walks.
 */
export function installAccess(app: FastifyInstance, pool: pg.Pool, cache: ActorCache): RouteEntry[] {
  const routes: RouteEntry[] = [];
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat();
    if (methods.every((m) => m === 'HEAD')) return;
    // @fastify/swagger-ui registers its routes without a way to pass config: the plugin mounted
    // at DOCS_PREFIX (and only it) is declared public here, by the prefix it was registered under.
    if (!route.config?.access && route.prefix === DOCS_PREFIX)
      route.config = { ...route.config, access: 'public' };
    const access = route.config?.access;
    if (!access) throw new Error(`route ${methods.join(',')} ${route.url} declares no config.access`);
    for (const method of methods) routes.push({ method, url: route.url, access });
  });
  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (request.is404) return; // unknown routes answer 404 not_found; they hold nothing.
    const access = request.routeOptions.config.access;
    if (access === 'public') return;
    const actor = await authenticate(pool, cache, request);
    if (!actor) throw new ApiError(401, 'unauthenticated', 'sign in or send Authorization: Bearer <token>');
    if (actor.via === 'session' && !SAFE_METHODS.has(request.method) && !request.headers[CSRF_HEADER]) {
      // SameSite=Strict already keeps other sites' requests from carrying the cookie; the header is the
      // second lock (a cross-site form cannot set it, and a cross-site fetch that sets it needs CORS).
      throw new ApiError(403, 'csrf_header_missing', `send the ${CSRF_HEADER} header with this request`);
    }
    request.actor = actor;
    if (access === undefined || (access !== 'signed-in' && !may(actor, access))) {
      throw new ApiError(403, 'forbidden', `the ${actor.role} role may not do this`);
    }
  });
  return routes;
}

async function authenticate(
  pool: pg.Pool,
  cache: ActorCache,
  request: FastifyRequest,
): Promise<Actor | undefined> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    // A malformed or unknown token is refused, never taken as "no token, try the cookie".
    if (!match || !match[1].startsWith(TOKEN_PREFIX)) return undefined;
    const hash = sha256(match[1]);
    return remembered(cache, `token:${hash.toString('base64')}`, () => actorByTokenHash(pool, hash));
  }
  const session = sessionIdOf(request);
  if (!session) return undefined;
  const hash = sha256(session);
  return remembered(cache, sessionCacheKey(hash), () => actorBySessionHash(pool, hash));
}

async function remembered(
  cache: ActorCache,
  key: string,
  lookUp: () => Promise<Actor | undefined>,
): Promise<Actor | undefined> {
  const known = cache.get(key);
  if (known) return known;
  const actor = await lookUp();
  if (actor) cache.set(key, actor);
  return actor;
}

const sessionCacheKey = (hash: Buffer) => `session:${hash.toString('base64')}`;

/** Forgets a session this process may have cached (a logout ends it at once, not within the cache's bound). */
export function forgetSession(cache: ActorCache, sessionId: string): void {
  cache.forget(sessionCacheKey(sha256(sessionId)));
}

export function sessionIdOf(request: FastifyRequest): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=') || undefined;
  }
  return undefined;
}

export function sessionCookie(request: FastifyRequest, value: string, maxAgeS: number): string {
  // Secure when served over HTTPS; on plain http://127.0.0.1 a Secure cookie would never come back.
  const secure = request.protocol === 'https' ? '; Secure' : '';
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure}`;
}

/** The signed-in actor of a request that passed the access hook. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new ApiError(401, 'unauthenticated', 'sign in first');
  return request.actor;
}

/** Unused reply parameter kept out of handlers: answers 204 with the cookie cleared. */
export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.header('set-cookie', sessionCookie(request, '', 0));
}
