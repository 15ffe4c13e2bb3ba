import { constants } from 'node:fs';
import { access } from 'node:fs/promises';

/** Where a candidate binary path comes from; null/undefined means "this source has none". */
export type FfmpegSource = () => Promise<string | null | undefined>;

export interface FfmpegPathOptions {
  /** FFMPEG_PATH from config. When set it must work: a typo should not silently fall back. */
  explicit?: string;
  /** Fallback sources in order; injectable for tests. */
  sources?: FfmpegSource[];
}

/** The order after FFMPEG_PATH: ffmpeg-static (optional, may be absent), then @ffmpeg-installer. */
export const defaultFfmpegSources: FfmpegSource[] = [
  async () => {
    // A variable specifier keeps tsc from requiring the optional package's types.
    const name = 'ffmpeg-static';
    const mod = (await import(name).catch(() => null)) as { default?: unknown } | null;
    return typeof mod?.default === 'string' ? mod.default : null;
  },
  async () => {
    // The package throws (a string) on unsupported platforms; treat that as "no binary here".
    const mod = (await import('@ffmpeg-installer/ffmpeg').catch(() => null)) as {
      default?: { path?: unknown };
    } | null;
    return typeof mod?.default?.path === 'string' ? mod.default.path : null;
  },
];

export async function resolveFfmpegPath(options: FfmpegPathOptions = {}): Promise<string> {
  if (options.explicit) {
    if (await isExecutable(options.explicit)) return options.explicit;
    throw new Error(`FFMPEG_PATH=${options.explicit} is not an executable file; fix the path or unset it`);
  }
  for (const source of options.sources ?? defaultFfmpegSources) {
    const candidate = await source().catch(() => null);
    if (candidate && (await isExecutable(candidate))) return candidate;
  }
  throw new Error(
    'no ffmpeg binary found: set FFMPEG_PATH, or reinstall so @ffmpeg-installer/ffmpeg (or ffmpeg-static) provides one',
  );
}

/** The config edge: FFMPEG_PATH, empty meaning unset. */
export function ffmpegPathFromEnv(env: Record<string, string | undefined>): string | undefined {
  return env.FFMPEG_PATH || undefined;
}

async function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}
