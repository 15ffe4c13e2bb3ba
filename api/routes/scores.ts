import type { FastifyPluginAsync } from 'fastify';
import { withTransaction } from '../../models/db.ts';
import type { AppDeps } from '../app.ts';
import { actorOf } from '../auth/access.ts';
import { errorResponses, noContent } from '../response-schemas.ts';
import { idString, monthString } from '../request-schemas.ts';
import { recordOutcomes, setMonthScore } from '../services/call-service.ts';
import { auditActorOf } from '../services/service-context.ts';

/** Recorded scores from outside the scoring engine: they drive adaptive quotas and the neighbour rule. */
export const scoreRoutes: FastifyPluginAsync<AppDeps> = async (app, { pool }) => {
  app.put<{ Params: { agentId: string; month: string }; Body: { score: number } }>(
    '/agents/:agentId/month-scores/:month',
    {
      config: { access: 'scores.import' },
      schema: {
        params: {
          type: 'object',
          required: ['agentId', 'month'],
          properties: { agentId: idString, month: monthString },
        },
        body: {
          type: 'object',
          required: ['score'],
          properties: { score: { type: 'number', minimum: 0, maximum: 100 } },
        },
        response: { 204: noContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { agentId, month } = request.params;
      const [actor, audit] = [actorOf(request), auditActorOf(request)];
      await withTransaction(pool, (tx) =>
        setMonthScore({ actor, audit, tx }, agentId, month, request.body.score),
      );
      return reply.status(204).send();
    },
  );

  app.post<{ Body: Array<{ callId: string; score: number; passed: boolean }> }>(
    '/qa-outcomes',
    {
      config: { access: 'scores.import' },
      schema: {
        body: {
          type: 'array',
          maxItems: 10000,
          items: {
            type: 'object',
            required: ['callId', 'score', 'passed'],
            properties: {
              callId: idString,
              score: { type: 'number', minimum: 0, maximum: 100 },
              passed: { type: 'boolean' },
            },
          },
        },
        response: { 204: noContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      const [actor, audit] = [actorOf(request), auditActorOf(request)];
      await withTransaction(pool, (tx) => recordOutcomes({ actor, audit, tx }, request.body));
      return reply.status(204).send();
    },
  );
};
