import { parseArgs } from 'node:util';
import { withTransaction } from '../../../models/db.ts';
import { isRole, ROLES } from '../../../models/permissions.ts';
import { listTokens, listUsers } from '../../../models/user-repository.ts';
import {
  AccountError,
  addUser,
  createToken,
  disableAccount,
  revokeApiToken,
} from '../../services/account-service.ts';
import { cliActor as operator, EXIT, UsageError, withDatabase } from '../context.ts';

const USERS_USAGE = `usage: callqa users add <username> --role ${ROLES.join('|')} [--agent ID] [--teams T1,T2]
         (password from stdin; with none, one is generated and printed once)
       callqa users list
       callqa users disable <username>`;
const TOKENS_USAGE = `usage: callqa tokens create <username>   (prints the token once)
       callqa tokens list [<username>]
       callqa tokens revoke <token-id>`;

export async function usersCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { role: { type: 'string' }, agent: { type: 'string' }, teams: { type: 'string' } },
  });
  const [action, username, ...rest] = positionals;
  if (rest.length > 0) throw new UsageError(USERS_USAGE);
  if (action === 'list' && !username) {
    return withDatabase(async ({ database, out }) => {
      for (const u of await listUsers(database.pool)) {
        const scope = u.agentId ? ` agent=${u.agentId}` : u.teams.length ? ` teams=${u.teams.join(',')}` : '';
        out(`${u.username}\t${u.role}${scope}${u.disabled ? '\tdisabled' : ''}`);
      }
      return EXIT.ok;
    });
  }
  if (action === 'disable' && username) {
    return accountAction(async (tx, out) => {
      await disableAccount({ audit: operator(), tx }, username);
      out(`user ${username} disabled; their sessions are ended and their tokens no longer work`);
    });
  }
  if (action !== 'add' || !username || !values.role || !isRole(values.role))
    throw new UsageError(USERS_USAGE);
  const role = values.role;
  const password = await passwordFromStdin();
  return accountAction(async (tx, out) => {
    const added = await addUser(
      { audit: operator(), tx },
      {
        username,
        role,
        agentId: values.agent,
        teams: values.teams
          ? values.teams
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean)
          : [],
        password,
      },
    );
    out(`user ${username} added (${role})`);
    if (added.generatedPassword) out(`password (shown once): ${added.generatedPassword}`);
  });
}

export async function tokensCommand(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const [action, subject, ...rest] = positionals;
  if (rest.length > 0) throw new UsageError(TOKENS_USAGE);
  if (action === 'create' && subject) {
    return accountAction(async (tx, out) => {
      const { token, tokenId } = await createToken({ audit: operator(), tx }, subject);
      process.stderr.write(
        `token ${tokenId} for ${subject} (shown once; send it as Authorization: Bearer …)\n`,
      );
      out(token);
    });
  }
  if (action === 'list') {
    return withDatabase(async ({ database, out }) => {
      for (const t of await listTokens(database.pool, subject)) {
        const used = t.lastUsedAt ? `last used ${t.lastUsedAt.toISOString()}` : 'never used';
        out(`${t.tokenId}\t${t.username}\t${t.createdAt.toISOString()}\t${t.revoked ? 'revoked' : used}`);
      }
      return EXIT.ok;
    });
  }
  if (action === 'revoke' && subject && /^[1-9]\d{0,15}$/.test(subject)) {
    return accountAction(async (tx, out) => {
      const username = await revokeApiToken({ audit: operator(), tx }, Number(subject));
      out(`token ${subject} of ${username} revoked`);
    });
  }
  throw new UsageError(TOKENS_USAGE);
}

async function accountAction(
  work: (
    tx: Parameters<Parameters<typeof withTransaction>[1]>[0],
    out: (line?: string) => void,
  ) => Promise<void>,
): Promise<number> {
  return withDatabase(async ({ database, out }) => {
    try {
      await withTransaction(database.pool, (tx) => work(tx, out));
      return EXIT.ok;
    } catch (error) {
      if (!(error instanceof AccountError)) throw error;
      process.stderr.write(`${error.message} [${error.code}]\n`);
      return EXIT.failed;
    }
  });
}

/** The password piped on stdin (first line); none on a terminal or an empty stdin. */
async function passwordFromStdin(): Promise<string | undefined> {
  if (process.stdin.isTTY) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
  return line ? line : undefined;
}
