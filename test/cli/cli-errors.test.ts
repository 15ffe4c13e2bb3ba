import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('callqa errors a user can fix', () => {
  it('names a taken embedded PostgreSQL port in one line, without a stack trace', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const { port } = squatter.address() as AddressInfo;
    const dataDir = await mkdtemp(join(tmpdir(), 'callqa-cli-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CALLQA_DATA_DIR: dataDir,
      CALLQA_EMBEDDED_PG_PORT: String(port),
    };
    delete env.DATABASE_URL;
    try {
      await run(process.execPath, ['--import', 'tsx', 'api/cli/main.ts', 'status'], { env });
      expect.unreachable('status should fail while the port is taken');
    } catch (error) {
      const { code, stderr } = error as { code: number; stderr: string };
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          new RegExp(`^callqa status: port ${port} on 127\\.0\\.0\\.1 is taken by another program`),
        ),
      ]);
    } finally {
      squatter.close();
    }
  });
});
