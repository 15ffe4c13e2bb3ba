import Fastify, { type FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Config } from '../models/config.ts';
import { ApiError } from './api-error.ts';
import { callRoutes } from './routes/calls.ts';
import { healthRoutes } from './routes/health.ts';
import { resultRoutes } from './routes/results.ts';
import { samplingRoutes } from './routes/sampling.ts';
import { scoreRoutes } from './routes/scores.ts';

export interface AppDeps {
  pool: pg.Pool;
  config: Config;
}

/** Builds the HTTP API without listening, so tests drive it with app.inject(). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.config.logLevel === 'silent' ? false : { level: deps.config.logLevel },
    bodyLimit: 20 * 1024 * 1024,
  });
  app.setErrorHandler(
    (error: Error & { statusCode?: number; code?: string; validation?: unknown }, request, reply) => {
      if (error instanceof ApiError) {
        return reply.status(error.statusCode).send({ code: error.code, message: error.message });
      }
      if (error.validation) {
        return reply.status(400).send({ code: 'invalid_request', message: error.message });
      }
      const status = error.statusCode ?? 500;
      if (status < 500)
        return reply.status(status).send({ code: error.code ?? 'bad_request', message: error.message });
      request.log.error(error);
      return reply
        .status(500)
        .send({ code: 'internal_error', message: 'internal error; see the server log' });
    },
  );
  await app.register(healthRoutes, deps);
  await app.register(callRoutes, deps);
  await app.register(samplingRoutes, deps);
  await app.register(scoreRoutes, deps);
  await app.register(resultRoutes, deps);
  return app;
}
