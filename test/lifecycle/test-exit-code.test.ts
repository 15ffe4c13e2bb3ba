import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * `npm test` on one fixture file with the project's own config, global setup
 * included (it starts the embedded PostgreSQL, whose old package's exit hook
 * once turned every run into exit code 0).
 */
function npmTest(fixture: 'passing' | 'failing'): Promise<{ code: number | null; output: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')));
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['test', '--', '--config', 'test/fixtures/exit-code/vitest.config.ts'], {
      env: { ...env, EXIT_CODE_FIXTURE: fixture },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

describe('npm test exit code', () => {
  it('is non-zero when a test fails', async () => {
    const { code, output } = await npmTest('failing');
    expect(output).toMatch(/fails on purpose/);
    expect(output).toMatch(/1 failed/);
    expect(code).not.toBe(0);
  });

  it('is 0 when every test passes', async () => {
    const { code, output } = await npmTest('passing');
    expect(output).toMatch(/1 passed/);
    expect(code).toBe(0);
  });
});
