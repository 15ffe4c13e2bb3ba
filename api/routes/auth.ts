import type { FastifyPluginAsync } from 'fastify';
import { withTransaction } from '../../models/db.ts';
import type { AppDeps } from '../app.ts';
import { ApiError } from '../api-error.ts';
import {
  actorOf,
  clearSessionCookie,
  CSRF_HEADER,
  forgetSession,
  sessionCookie,
  sessionIdOf,
} from '../auth/access.ts';
import { errorResponses, loginSchema, meSchema, noContent } from '../response-schemas.ts';
import { login, logout } from '../services/account-service.ts';
import { auditActorOf } from '../services/service-context.ts';

/** Browser sign-in: a password gives an httpOnly, SameSite=Strict session cookie; scripts use tokens. */
export const authRoutes: FastifyPluginAsync<AppDeps> = async (app, { pool, actorCache }) => {
  app.post<{ Body: { username: string; password: string } }>(
    '/auth/login',
    {
      config: { access: 'public' },
      schema: {
        body: {
          type: 'object',
          required: ['username', 'password'],
          additionalProperties: false,
          properties: {
            username: { type: 'string', minLength: 1, maxLength: 64 },
            password: { type: 'string', minLength: 1, maxLength: 1024 },
          },
        },
        response: { 200: loginSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      // Login CSRF: a cross-site form could otherwise sign the browser in as someone else.
      if (!request.headers[CSRF_HEADER]) {
        throw new ApiError(403, 'csrf_header_missing', `send the ${CSRF_HEADER} header with this request`);
      }
      const result = await withTransaction(pool, (tx) => login(tx, { ...request.body, ip: request.ip }));
      if (!result.ok) throw result.error;
      return reply
        .header('set-cookie', sessionCookie(request, result.sessionId, result.maxAgeS))
        .send({ username: request.body.username, expiresAt: result.expiresAt });
    },
  );

  app.post(
    '/auth/logout',
    { config: { access: 'signed-in' }, schema: { response: { 204: noContent, ...errorResponses } } },
    async (request, reply) => {
      const audit = auditActorOf(request);
      const sessionId = sessionIdOf(request);
      await withTransaction(pool, (tx) => logout({ audit, tx }, sessionId));
      if (sessionId && actorCache) forgetSession(actorCache, sessionId);
      return clearSessionCookie(request, reply).status(204).send();
    },
  );

  app.get(
    '/auth/me',
    { config: { access: 'signed-in' }, schema: { response: { 200: meSchema, ...errorResponses } } },
    async (request) => {
      const { userId, username, role, agentId, teams } = actorOf(request);
      return { userId, username, role, agentId: agentId ?? null, teams };
    },
  );
};
