import type { FastifyPluginAsync } from 'fastify';
import { samplingParamsFrom } from '../../sampling/params.ts';
import { replayRun, ReplayError } from '../../sampling/replay-run.ts';
import { addManualPick, getRun, listRuns, ManualPickError } from '../../sampling/run-repository.ts';
import { runSampling, SamplingRequestError } from '../../sampling/run-sampling.ts';
import { agentsInScope } from '../../models/access-repository.ts';
import { writeAudit } from '../../models/audit-repository.ts';
import { callScopeOf } from '../../models/permissions.ts';
import type { AppDeps } from '../app.ts';
import { ApiError, notFound } from '../api-error.ts';
import { actorOf } from '../auth/access.ts';
import { idString, monthString, runIdParams, textString } from '../request-schemas.ts';
import { requireVisibleCall } from '../services/call-service.ts';
import { auditActorOf, auditFields } from '../services/service-context.ts';

/*
 * Sampling runs, picks and replays write through the sampler's own
 * transactions (sampling/), so their audit row follows the committed change.
 */

export const samplingRoutes: FastifyPluginAsync<AppDeps> = async (app, { pool, config }) => {
  const params = samplingParamsFrom(config);

  app.post<{ Body: { month: string; through?: string; seed?: string } }>(
    '/sampling/runs',
    {
      config: { access: 'sampling.run' },
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
        await writeAudit(pool, {
          ...auditFields(auditActorOf(request)),
          action: 'sampling_run_created',
          target: `run:${run.runId}`,
          after: { month, through: through ?? null, seed: seed ?? null, selected: run.selected },
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
      config: { access: 'sampling.read' },
      schema: {
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 500 } } },
      },
    },
    async (request) => ({ runs: await listRuns(pool, request.query.limit ?? 50) }),
  );

  app.get<{ Params: { id: number }; Querystring: { agent?: string; limit?: number } }>(
    '/sampling/runs/:id',
    {
      config: { access: 'sampling.read' },
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
        // A supervisor sees the run cut to their teams' agents.
        inScope: await agentsInScope(pool, callScopeOf(actorOf(request))),
      });
      if (!run) throw notFound(`sampling run ${request.params.id}`);
      return run;
    },
  );

  app.post<{ Params: { id: number } }>(
    '/sampling/runs/:id/replay',
    { config: { access: 'sampling.run' }, schema: { params: runIdParams } },
    async (request) => {
      try {
        const report = await replayRun(pool, request.params.id);
        await writeAudit(pool, {
          ...auditFields(auditActorOf(request)),
          action: 'sampling_run_replayed',
          target: `run:${request.params.id}`,
          after: { matches: report.matches },
        });
        return report;
      } catch (error) {
        if (error instanceof ReplayError) throw new ApiError(404, 'cannot_replay', error.message);
        throw error;
      }
    },
  );

  app.post<{ Body: { callId: string; note?: string } }>(
    '/sampling/items',
    {
      config: { access: 'sampling.pick' },
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
        await requireVisibleCall({ actor: actorOf(request), tx: pool }, request.body.callId);
        const { runId } = await addManualPick(pool, request.body.callId, request.body.note, config.timeZone);
        await writeAudit(pool, {
          ...auditFields(auditActorOf(request)),
          action: 'manual_pick_added',
          target: `call:${request.body.callId}`,
          before: null,
          after: { runId, reason: 'manual', note: request.body.note ?? null },
        });
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
