import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** The fixture process, signalled as `signals` says (ms after it is ready); its output and exit code. */
async function shutDown(
  signals: Array<[NodeJS.Signals, number]>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/shutdown-fixture.ts', '2500'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const ready = new Promise<void>((resolve) =>
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready')) resolve();
    }),
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await ready;
  for (const [signal, afterMs] of signals) setTimeout(() => child.kill(signal), afterMs);
  return { code: await exited, output };
}

describe('shutdown on signals', () => {
  it('takes the same Ctrl-C delivered twice (terminal and npm) as one, and finishes the shutdown', async () => {
    const { code, output } = await shutDown([
      ['SIGINT', 0],
      ['SIGINT', 20],
    ]);
    expect(output).toContain('shutdown complete');
    expect(output).not.toContain('again');
    expect(code).toBe(0);
  });

  it('exits at once on a second signal that comes later', async () => {
    const { code, output } = await shutDown([
      ['SIGTERM', 0],
      ['SIGTERM', 1500],
    ]);
    expect(output).toContain('SIGTERM again: exiting without finishing the shutdown');
    expect(output).not.toContain('shutdown complete');
    expect(code).toBe(1);
  });
});
