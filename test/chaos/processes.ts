import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../audio/media-paths.ts';
import { redisReady } from '../helpers/redis-server.ts';

/**
 * Every process the chaos run starts is a process-group leader, so a kill -9
 * takes its ffmpeg children with it (as a crashed container would) and the
 * final sweep leaves nothing behind, whatever ended the run.
 */
const live = new Set<ChildProcess>();

export function killAllNow(): void {
  for (const child of live) killGroup(child, 'SIGKILL');
  live.clear();
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** One role of the app (`api/main.ts`, `workers/main.ts`) as its own OS process, logging to a file. */
export class NodeService {
  private child?: ChildProcess;
  private expectingExit = false;
  /** Exits we did not cause (a crash), each with its code or signal; the service is started again. */
  readonly unexpectedExits: string[] = [];

  constructor(
    readonly name: string,
    private readonly script: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logDir: string,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get logFile(): string {
    return join(this.logDir, `${this.name}.log`);
  }

  start(): void {
    this.expectingExit = false;
    const fd = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', this.script], {
      cwd: repoRoot,
      env: this.env,
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    closeSync(fd);
    live.add(child);
    child.once('exit', (code, signal) => {
      live.delete(child);
      if (this.expectingExit || this.child !== child) return;
      this.unexpectedExits.push(`${new Date().toISOString()} exit ${code ?? signal}`);
      // as a supervisor would: start it again, after a pause so a crash loop cannot spin
      setTimeout(() => {
        if (this.child === child && !this.expectingExit) this.start();
      }, 2_000).unref();
    });
    this.child = child;
  }

  /** kill -9 of the process (and its group); resolves once it is gone. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.expectingExit = true;
    killGroup(child, 'SIGKILL');
    await exited(child);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.expectingExit = true;
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 20_000);
    await exited(child);
    clearTimeout(timer);
  }

  tail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }
}

/**
 * A redis-server of the run's own on loopback, with an append-only file
 * fsynced on every write: a kill -9 then loses nothing, and a restart on the
 * same directory reloads every job.
 */
export class ChaosRedis {
  private child?: ChildProcess;

  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    live.add(child);
    child.once('exit', () => live.delete(child));
    this.child = child;
    await redisReady(child, 30_000);
  }

  async kill9(): Promise<void> {
    if (!this.child) return;
    killGroup(this.child, 'SIGKILL');
    await exited(this.child);
  }
}

/** The postmaster's pid from its data directory, for the last-resort sweep. */
export function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
