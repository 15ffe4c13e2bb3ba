import { isExecutable, skipWithoutTool } from './required-tool.ts';

/** Debian's chromium (apt-get install chromium); never a downloaded browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export function chromiumInstalled(): boolean {
  return isExecutable(CHROMIUM_PATH);
}

/** For `describe.skipIf(...)` in browser suites (see skipWithoutTool). */
export function skipWithoutBrowser(suite: string): boolean {
  return skipWithoutTool(suite, {
    installed: chromiumInstalled(),
    missing: `${CHROMIUM_PATH} is missing`,
    install: 'apt-get install chromium',
    requireEnv: 'CALLQA_REQUIRE_BROWSER',
  });
}
