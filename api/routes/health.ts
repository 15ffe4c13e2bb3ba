import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../app.ts';

export const healthRoutes: FastifyPluginAsync<AppDeps> = async (app, { pool }) => {
  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } },
    },
    async () => {
      await pool.query('select 1');
      return { status: 'ok' };
    },
  );
};
