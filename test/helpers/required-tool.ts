import { accessSync, constants } from 'node:fs';

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * For `describe.skipIf(...)` in suites that need a system tool: true (skip)
 * when it is missing, after one line saying why and how to install it. With
 * `<requireEnv>=1` (as .ci/run sets) a missing tool is never a skip: the
 * suite runs and fails on it.
 */
export function skipWithoutTool(
  suite: string,
  tool: { installed: boolean; missing: string; install: string; requireEnv: string },
): boolean {
  if (tool.installed || process.env[tool.requireEnv] === '1') return false;
  console.warn(
    `skipped "${suite}": ${tool.missing} (${tool.install} to run it; ${tool.requireEnv}=1 makes this a failure)`,
  );
  return true;
}
