import type { FastifyPluginAsync } from 'fastify';
import { samplingParamsFrom } from '../../sampling/params.ts';
import { replayRun, ReplayError } from '../../sampling/replay-run.ts';
import { addManualPick, getRun, listRuns, ManualPickError } from '../../sampling/run-repository.ts';
import { runSampling, SamplingRequestError } from '../../sampling/run-sampling.ts';
import type { AppDeps } from '../app.ts';
import { ApiError, notFound } from '../api-error.ts';
import { idString, monthString, runIdParams, textString } from '../request-schemas.ts';

export const samplingRoutes: FastifyPluginAsync<AppDeps> = async (app, { pool, config }) => {
  const params = samplingParamsFrom(config);

  app.post<{ Body: { month: string; through?: string; seed?: string } }>(
    '/sampling/runs',
    {
      schema: {
        body: {
          type: 'object',
          required: ['month'],
          additionalProperties: false,
          properties: {
            month: monthString,
            through: { type: 'string', format: 'date-time' },
            seed: { ...idString, maxLength: 200 },
          },
        },
      },
    },
    async (request, reply) => {
      const { month, through, seed } = request.body;
      try {
        const run = await runSampling(pool, params, {
          month,
          seed,
          through: through ? new Date(through) : undefined,
        });
        return reply.status(201).send(run);
      } catch (error) {
        if (error instanceof SamplingRequestError) throw new ApiError(400, 'invalid_run', error.message);
        throw error;
      }
    },
  );

  app.get<{ Querystring: { limit?: number } }>(
    '/sampling/runs',
    {
      schema: {
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 500 } } },
      },
    },
    async (request) => ({ runs: await listRuns(pool, request.query.limit ?? 50) }),
  );

  app.get<{ Params: { id: number }; Querystring: { agent?: string; limit?: number } }>(
    '/sampling/runs/:id',
    {
      schema: {
        params: runIdParams,
        querystring: {
          type: 'object',
          properties: { agent: idString, limit: { type: 'integer', minimum: 1, maximum: 100000 } },
        },
      },
    },
    async (request) => {
      const run = await getRun(pool, request.params.id, {
        agent: request.query.agent,
        itemLimit: request.query.limit ?? 1000,
      });
      if (!run) throw notFound(`sampling run ${request.params.id}`);
      return run;
    },
  );

  app.post<{ Params: { id: number } }>(
    '/sampling/runs/:id/replay',
    { schema: { params: runIdParams } },
    async (request) => {
      try {
        return await replayRun(pool, request.params.id);
      } catch (error) {
        if (error instanceof ReplayError) throw new ApiError(404, 'cannot_replay', error.message);
        throw error;
      }
    },
  );

  app.post<{ Body: { callId: string; note?: string } }>(
    '/sampling/items',
    {
      schema: {
        body: {
          type: 'object',
          required: ['callId'],
          properties: { callId: idString, note: textString(2000) },
        },
      },
    },
    async (request, reply) => {
      try {
        const { runId } = await addManualPick(pool, request.body.callId, request.body.note, config.timeZone);
        return reply.status(201).send({ callId: request.body.callId, runId, reason: 'manual' });
      } catch (error) {
        if (error instanceof ManualPickError) {
          throw new ApiError(error.code === 'call_not_found' ? 404 : 409, error.code, error.message);
        }
        throw error;
      }
    },
  );
};
