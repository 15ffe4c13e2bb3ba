import { writeAudit } from '../../models/audit-repository.ts';
import type { Queryable } from '../../models/db.ts';
import {
  generatePassword,
  hashPassword,
  MIN_PASSWORD_LENGTH,
  newSecret,
  sha256,
  TOKEN_PREFIX,
  verifyPassword,
} from '../../models/credentials.ts';
import { ID_PATTERN } from '../../models/input-checks.ts';
import type { Role } from '../../models/permissions.ts';
import {
  deleteSession,
  disableUser,
  findUser,
  insertSession,
  insertToken,
  insertUser,
  loginCandidate,
  recentLoginFailures,
  recordLoginAttempt,
  revokeToken,
  setPasswordHash,
} from '../../models/user-repository.ts';
import { ApiError } from '../api-error.ts';
import { auditFields, type AuditActor } from './service-context.ts';

/**
 * Accounts: the operator's CLI and the login routes use these. Each takes
 * `{ audit, tx }` and writes its audit row in that transaction.
 */
export interface AccountContext {
  audit: AuditActor;
  tx: Queryable;
}

/** An error a CLI or route shows as is: a stable code and a message. */
export class AccountError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;

export async function addUser(
  ctx: AccountContext,
  input: { username: string; role: Role; agentId?: string; teams: string[]; password?: string },
): Promise<{ userId: number; generatedPassword?: string }> {
  if (!USERNAME.test(input.username)) {
    throw new AccountError('invalid_username', 'a username is 1–64 letters, digits, or . _ @ -');
  }
  if ((input.role === 'agent') !== (input.agentId !== undefined)) {
    throw new AccountError(
      'agent_id_mismatch',
      'an agent user needs --agent ID, and only an agent user takes it',
    );
  }
  if (input.role !== 'supervisor' && input.teams.length > 0) {
    throw new AccountError('teams_mismatch', 'only a supervisor user takes --teams');
  }
  if (input.role === 'supervisor' && input.teams.length === 0) {
    throw new AccountError('teams_mismatch', 'a supervisor user needs --teams T1,T2');
  }
  const idPattern = new RegExp(ID_PATTERN, 'u');
  for (const id of [input.agentId ?? 'x', ...input.teams]) {
    if (!idPattern.test(id)) throw new AccountError('invalid_id', `"${id}" is not a valid agent or team id`);
  }
  if (input.password !== undefined && input.password.length < MIN_PASSWORD_LENGTH) {
    throw new AccountError('password_too_short', `a password has at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (await findUser(ctx.tx, input.username)) {
    throw new AccountError('user_exists', `user ${input.username} already exists`);
  }
  const generatedPassword = input.password === undefined ? generatePassword() : undefined;
  const userId = await insertUser(ctx.tx, {
    username: input.username,
    role: input.role,
    agentId: input.agentId,
    teams: input.teams,
    passwordHash: await hashPassword(input.password ?? generatedPassword!),
  });
  await writeAudit(ctx.tx, {
    ...auditFields(ctx.audit),
    action: 'user_added',
    target: `user:${input.username}`,
    before: null,
    after: { role: input.role, agentId: input.agentId ?? null, teams: input.teams },
  });
  return { userId, ...(generatedPassword ? { generatedPassword } : {}) };
}

export async function disableAccount(ctx: AccountContext, username: string): Promise<void> {
  const user = await findUser(ctx.tx, username);
  if (!user) throw new AccountError('user_not_found', `user ${username} does not exist`);
  if (!(await disableUser(ctx.tx, user.userId))) {
    throw new AccountError('already_disabled', `user ${username} is already disabled`);
  }
  await writeAudit(ctx.tx, {
    ...auditFields(ctx.audit),
    action: 'user_disabled',
    target: `user:${username}`,
    before: { disabled: false },
    after: { disabled: true },
  });
}

/**
 * A new generated password for a user, returned once; their sessions end
 * (tokens stay: they are revoked one by one).
 */
export async function resetPassword(ctx: AccountContext, username: string): Promise<string> {
  const user = await findUser(ctx.tx, username);
  if (!user) throw new AccountError('user_not_found', `user ${username} does not exist`);
  const password = generatePassword();
  await setPasswordHash(ctx.tx, user.userId, await hashPassword(password));
  await writeAudit(ctx.tx, {
    ...auditFields(ctx.audit),
    action: 'password_reset',
    target: `user:${username}`,
    before: null,
    after: null,
  });
  return password;
}

/** A new API token for a user: returned once, stored only as its SHA-256. */
export async function createToken(
  ctx: AccountContext,
  username: string,
): Promise<{ tokenId: number; token: string }> {
  const user = await findUser(ctx.tx, username);
  if (!user) throw new AccountError('user_not_found', `user ${username} does not exist`);
  if (user.disabled) throw new AccountError('user_disabled', `user ${username} is disabled`);
  const token = newSecret(TOKEN_PREFIX);
  const tokenId = await insertToken(ctx.tx, user.userId, sha256(token));
  await writeAudit(ctx.tx, {
    ...auditFields(ctx.audit),
    action: 'token_created',
    target: `user:${username}`,
    after: { tokenId },
  });
  return { tokenId, token };
}

export async function revokeApiToken(ctx: AccountContext, tokenId: number): Promise<string> {
  const username = await revokeToken(ctx.tx, tokenId);
  if (!username) throw new AccountError('token_not_found', `no live token ${tokenId}`);
  await writeAudit(ctx.tx, {
    ...auditFields(ctx.audit),
    action: 'token_revoked',
    target: `user:${username}`,
    before: { tokenId, revoked: false },
    after: { tokenId, revoked: true },
  });
  return username;
}

/**
 * Login limits, kept in PostgreSQL (login_attempts) rather than in memory:
 * they hold across restarts and across several API processes sharing the
 * database, and every attempt is evidence the audit log points to anyway.
 * After LOCK_AFTER_FAILURES failures of one username (since its last
 * success) within LOCK_MINUTES, that username is locked until LOCK_MINUTES
 * after its last failure; one address gets IP_MAX_FAILURES failures per
 * LOCK_MINUTES whatever names it tries.
 */
export const LOGIN_POLICY = {
  lockAfterFailures: 5,
  lockMinutes: 15,
  ipMaxFailures: 30,
  sessionHours: 12,
} as const;

export async function login(
  tx: Queryable,
  input: { username: string; password: string; ip: string },
): Promise<
  { ok: true; sessionId: string; expiresAt: Date; maxAgeS: number } | { ok: false; error: ApiError }
> {
  // Refusals are returned, not thrown, so the attempt and its audit rows commit with the transaction.
  const windowS = LOGIN_POLICY.lockMinutes * 60;
  const failures = await recentLoginFailures(tx, input.username, input.ip, windowS);
  const attempt = { actor: input.username, ip: input.ip, target: `user:${input.username}` };
  if (failures.byUsername >= LOGIN_POLICY.lockAfterFailures || failures.byIp >= LOGIN_POLICY.ipMaxFailures) {
    await writeAudit(tx, { ...attempt, action: 'login_refused_locked', after: failures });
    return {
      ok: false,
      error: new ApiError(
        429,
        'login_locked',
        `too many failed logins; try again in ${LOGIN_POLICY.lockMinutes} minutes`,
      ),
    };
  }
  const candidate = await loginCandidate(tx, input.username);
  const ok = await verifyPassword(input.password, candidate?.passwordHash);
  await recordLoginAttempt(tx, { username: input.username, ip: input.ip, succeeded: ok && !!candidate });
  if (!ok || !candidate) {
    await writeAudit(tx, { ...attempt, action: 'login_failed' });
    if (failures.byUsername + 1 === LOGIN_POLICY.lockAfterFailures) {
      await writeAudit(tx, {
        ...attempt,
        action: 'login_locked',
        after: { failures: LOGIN_POLICY.lockAfterFailures, minutes: LOGIN_POLICY.lockMinutes },
      });
    }
    return { ok: false, error: new ApiError(401, 'invalid_credentials', 'wrong username or password') };
  }
  const sessionId = newSecret();
  const maxAgeS = LOGIN_POLICY.sessionHours * 3600;
  const expiresAt = await insertSession(tx, sha256(sessionId), candidate.userId, maxAgeS);
  await writeAudit(tx, { ...attempt, actorUserId: candidate.userId, action: 'login', after: { expiresAt } });
  return { ok: true, sessionId, expiresAt, maxAgeS };
}

export async function logout(ctx: AccountContext, sessionId: string | undefined): Promise<void> {
  if (sessionId) await deleteSession(ctx.tx, sha256(sessionId));
  await writeAudit(ctx.tx, { ...auditFields(ctx.audit), action: 'logout' });
}
