import { accessSync, constants } from 'node:fs';

/** Debian's chromium (apt-get install chromium); never a downloaded browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export function chromiumInstalled(): boolean {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * For `describe.skipIf(...)` in browser suites: true (skip) when chromium is
 * missing, after one line saying why. With CALLQA_REQUIRE_BROWSER=1 a missing
 * browser is never a skip: the suite runs and fails on it.
 */
export function skipWithoutBrowser(suite: string): boolean {
  if (chromiumInstalled() || process.env.CALLQA_REQUIRE_BROWSER === '1') return false;
  console.warn(
    `skipped "${suite}": ${CHROMIUM_PATH} is missing (apt-get install chromium to run it; ` +
      'CALLQA_REQUIRE_BROWSER=1 makes this a failure)',
  );
  return true;
}
