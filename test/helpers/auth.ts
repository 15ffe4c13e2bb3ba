import type { FastifyInstance, InjectOptions } from 'fastify';
import type pg from 'pg';
import { withTransaction } from '../../models/db.ts';
import type { Role } from '../../models/permissions.ts';
import { addUser, createToken } from '../../api/services/account-service.ts';

let counter = 0;

/** A user of this role on a test database, and a bearer token for them (as `callqa tokens create` makes). */
export async function createUserToken(
  pool: pg.Pool,
  role: Role = 'admin',
  scope: { agentId?: string; teams?: string[]; username?: string; password?: string } = {},
): Promise<{ username: string; token: string }> {
  counter += 1;
  const username = scope.username ?? `${role}-${counter}`;
  const audit = { userId: null, name: 'cli:test' };
  return withTransaction(pool, async (tx) => {
    await addUser(
      { audit, tx },
      { username, role, agentId: scope.agentId, teams: scope.teams ?? [], password: scope.password },
    );
    return { username, token: (await createToken({ audit, tx }, username)).token };
  });
}

/**
 * The app as a script holding this token sees it: every `inject` carries
 * `Authorization: Bearer <token>` unless the test sets its own header.
 */
export function withToken(app: FastifyInstance, token: string): FastifyInstance {
  const inject = (options: InjectOptions | string) => {
    const o = typeof options === 'string' ? { url: options } : options;
    return app.inject({ ...o, headers: { authorization: `Bearer ${token}`, ...o.headers } });
  };
  return new Proxy(app, {
    // Fastify is thenable (await app → ready); awaiting the wrapper must give the wrapper.
    get: (target, key) =>
      key === 'inject' ? inject : key === 'then' ? undefined : Reflect.get(target, key, target),
  }) as FastifyInstance;
}

/** An app signed in as a fresh admin, for tests about something other than access. */
export async function asAdmin(app: FastifyInstance, pool: pg.Pool): Promise<FastifyInstance> {
  return withToken(app, (await createUserToken(pool, 'admin')).token);
}
