import type { FastifyPluginAsync } from 'fastify';
import { listAudit } from '../../models/audit-repository.ts';
import type { AppDeps } from '../app.ts';
import { textString } from '../request-schemas.ts';
import { auditPageSchema, errorResponses } from '../response-schemas.ts';

/** The audit log, newest first, for admins: filter by actor, action and time; page with `before`. */
export const auditRoutes: FastifyPluginAsync<AppDeps> = async (app, { pool }) => {
  app.get<{
    Querystring: {
      actor?: string;
      action?: string;
      from?: string;
      to?: string;
      before?: number;
      limit?: number;
    };
  }>(
    '/audit',
    {
      config: { access: 'audit.read' },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            actor: { ...textString(200), minLength: 1 },
            action: { type: 'string', pattern: '^[a-z_]{1,64}$' },
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            before: { type: 'integer', minimum: 1 },
            limit: { type: 'integer', minimum: 1, maximum: 500 },
          },
        },
        response: { 200: auditPageSchema, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      return listAudit(pool, {
        actor: q.actor,
        action: q.action,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        before: q.before,
        limit: q.limit ?? 100,
      });
    },
  );
};
