import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { ApiError } from '../api-error.ts';
import { WEB_DIST_DIR } from '../web/build.ts';

/** Where the review workspace is served; the API keeps its own paths. */
export const WEB_APP_PREFIX = '/app';

/**
 * The app shell's policy. Scripts, media, data and workers come from this
 * server only; styles also inline, because Ant Design and wavesurfer.js put
 * their CSS in <style> elements at run time. No framing (clickjacking).
 */
export const WEB_APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', WEB_APP_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer');
}

/**
 * The built web app (api/web/dist, made by api/web/build.ts) at /app/:
 * hashed assets under /app/assets/ cached for good, and every other /app/
 * path answered with the shell (index.html, never cached) so deep links such
 * as /app/calls/42 load the app, which routes them itself. `/` leads to it.
 * Public: the shell and bundles hold no data; the API they call checks access.
 */
export const webAppRoutes: FastifyPluginAsync = async (app) => {
  const distDir = WEB_DIST_DIR;
  await app.register(fastifyStatic, { root: distDir, serve: false, decorateReply: true });
  const hidden = { hide: true };

  app.get('/', { config: { access: 'public' }, schema: hidden }, async (_request, reply) =>
    reply.redirect(`${WEB_APP_PREFIX}/`, 302),
  );
  app.get(WEB_APP_PREFIX, { config: { access: 'public' }, schema: hidden }, async (_request, reply) =>
    reply.redirect(`${WEB_APP_PREFIX}/`, 302),
  );

  app.get<{ Params: { '*': string } }>(
    `${WEB_APP_PREFIX}/assets/*`,
    { config: { access: 'public' }, schema: hidden },
    async (request, reply) =>
      securityHeaders(reply).sendFile(join('assets', request.params['*']), {
        immutable: true,
        maxAge: '365d',
      }),
  );

  app.get(
    `${WEB_APP_PREFIX}/*`,
    { config: { access: 'public' }, schema: hidden },
    async (_request, reply) => {
      if (!existsSync(join(distDir, 'index.html'))) {
        throw new ApiError(503, 'web_app_not_built', 'the web app is not built; run npm run build:web');
      }
      return securityHeaders(reply)
        .header('cache-control', 'no-cache')
        .sendFile('index.html', { cacheControl: false });
    },
  );
};
