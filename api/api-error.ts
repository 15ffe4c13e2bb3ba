import type { FastifyRequest } from 'fastify';

/**
 * An error a client can act on: a status, a stable machine-readable code and
 * a message, plus optional details (e.g. `{ problems: [...] }` with a code and
 * parameters each) sent alongside them.
 */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} does not exist`);

/** "route GET /x" for a 404 message: the path only (no query), cut to a readable length. */
export function describeRoute(request: FastifyRequest): string {
  const path = request.url.split('?')[0];
  return `route ${request.method} ${path.length > 200 ? `${path.slice(0, 200)}…` : path}`;
}
