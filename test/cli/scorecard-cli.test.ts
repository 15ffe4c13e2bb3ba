import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** The CLI as a user runs it: a child process, its output and its exit code. */
async function callqa(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'api/cli/main.ts', ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('callqa scorecard', () => {
  it('test prints per-rule precision, recall and F1 at each CER and passes the quality gate', async () => {
    const result = await callqa(
      'scorecard',
      'test',
      'workers/scoring/scorecards/default-zh.yaml',
      'test/scoring/labelled/default-zh.jsonl',
      '--cer',
      '0,0.1',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/rule\s+labelled\s+fails\s+precision\s+recall\s+F1/);
    expect(result.stdout).toMatch(/simulated CER 0\.1/);
    expect(result.stdout).toMatch(/greeting-hello\s+240/);
  });

  it('check names the file, the path inside it and what is wrong', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'callqa-card-'));
    const file = join(dir, 'broken.yaml');
    await writeFile(
      file,
      'id: Broken Card\nversion: 1\nlanguage: zh\nname: x\npassThreshold: 80\nitems: []\n',
    );
    const result = await callqa('scorecard', 'check', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/broken\.yaml/);
    expect(result.stderr).toMatch(/id/);
    expect(result.stderr).toMatch(/items/);
  });

  it('bad usage exits 2 with the usage text', async () => {
    const result = await callqa('scorecard', 'test');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/usage:/);
  });
});
