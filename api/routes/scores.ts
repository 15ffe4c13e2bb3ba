import type { FastifyPluginAsync } from 'fastify';
import { importMonthScores, importQaOutcomes } from '../../models/score-repository.ts';
import type { AppDeps } from '../app.ts';
import { ApiError } from '../api-error.ts';
import { idString, monthString } from '../request-schemas.ts';

/** Recorded scores from outside the scoring engine: they drive adaptive quotas and the neighbour rule. */
export const scoreRoutes: FastifyPluginAsync<AppDeps> = async (app, { pool }) => {
  app.put<{ Params: { agentId: string; month: string }; Body: { score: number } }>(
    '/agents/:agentId/month-scores/:month',
    {
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
      },
    },
    async (request, reply) => {
      await importMonthScores(pool, [
        { agentId: request.params.agentId, month: request.params.month, score: request.body.score },
      ]).catch((error: { code?: string }) => {
        if (error.code === '23503')
          throw new ApiError(404, 'not_found', `agent ${request.params.agentId} does not exist`);
        throw error;
      });
      return reply.status(204).send();
    },
  );

  app.post<{ Body: Array<{ callId: string; score: number; passed: boolean }> }>(
    '/qa-outcomes',
    {
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
      },
    },
    async (request, reply) => {
      await importQaOutcomes(pool, request.body).catch((error: { code?: string }) => {
        if (error.code === '23503') throw new ApiError(404, 'not_found', 'one of the calls does not exist');
        throw error;
      });
      return reply.status(204).send();
    },
  );
};
