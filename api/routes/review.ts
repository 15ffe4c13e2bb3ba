import type { FastifyPluginAsync } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { visibleCall } from '../../models/access-repository.ts';
import { withTransaction } from '../../models/db.ts';
import { callScopeOf } from '../../models/permissions.ts';
import { codePointLength, ID_PATTERN, MAX_ID_LENGTH } from '../../models/input-checks.ts';
import type { AppDeps } from '../app.ts';
import { actorOf } from '../auth/access.ts';
import { MONTH, planBody, queueQuery, reviewSubmission } from '../contracts/review.ts';
import { openRecording } from '../recordings/stream-recording.ts';
import {
  audioAnswer,
  callReviewViewSchema,
  errorBody,
  errorResponses,
  planProgressSchema,
  queuePageSchema,
  reviewSavedSchema,
} from '../response-schemas.ts';
import { callReviewView } from '../services/call-review-view.ts';
import { requirePlan, setPlan } from '../services/plan-service.ts';
import { reviewQueue } from '../services/review-queue.ts';
import { callNotFound, submitReview } from '../services/review-service.ts';
import { auditActorOf } from '../services/service-context.ts';

/** A call id as every other route takes it (models/input-checks.ts), as zod. */
const callId = z
  .string()
  .regex(new RegExp(ID_PATTERN))
  .refine((id) => codePointLength(id) <= MAX_ID_LENGTH, `at most ${MAX_ID_LENGTH} characters`);
const callParams = z.object({ id: callId });
const monthParams = z.object({ month: z.string().regex(MONTH, 'a month is YYYY-MM') });

/**
 * The review workspace (api/contracts/review.ts is the contract). Inputs are
 * validated by the contract's zod schemas, in this plugin only; a refused one
 * is the usual 400 invalid_path / invalid_query / invalid_body (app.ts).
 */
export const reviewRoutes: FastifyPluginAsync<AppDeps> = async (plugin, { pool, config }) => {
  plugin.setValidatorCompiler(validatorCompiler);
  const app = plugin.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/review/queue',
    {
      config: { access: 'reviews.read' },
      schema: {
        summary: 'The review queue: needs-review first, then by start time (keyset cursor)',
        querystring: queueQuery,
        response: { 200: queuePageSchema, ...errorResponses },
      },
    },
    async (request) => reviewQueue({ actor: actorOf(request), tx: pool }, request.query),
  );

  app.get(
    '/review/plans/:month',
    {
      config: { access: 'reviews.read' },
      schema: {
        summary: "A month's QA plan and its progress",
        params: monthParams,
        response: { 200: planProgressSchema, ...errorResponses },
      },
    },
    async (request) => requirePlan(pool, request.params.month),
  );

  app.put(
    '/review/plans/:month',
    {
      config: { access: 'plans.manage' },
      schema: {
        summary: "Sets a month's reviewers and quotas and assigns the month's scored picks to them",
        params: monthParams,
        body: planBody,
        response: { 200: planProgressSchema, ...errorResponses },
      },
    },
    async (request) => {
      const audit = auditActorOf(request);
      return withTransaction(pool, (tx) => setPlan({ audit, tx }, request.params.month, request.body));
    },
  );

  app.get(
    '/calls/:id/review',
    {
      config: { access: 'calls.read' },
      schema: {
        summary: 'Everything the review page shows about a call',
        params: callParams,
        response: { 200: callReviewViewSchema, ...errorResponses },
      },
    },
    async (request) => callReviewView({ actor: actorOf(request), tx: pool }, request.params.id),
  );

  app.get(
    '/calls/:id/audio',
    {
      config: { access: 'calls.read' },
      schema: {
        summary: "The call's local recording, streamed with HTTP Range (206, 416)",
        params: callParams,
        response: {
          200: audioAnswer('the whole recording'),
          206: audioAnswer('the requested byte range (Content-Range)'),
          416: { ...errorBody, description: 'the range starts past the end (Content-Range: bytes */size)' },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      // Scope and the call row in one statement: out of scope and missing are the same 404.
      const call = await visibleCall(pool, callScopeOf(actorOf(request)), request.params.id);
      if (!call) throw callNotFound(request.params.id);
      const opened = await openRecording(call, { roots: config.recordingRoots }, request.headers.range);
      if (opened.status === 416) {
        return reply
          .status(416)
          .header('content-range', opened.headers['content-range'])
          .header('accept-ranges', 'bytes')
          .send({
            code: 'range_not_satisfiable',
            message: `the recording has ${opened.headers['content-range'].split('/')[1]} bytes`,
          });
      }
      return reply.status(opened.status).headers(opened.headers).send(opened.body);
    },
  );

  app.post(
    '/calls/:id/reviews',
    {
      config: { access: 'scores.review' },
      schema: {
        summary: 'A review version of a call: item decisions, added deductions, the final score',
        params: callParams,
        body: reviewSubmission,
        response: { 201: reviewSavedSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const [actor, audit] = [actorOf(request), auditActorOf(request)];
      const saved = await withTransaction(pool, (tx) =>
        submitReview({ actor, audit, tx }, request.params.id, request.body, { timeZone: config.timeZone }),
      );
      return reply.status(201).send(saved);
    },
  );
};
