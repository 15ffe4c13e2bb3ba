import { execFile, spawn } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.ts';

let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm start on SIGTERM', () => {
  it('finishes the request in flight, shuts down in order, stops its PostgreSQL and exits 0', async () => {
    dir = await mkdtemp(join(tmpdir(), 'callqa-shutdown-'));
    const [port, pgPort] = [await freePort(), await freePort()];
    const env = {
      ...process.env,
      CALLQA_DATA_DIR: join(dir, 'data'),
      PORT: String(port),
      CALLQA_EMBEDDED_PG_PORT: String(pgPort),
      CALLQA_SAMPLING_DAILY: 'off',
      LOG_LEVEL: 'info',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    /** The CLI against the server's embedded PostgreSQL, as an operator makes the first admin. */
    const callqa = (...args: string[]) => {
      const running = promisify(execFile)(process.execPath, ['--import', 'tsx', 'api/cli/main.ts', ...args], {
        env,
      });
      running.child.stdin?.end(); // no password on stdin: one is generated
      return running;
    };
    let output = '';
    const waiters: Array<() => void> = [];
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString();
      for (const wake of waiters.splice(0)) wake();
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const said = async (text: string) => {
      while (!output.includes(text)) {
        if (child.exitCode !== null) throw new Error(`exited before saying "${text}":\n${output}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    };

    try {
      await said('Server listening');
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/calls/c1`)).status).toBe(401);
      await callqa('users', 'add', 'ops', '--role', 'admin');
      const authorization = `Bearer ${(await callqa('tokens', 'create', 'ops')).stdout.trim()}`;
      const created = await fetch(`${base}/calls`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({
          call_id: 'c1',
          agent_id: 'a1',
          started_at: '2026-10-08T09:15:02+08:00',
          duration_s: 30,
          direction: 'inbound',
        }),
      });
      expect(created.status).toBe(200);

      // An upload whose body is still arriving when SIGTERM comes.
      const upload = request(`${base}/calls/c1/recording`, {
        method: 'POST',
        headers: { 'content-type': 'audio/wav', authorization },
      });
      const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
        upload.once('response', (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.once('end', () => resolve({ status: res.statusCode!, body }));
        });
        upload.once('error', reject);
      });
      upload.write(Buffer.alloc(64 * 1024, 1));
      await said('/calls/c1/recording');
      child.kill('SIGTERM');
      await said('SIGTERM: shutting down');
      upload.end(Buffer.alloc(64 * 1024, 2));

      const response = await answered;
      expect(response.status).toBe(201);
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }

    const order = [
      'SIGTERM: shutting down',
      'shutdown: stop accepting HTTP requests',
      'shutdown: stop the daily sampler',
      'shutdown: stop the jobs',
      'shutdown: end the database pool',
      'stopping embedded PostgreSQL',
      'embedded PostgreSQL stopped',
      'shutdown complete',
    ].map((line) => output.indexOf(line));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(await portAnswers(pgPort)).toBe(false);
    await expect(access(join(dir, 'data', 'pg', 'postmaster.pid'))).rejects.toThrow();
  });
});
