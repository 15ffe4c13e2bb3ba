import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The web app's folder (api/web) and its build output, served at /app/. */
export const WEB_DIR = dirname(fileURLToPath(import.meta.url));
export const WEB_DIST_DIR = join(WEB_DIR, 'dist');
const REPO_DIR = join(WEB_DIR, '..', '..');
const STAMP_FILE = 'build-stamp.txt';

/**
 * What the built app is made of: its sources, its build settings, the HTTP
 * contract and session constants it imports (with the sample reasons), the
 * shared review and total-score rules, and the lock file (a dependency upgrade
 * changes the bundle too).
 */
const INPUTS = [
  'api/web/src',
  'api/web/index.html',
  'api/web/vite.config.ts',
  'api/web/build.ts',
  'api/contracts',
  'sampling/sample-reasons.ts',
  'workers/scoring/total-score.ts',
  'api/services/apply-review.ts',
  'package-lock.json',
];

/** A hash of every input file's path and bytes, in a stable order. */
export async function sourceStamp(): Promise<string> {
  const hash = createHash('sha256');
  for (const input of INPUTS) {
    for (const file of await filesUnder(join(REPO_DIR, input))) {
      hash.update(relative(REPO_DIR, file)).update('\0');
      hash.update(await readFile(file)).update('\0');
    }
  }
  return hash.digest('hex');
}

async function filesUnder(path: string): Promise<string[]> {
  if (!existsSync(path)) return [];
  const entries = await readdir(path, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOTDIR') return null;
    throw error;
  });
  if (entries === null) return [path];
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    files.push(...(await filesUnder(join(path, entry.name))));
  }
  return files;
}

/** The stamp of the build in dist, or null when there is none. */
export async function builtStamp(distDir = WEB_DIST_DIR): Promise<string | null> {
  try {
    return (await readFile(join(distDir, STAMP_FILE), 'utf8')).trim();
  } catch {
    return null;
  }
}

export interface WebBuild {
  built: boolean;
  stamp: string;
  ms: number;
}

/**
 * Builds the app into api/web/dist unless the build there was made from the
 * same inputs. Offline (Vite and every library come from node_modules). The
 * build goes to a sibling folder first and is renamed into place, so a server
 * never serves half a build and two builders at once leave one whole result.
 */
export async function ensureWebApp(options: { force?: boolean } = {}): Promise<WebBuild> {
  const started = Date.now();
  const stamp = await sourceStamp();
  if (!options.force && (await builtStamp()) === stamp)
    return { built: false, stamp, ms: Date.now() - started };
  const { build } = await import('vite');
  const { default: config } = await import('./vite.config.ts');
  const staging = `${WEB_DIST_DIR}.${process.pid}.${Date.now()}`;
  try {
    await build({ ...config, configFile: false, build: { ...config.build, outDir: staging } });
    await writeFile(join(staging, STAMP_FILE), `${stamp}\n`);
    await rm(WEB_DIST_DIR, { recursive: true, force: true });
    await mkdir(dirname(WEB_DIST_DIR), { recursive: true });
    await rename(staging, WEB_DIST_DIR).catch(async (error: NodeJS.ErrnoException) => {
      // Another builder renamed its build in first: fine if it is the same inputs.
      if ((await builtStamp()) !== stamp) throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { built: true, stamp, ms: Date.now() - started };
}

/** The one log line npm start and npm run build:web print. */
export function describeWebBuild(result: WebBuild): string {
  const where = relative(process.cwd(), WEB_DIST_DIR) || WEB_DIST_DIR;
  return result.built
    ? `web app: built ${where} in ${(result.ms / 1000).toFixed(1)} s`
    : `web app: ${where} is up to date`;
}

// `npm run build:web` (and `prepare`, which npm runs on install): node --import tsx api/web/build.ts [--force]
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  ensureWebApp({ force: process.argv.includes('--force') }).then(
    (result) => process.stdout.write(`${describeWebBuild(result)}\n`),
    (error: unknown) => {
      process.stderr.write(`web app: build failed: ${String((error as Error).stack ?? error)}\n`);
      process.exit(1);
    },
  );
}
