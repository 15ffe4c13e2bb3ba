import type { FastifyPluginAsync } from 'fastify';
import { callScoreHistory } from '../../models/call-score-repository.ts';
import {
  failedCalls,
  getProcessing,
  getTranscript,
  pipelineCounts,
} from '../../models/pipeline-repository.ts';
import type { AppDeps } from '../app.ts';
import { notFound } from '../api-error.ts';
import { actorOf } from '../auth/access.ts';
import { callIdParams } from '../request-schemas.ts';
import { callScoresSchema, errorResponses, pipelineSchema, transcriptSchema } from '../response-schemas.ts';
import { requireVisibleCall } from '../services/call-service.ts';

/** What the pipeline made of a call: its state, transcript and scores (every scorecard version). */
export const resultRoutes: FastifyPluginAsync<AppDeps> = async (app, { pool }) => {
  app.get<{ Params: { id: string } }>(
    '/calls/:id/transcript',
    {
      config: { access: 'calls.read' },
      schema: { params: callIdParams, response: { 200: transcriptSchema, ...errorResponses } },
    },
    async (request) => {
      await requireVisibleCall({ actor: actorOf(request), tx: pool }, request.params.id);
      const transcript = await getTranscript(pool, request.params.id);
      if (!transcript) throw notFound(`a transcript of call ${request.params.id}`);
      return transcript;
    },
  );

  app.get<{ Params: { id: string } }>(
    '/calls/:id/scores',
    {
      config: { access: 'calls.read' },
      schema: { params: callIdParams, response: { 200: callScoresSchema, ...errorResponses } },
    },
    async (request) => {
      await requireVisibleCall({ actor: actorOf(request), tx: pool }, request.params.id);
      const processing = await getProcessing(pool, request.params.id);
      if (!processing) throw notFound(`call ${request.params.id} in the QA pipeline`);
      return { processing, scores: await callScoreHistory(pool, request.params.id) };
    },
  );

  app.get<{ Querystring: { failed?: number } }>(
    '/pipeline',
    {
      config: { access: 'pipeline.read' },
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            failed: {
              type: 'integer',
              minimum: 0,
              maximum: 1000,
              description: 'how many of the latest failed calls to list (default 50)',
            },
          },
        },
        response: { 200: pipelineSchema, ...errorResponses },
      },
    },
    async (request) => ({
      counts: await pipelineCounts(pool),
      failed: await failedCalls(pool, request.query.failed ?? 50),
    }),
  );
};
