import { spawn } from 'node:child_process';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The CLI as an operator runs it against a test database (`DATABASE_URL`)
 * and data directory, with `stdin` piped in (or empty).
 */
export function runCli(
  env: { databaseUrl: string; dataDir: string },
  args: string[],
  stdin = '',
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/cli/main.ts', ...args], {
      env: {
        ...process.env,
        DATABASE_URL: env.databaseUrl,
        CALLQA_DATA_DIR: env.dataDir,
        LOG_LEVEL: 'silent',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
