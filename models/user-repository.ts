import type { Queryable } from './db.ts';
import type { Actor, Role } from './permissions.ts';

export interface UserRow {
  userId: number;
  username: string;
  role: Role;
  agentId?: string;
  teams: string[];
  disabled: boolean;
  createdAt: Date;
}

/** Who a user is (identity, role, agent, teams): the columns and mapping users and actors share. */
const IDENTITY_COLUMNS = `u.user_id, u.username, u.role, u.agent_id,
  coalesce((select array_agg(t.team_id order by t.team_id) from user_teams t where t.user_id = u.user_id), '{}') as teams`;

function identityOf(row: Record<string, unknown>) {
  return {
    userId: row.user_id as number,
    username: row.username as string,
    role: row.role as Role,
    ...(row.agent_id ? { agentId: row.agent_id as string } : {}),
    teams: row.teams as string[],
  };
}

const USER_COLUMNS = `${IDENTITY_COLUMNS}, u.disabled_at, u.created_at`;

function toUser(row: Record<string, unknown>): UserRow {
  return { ...identityOf(row), disabled: row.disabled_at !== null, createdAt: row.created_at as Date };
}

export async function insertUser(
  db: Queryable,
  user: { username: string; role: Role; agentId?: string; teams: string[]; passwordHash: string | null },
): Promise<number> {
  const { rows } = await db.query<{ user_id: number }>(
    `insert into users (username, role, agent_id, password_hash) values ($1, $2, $3, $4) returning user_id`,
    [user.username, user.role, user.agentId ?? null, user.passwordHash],
  );
  const userId = rows[0].user_id;
  await db.query(`insert into user_teams (user_id, team_id) select $1, unnest($2::text[])`, [
    userId,
    user.teams,
  ]);
  return userId;
}

export async function findUser(db: Queryable, username: string): Promise<UserRow | undefined> {
  const { rows } = await db.query(`select ${USER_COLUMNS} from users u where u.username = $1`, [username]);
  return rows[0] ? toUser(rows[0]) : undefined;
}

export async function listUsers(db: Queryable): Promise<UserRow[]> {
  const { rows } = await db.query(`select ${USER_COLUMNS} from users u order by u.username`);
  return rows.map(toUser);
}

/** Disables an account and ends its sessions; true when it was active. */
export async function disableUser(db: Queryable, userId: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `update users set disabled_at = now() where user_id = $1 and disabled_at is null`,
    [userId],
  );
  await db.query(`delete from sessions where user_id = $1`, [userId]);
  return rowCount === 1;
}

/** Replaces a user's password and ends their sessions. */
export async function setPasswordHash(db: Queryable, userId: number, passwordHash: string): Promise<void> {
  await db.query(`update users set password_hash = $2 where user_id = $1`, [userId, passwordHash]);
  await db.query(`delete from sessions where user_id = $1`, [userId]);
}

/** The password hash of an active user, for login. */
export async function loginCandidate(
  db: Queryable,
  username: string,
): Promise<{ userId: number; passwordHash: string | null } | undefined> {
  const { rows } = await db.query(
    `select user_id, password_hash from users where username = $1 and disabled_at is null`,
    [username],
  );
  return rows[0] ? { userId: rows[0].user_id, passwordHash: rows[0].password_hash } : undefined;
}

const ACTOR_COLUMNS = IDENTITY_COLUMNS;

function toActor(row: Record<string, unknown>, via: Actor['via']): Actor {
  return { ...identityOf(row), via };
}

/** The active user holding an unrevoked token with this hash (and notes its use, to the minute). */
export async function actorByTokenHash(db: Queryable, tokenHash: Buffer): Promise<Actor | undefined> {
  // Prepared under a name (as the session lookup): every request runs it, and parsing and planning
  // it each time cost PostgreSQL several times what running it does.
  const { rows } = await db.query({
    name: 'actor-by-token-hash',
    // The last use is kept to the minute: stamping it on every request made each request a write
    // and a commit (a WAL flush on a durable server) and serialised a script's parallel requests
    // on the token's row. Within the minute the statement only reads.
    text: `with token as (
       select token_id, user_id, last_used_at from api_tokens where token_hash = $1 and revoked_at is null),
     touched as (
       update api_tokens t set last_used_at = now() from token
       where t.token_id = token.token_id
         and (token.last_used_at is null or token.last_used_at < now() - interval '1 minute'))
     select ${ACTOR_COLUMNS} from token join users u using (user_id) where u.disabled_at is null`,
    values: [tokenHash],
  });
  return rows[0] ? toActor(rows[0], 'token') : undefined;
}

export async function actorBySessionHash(db: Queryable, sessionHash: Buffer): Promise<Actor | undefined> {
  const { rows } = await db.query({
    name: 'actor-by-session-hash',
    text: `select ${ACTOR_COLUMNS} from sessions s join users u using (user_id)
     where s.session_hash = $1 and s.expires_at > now() and u.disabled_at is null`,
    values: [sessionHash],
  });
  return rows[0] ? toActor(rows[0], 'session') : undefined;
}

export async function insertToken(db: Queryable, userId: number, tokenHash: Buffer): Promise<number> {
  const { rows } = await db.query<{ token_id: number }>(
    `insert into api_tokens (user_id, token_hash) values ($1, $2) returning token_id`,
    [userId, tokenHash],
  );
  return rows[0].token_id;
}

export interface TokenRow {
  tokenId: number;
  username: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revoked: boolean;
}

export async function listTokens(db: Queryable, username?: string): Promise<TokenRow[]> {
  const { rows } = await db.query(
    `select t.token_id, u.username, t.created_at, t.last_used_at, t.revoked_at
     from api_tokens t join users u using (user_id)
     where $1::text is null or u.username = $1 order by t.token_id`,
    [username ?? null],
  );
  return rows.map((r) => ({
    tokenId: r.token_id,
    username: r.username,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revoked: r.revoked_at !== null,
  }));
}

/** Revokes a token; its owner's username when it was live. */
export async function revokeToken(db: Queryable, tokenId: number): Promise<string | undefined> {
  const { rows } = await db.query<{ username: string }>(
    `update api_tokens t set revoked_at = now() from users u
     where t.token_id = $1 and t.revoked_at is null and u.user_id = t.user_id returning u.username`,
    [tokenId],
  );
  return rows[0]?.username;
}

export async function insertSession(
  db: Queryable,
  sessionHash: Buffer,
  userId: number,
  ttlSeconds: number,
): Promise<Date> {
  const { rows } = await db.query<{ expires_at: Date }>(
    `insert into sessions (session_hash, user_id, expires_at)
     values ($1, $2, now() + make_interval(secs => $3)) returning expires_at`,
    [sessionHash, userId, ttlSeconds],
  );
  // Expired sessions of anyone are cleared as new ones are made, so the table stays small.
  await db.query(`delete from sessions where expires_at < now() - interval '1 day'`);
  return rows[0].expires_at;
}

export async function deleteSession(db: Queryable, sessionHash: Buffer): Promise<void> {
  await db.query(`delete from sessions where session_hash = $1`, [sessionHash]);
}

export async function recordLoginAttempt(
  db: Queryable,
  attempt: { username: string; ip: string; succeeded: boolean },
): Promise<void> {
  await db.query(`insert into login_attempts (username, ip, succeeded) values ($1, $2, $3)`, [
    attempt.username,
    attempt.ip,
    attempt.succeeded,
  ]);
}

/**
 * Failures within the window: for the username since its last success, and
 * for the address. Counted by the username typed, so an unknown name locks
 * the same way a known one does and the answer never says which exist.
 */
export async function recentLoginFailures(
  db: Queryable,
  username: string,
  ip: string,
  windowSeconds: number,
): Promise<{ byUsername: number; byIp: number; lastFailureAt: Date | null }> {
  const { rows } = await db.query(
    `with since as (select now() - make_interval(secs => $3) as t)
     select
       (select count(*)::int from login_attempts, since where username = $1 and not succeeded and at > since.t
          and at > coalesce((select max(at) from login_attempts where username = $1 and succeeded), '-infinity'))
         as by_username,
       (select count(*)::int from login_attempts, since where ip = $2 and not succeeded and at > since.t) as by_ip,
       (select max(at) from login_attempts where username = $1 and not succeeded) as last_failure_at`,
    [username, ip, windowSeconds],
  );
  return {
    byUsername: rows[0].by_username,
    byIp: rows[0].by_ip,
    lastFailureAt: rows[0].last_failure_at,
  };
}
