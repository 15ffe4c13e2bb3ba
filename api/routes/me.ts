import type { FastifyPluginAsync } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../app.ts';
import { actorOf } from '../auth/access.ts';
import { myCallsQuery } from '../contracts/my-calls.ts';
import { errorResponses, myCallsPageSchema } from '../response-schemas.ts';
import { myCalls } from '../services/my-calls.ts';

/** The signed-in user's own things (api/contracts/my-calls.ts): an agent's calls. */
export const meRoutes: FastifyPluginAsync<AppDeps> = async (plugin, { pool }) => {
  plugin.setValidatorCompiler(validatorCompiler);
  const app = plugin.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/me/calls',
    {
      config: { access: 'calls.read' },
      schema: {
        summary: "An agent's own sampled, scored calls, newest first (keyset cursor); other roles 403",
        querystring: myCallsQuery,
        response: { 200: myCallsPageSchema, ...errorResponses },
      },
    },
    async (request) => myCalls({ actor: actorOf(request), tx: pool }, request.query),
  );
};
