import type { FastifyPluginAsync } from 'fastify';
import { samplingParamsFrom } from '../../sampling/params.ts';
import { replayRun, ReplayError } from '../../sampling/replay-run.ts';
import type { SampleReason } from '../../sampling/params.ts';
import {
  CursorError,
  getRunHeader,
  listRunItems,
  listRuns,
  ManualPickError,
} from '../../sampling/run-repository.ts';
import { runSampling, SamplingRequestError } from '../../sampling/run-sampling.ts';
import { agentsInScope } from '../../models/access-repository.ts';
import { writeAudit } from '../../models/audit-repository.ts';
import { callScopeOf } from '../../models/permissions.ts';
import type { AppDeps } from '../app.ts';
import { ApiError, notFound } from '../api-error.ts';
import { actorOf } from '../auth/access.ts';
import { idString, monthString, runId, runIdParams, textString } from '../request-schemas.ts';
import {
  DEFAULT_PAGE,
  errorResponses,
  manualPickSchema,
  page,
  pageLimit,
  replayReportSchema,
  runDetail,
  runListing,
  runSummarySchema,
  sampleReason,
} from '../response-schemas.ts';
import { requireVisibleCall } from '../services/call-service.ts';
import { addManualPickAudited, auditRunCreated } from '../services/sampling-service.ts';
import { withTransaction } from '../../models/db.ts';
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
        response: { 201: runSummarySchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { month, through, seed } = request.body;
      try {
        const audit = auditActorOf(request);
        const run = await runSampling(pool, params, {
          month,
          seed,
          through: through ? new Date(through) : undefined,
          beforeCommit: (tx, runId) =>
            auditRunCreated(tx, audit, runId, { month, through: through ?? null, seed: seed ?? null }),
        });
        return reply.status(201).send(run);
      } catch (error) {
        if (error instanceof SamplingRequestError) throw new ApiError(400, 'invalid_run', error.message);
        throw error;
      }
    },
  );

  app.get<{ Querystring: { limit?: number; after?: number } }>(
    '/sampling/runs',
    {
      config: { access: 'sampling.read' },
      schema: {
        summary: 'Sampling runs, newest first, a page at a time',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: pageLimit,
            after: { ...runId, description: 'the nextCursor of the previous page' },
          },
        },
        response: {
          200: page(runListing, {
            type: ['integer', 'null'],
            description: 'pass as `after` for the next page; null on the last',
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? DEFAULT_PAGE;
      const runs = await listRuns(pool, limit + 1, request.query.after);
      return {
        items: runs.slice(0, limit),
        nextCursor: runs.length > limit ? runs[limit - 1].runId : null,
      };
    },
  );

  app.get<{
    Params: { id: number };
    Querystring: { agent?: string; reason?: SampleReason; limit?: number; after?: string };
  }>(
    '/sampling/runs/:id',
    {
      config: { access: 'sampling.read' },
      schema: {
        summary:
          "One page of a run's picks; the first page (no `after`) also carries the quota maths per agent",
        params: runIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            agent: idString,
            reason: sampleReason,
            limit: pageLimit,
            after: { ...idString, description: 'the nextCursor of the previous page (a call id)' },
          },
        },
        response: { 200: runDetail, ...errorResponses },
      },
    },
    async (request) => {
      const { agent, reason, after } = request.query;
      // A supervisor sees the run cut to their teams' agents.
      const inScope = await agentsInScope(pool, callScopeOf(actorOf(request)));
      // The quota maths (every agent of the run: 240 KiB for a thousand agents) come with the first page only.
      const run = await getRunHeader(pool, request.params.id, {
        agent,
        inScope,
        withAgents: after === undefined,
      });
      if (!run) throw notFound(`sampling run ${request.params.id}`);
      try {
        const limit = request.query.limit ?? DEFAULT_PAGE;
        return { ...run, ...(await listRunItems(pool, run.runId, { agent, reason, after, limit, inScope })) };
      } catch (error) {
        if (error instanceof CursorError) throw new ApiError(400, 'invalid_cursor', error.message);
        throw error;
      }
    },
  );

  app.post<{ Params: { id: number } }>(
    '/sampling/runs/:id/replay',
    {
      config: { access: 'sampling.run' },
      schema: {
        params: runIdParams,
        response: { 200: replayReportSchema, ...errorResponses },
      },
    },
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
        response: { 201: manualPickSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      try {
        await requireVisibleCall({ actor: actorOf(request), tx: pool }, request.body.callId);
        const audit = auditActorOf(request);
        const { runId } = await withTransaction(pool, (tx) =>
          addManualPickAudited(
            { audit, tx },
            { callId: request.body.callId, note: request.body.note, timeZone: config.timeZone },
          ),
        );
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
