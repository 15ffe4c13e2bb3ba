import { spawn, type ChildProcess } from 'node:child_process';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port.ts';
import { isExecutable, skipWithoutTool } from './required-tool.ts';

/** Whether a `redis-server` executable is on the PATH. */
export function redisServerOnPath(): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => isExecutable(join(dir, 'redis-server')));
}

/** For `describe.skipIf(...)` in suites that need redis-server (see skipWithoutTool). */
export function skipWithoutRedis(suite: string): boolean {
  return skipWithoutTool(suite, {
    installed: redisServerOnPath(),
    missing: 'redis-server is not on the PATH',
    install: 'apt-get install redis-server',
    requireEnv: 'CALLQA_REQUIRE_REDIS',
  });
}

/** Resolves when a spawned redis-server says it accepts connections (stdout piped); rejects on error or timeout. */
export function redisReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), timeoutMs);
    child.once('error', (error) =>
      reject(new Error(`cannot run redis-server (apt-get install redis-server): ${error.message}`)),
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

/** A real redis-server of our own on a free loopback port, no persistence (installed by .ci/run). */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await redisReady(child, 10_000);
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
