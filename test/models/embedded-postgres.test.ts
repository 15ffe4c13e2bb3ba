import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, unlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../models/embedded-postgres.ts';
import { freePort } from '../helpers/free-port.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'callqa-embedded-pg-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function fresh(): Promise<{ dataDir: string; port: number }> {
  return { dataDir: join(await mkdtemp(join(root, 'cluster-')), 'pg'), port: await freePort() };
}

function start(cluster: { dataDir: string; port: number }): Promise<EmbeddedServer> {
  return startEmbeddedPostgres({ ...cluster, durable: false, log: () => {} });
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function postmasterPid(dataDir: string): Promise<number | undefined> {
  const text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : Number(text.split('\n')[0]);
}

function withPassword(url: string, password: string): string {
  const u = new URL(url);
  u.password = password;
  return u.toString();
}

describe('embedded PostgreSQL lifecycle', () => {
  it('generates a superuser password once per data directory, readable by its owner only', async () => {
    const cluster = await fresh();
    const server = await start(cluster);
    try {
      const file = `${cluster.dataDir}.callqa/superuser-password`;
      const info = await stat(file);
      expect(info.mode & 0o777).toBe(0o600);
      expect(info.uid).toBe(userInfo().uid);
      const password = (await readFile(file, 'utf8')).trim();
      expect(password).not.toBe('callqa');
      expect(password.length).toBeGreaterThanOrEqual(32);
      expect(new URL(server.adminUrl).password).toBe(password);
      expect(await answers(server.adminUrl)).toBe(true);
      expect(await answers(withPassword(server.adminUrl, 'callqa'))).toBe(false);
      const { stdout: ps } = await promisify(execFile)('ps', ['-eo', 'args']);
      expect(ps).not.toContain(password);
    } finally {
      await server.stop();
    }
    const again = await start(cluster);
    expect(new URL(again.adminUrl).password).toBe(
      (await readFile(`${cluster.dataDir}.callqa/superuser-password`, 'utf8')).trim(),
    );
    await again.stop();
  });

  it('joins a running server, and the last process to leave stops it', async () => {
    const cluster = await fresh();
    const first = await start(cluster);
    const second = await start(cluster);
    expect(first.started).toBe(true);
    expect(second.started).toBe(false);
    await first.stop();
    expect(await answers(second.adminUrl)).toBe(true);
    await second.stop();
    expect(await postmasterPid(cluster.dataDir)).toBeUndefined();
    expect(await answers(second.adminUrl)).toBe(false);
  });

  it('starts again after its postmaster was killed with -9', async () => {
    const cluster = await fresh();
    const first = await start(cluster);
    const pid = (await postmasterPid(cluster.dataDir))!;
    process.kill(pid, 'SIGKILL');
    // SIGKILL is delivered asynchronously: "after" means once the process is gone.
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await start(cluster);
    try {
      expect(second.started).toBe(true);
      expect(await postmasterPid(cluster.dataDir)).not.toBe(pid);
      await second.ensureDatabase('after_crash');
      expect(await answers(second.urlFor('after_crash'))).toBe(true);
    } finally {
      await second.stop();
      await first.stop();
    }
    expect(await postmasterPid(cluster.dataDir)).toBeUndefined();
  });

  it('adopts the server of a process killed with -9, and stops it when done', async () => {
    const cluster = await fresh();
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/embedded-postgres-process.ts'], {
      env: { ...process.env, DATA_DIR: cluster.dataDir, PG_PORT: String(cluster.port) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const said = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
      child.once('exit', (code) => reject(new Error(`helper exited with ${code}`)));
    });
    expect(said).toBe('ready started');
    const orphan = (await postmasterPid(cluster.dataDir))!;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    const server = await start(cluster);
    expect(server.started).toBe(false);
    expect(await postmasterPid(cluster.dataDir)).toBe(orphan);
    expect(await answers(server.adminUrl)).toBe(true);
    await server.stop();
    expect(await postmasterPid(cluster.dataDir)).toBeUndefined();
  });

  it('replaces the old fixed password `callqa` of an existing cluster with a generated one', async () => {
    const cluster = await fresh();
    const made = await start(cluster);
    const client = new pg.Client(made.adminUrl);
    await client.connect();
    await client.query(`alter role postgres password 'callqa'`);
    await client.end();
    await made.stop();
    await unlink(`${cluster.dataDir}.callqa/superuser-password`);

    const server = await start(cluster);
    try {
      const password = (await readFile(`${cluster.dataDir}.callqa/superuser-password`, 'utf8')).trim();
      expect(password).not.toBe('callqa');
      expect(new URL(server.adminUrl).password).toBe(password);
      expect(await answers(server.adminUrl)).toBe(true);
      expect(await answers(withPassword(server.adminUrl, 'callqa'))).toBe(false);
    } finally {
      await server.stop();
    }
  });

  it('refuses a port another program holds, with one clear error', async () => {
    const cluster = await fresh();
    const squatter = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => squatter.listen(cluster.port, '127.0.0.1', resolve));
    try {
      await expect(start(cluster)).rejects.toMatchObject({
        code: 'port_in_use',
        message: expect.stringContaining(`port ${cluster.port} on 127.0.0.1 is taken by another program`),
      });
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
