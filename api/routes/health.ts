import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../app.ts';
import { errorResponses, healthSchema } from '../response-schemas.ts';

export const healthRoutes: FastifyPluginAsync<AppDeps> = async (app, { pool }) => {
  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: { response: { 200: healthSchema, ...errorResponses } },
    },
    async () => {
      await pool.query('select 1');
      return { status: 'ok' };
    },
  );
};
