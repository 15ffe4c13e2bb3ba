import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { isRole, type Role } from './permissions.ts';
import { parseRecordingHosts, type HostRule } from './recording-url-policy.ts';

/**
 * Remote recording downloads: one whole-download deadline (connect to last
 * byte, redirects included) and one size cap. The defaults live here only;
 * fetch-recording falls back to them when a caller passes nothing.
 */
export const recordingFetchDefaults = { timeoutS: 30, maxMb: 200 } as const;

/**
 * The one place that reads the environment. Every process parses it once at
 * start-up; all problems are reported together, each with a fix.
 */
const schema = z.object({
  DATABASE_URL: z.string().url().optional(),
  CALLQA_DATA_DIR: z.string().default('./data'),
  CALLQA_EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(5433),
  REDIS_URL: z.string().url().optional(),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CALLQA_TIME_ZONE: z
    .string()
    .default('Asia/Shanghai')
    .refine(isTimeZone, 'not an IANA time zone (e.g. Asia/Shanghai)'),
  CALLQA_STORAGE_DIR: z.string().optional(),
  CALLQA_RECORDING_ROOTS: z.string().optional(),
  CALLQA_RECORDING_HOSTS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      const { rules, problems } = parseRecordingHosts(text);
      for (const problem of problems) ctx.addIssue({ code: 'custom', message: problem });
      return rules;
    }),
  CALLQA_UPLOAD_MAX_MB: z.coerce.number().positive().default(200),
  CALLQA_SAMPLING_RATE: z.coerce.number().gt(0).max(1).default(0.01),
  CALLQA_SHORT_CALL_S: z.coerce.number().min(0).default(20),
  CALLQA_LONG_CALL_S: z.coerce.number().min(0).default(300),
  CALLQA_SAMPLING_BANDS: z
    .string()
    .default('0:2,80:1.5,90:1,98:0.5')
    .transform((text, ctx) => parseBands(text, ctx)),
  CALLQA_EXEMPTION_QUOTA: z.coerce.number().int().min(0).default(5),
  CALLQA_FULL_SCORE: z.coerce.number().positive().default(100),
  FFMPEG_PATH: z.string().optional(),
  CALLQA_MODEL_ID: z.string().default('Xenova/whisper-small'),
  CALLQA_MODEL_DTYPE: z.enum(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4']).default('q8'),
  CALLQA_MODEL_DIR: z.string().optional(),
  CALLQA_MODEL_CACHE_DIR: z.string().optional(),
  CALLQA_LANGUAGE: z.enum(['zh', 'en']).default('zh'),
  CALLQA_ASR_THREADS: z.coerce.number().int().min(1).max(64).optional(),
  CALLQA_FETCH_TIMEOUT_S: z.coerce.number().positive().default(recordingFetchDefaults.timeoutS),
  CALLQA_FETCH_MAX_MB: z.coerce.number().positive().default(recordingFetchDefaults.maxMb),
  CALLQA_MAX_AUDIO_S: z.coerce.number().positive().default(7200),
  CALLQA_SCORECARD_DIR: z.string().optional(),
  CALLQA_COMPANY_NAMES: z.string().optional(),
  CALLQA_SAMPLING_DAILY: z
    .enum(['on', 'off'])
    .default('on')
    .transform((v) => v === 'on'),
  CALLQA_MASK_ROLES: z
    .string()
    .default('agent')
    .transform((text, ctx) => parseMaskRoles(text, ctx)),
});

const hints: Record<string, string> = {
  DATABASE_URL: 'use postgres://user:password@host:5432/db, or unset it to use the embedded PostgreSQL',
  REDIS_URL: 'use redis://host:6379, or unset it to run jobs in-process',
  CALLQA_TIME_ZONE: 'set an IANA zone name such as Asia/Shanghai or Europe/London',
  CALLQA_SAMPLING_BANDS: 'comma-separated minScore:multiplier pairs, e.g. 0:2,80:1.5,90:1,98:0.5',
  CALLQA_SAMPLING_RATE: 'a fraction: 0.01 means 1%',
  CALLQA_MASK_ROLES: 'comma-separated roles among agent, qa, supervisor, admin, e.g. agent,supervisor',
  CALLQA_ASR_THREADS: 'a whole number of media threads, 1 or more; each holds its own model',
  CALLQA_RECORDING_HOSTS:
    'comma-separated hosts recordings may be fetched from: name, *.suffix, IP or IP/prefix, each with an optional :port, e.g. pbx.example.com:8080,10.1.0.0/16',
};

export interface ScoreBand {
  /** Applies when last month's score >= minScore (the highest matching band wins). */
  minScore: number;
  multiplier: number;
}

export interface Config {
  databaseUrl?: string;
  dataDir: string;
  embeddedPgPort: number;
  redisUrl?: string;
  host: string;
  port: number;
  logLevel: string;
  timeZone: string;
  storageDir: string;
  /** Local recordings may only be read from under these directories. */
  recordingRoots: string[];
  /** Hosts recording URLs may be fetched from (CALLQA_RECORDING_HOSTS); empty: no remote fetch. */
  recordingHosts: HostRule[];
  uploadMaxBytes: number;
  media: {
    ffmpegPath?: string;
    fetchTimeoutMs: number;
    fetchMaxBytes: number;
    maxAudioS: number;
  };
  asr: {
    modelId: string;
    dtype: string;
    /** Offline: load the model from here only, never from the network. */
    modelDir?: string;
    cacheDir: string;
    language: 'zh' | 'en';
    /** Media threads per worker process, each with its own VAD and Whisper. */
    threads: number;
    /** ONNX intra-op threads per Whisper session, so threads × this ≈ cores. */
    intraOpThreads: number;
  };
  scoring: {
    /** Extra scorecards beside the built-in ones; the highest version of each id is used. */
    scorecardDir?: string;
    /** Accepted values of the greeting's {company} slot. */
    companyNames: string[];
  };
  sampling: {
    rate: number;
    shortCallS: number;
    longCallS: number;
    bands: ScoreBand[];
    exemptionQuota: number;
    fullScore: number;
    daily: boolean;
  };
  privacy: {
    /** Roles whose responses have personal numbers masked; always holds agent. */
    maskRoles: Role[];
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(withoutEmpty(env));
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? '');
        const hint = hints[name] ? ` (${hints[name]})` : '';
        return `${name}: ${issue.message}${hint}`;
      }),
    );
  }
  const e = parsed.data;
  const dataDir = resolve(e.CALLQA_DATA_DIR);
  const storageDir = resolve(e.CALLQA_STORAGE_DIR ?? `${dataDir}/storage`);
  const extraRoots = (e.CALLQA_RECORDING_ROOTS ?? '').split(':').filter(Boolean);
  // Default: one media thread per core, at most two (the two sides of a stereo call).
  const cores = availableParallelism();
  const asrThreads = e.CALLQA_ASR_THREADS ?? Math.min(2, cores);
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir,
    embeddedPgPort: e.CALLQA_EMBEDDED_PG_PORT,
    redisUrl: e.REDIS_URL,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    timeZone: e.CALLQA_TIME_ZONE,
    storageDir,
    recordingRoots: [storageDir, ...extraRoots.map((r) => resolve(r))],
    recordingHosts: e.CALLQA_RECORDING_HOSTS,
    uploadMaxBytes: Math.round(e.CALLQA_UPLOAD_MAX_MB * 1024 * 1024),
    media: {
      ffmpegPath: e.FFMPEG_PATH,
      fetchTimeoutMs: e.CALLQA_FETCH_TIMEOUT_S * 1000,
      fetchMaxBytes: Math.round(e.CALLQA_FETCH_MAX_MB * 1024 * 1024),
      maxAudioS: e.CALLQA_MAX_AUDIO_S,
    },
    asr: {
      modelId: e.CALLQA_MODEL_ID,
      dtype: e.CALLQA_MODEL_DTYPE,
      modelDir: e.CALLQA_MODEL_DIR ? resolve(e.CALLQA_MODEL_DIR) : undefined,
      cacheDir: resolve(e.CALLQA_MODEL_CACHE_DIR ?? `${dataDir}/model-cache`),
      language: e.CALLQA_LANGUAGE,
      threads: asrThreads,
      intraOpThreads: Math.max(1, Math.floor(cores / asrThreads)),
    },
    scoring: {
      scorecardDir: e.CALLQA_SCORECARD_DIR ? resolve(e.CALLQA_SCORECARD_DIR) : undefined,
      companyNames: (e.CALLQA_COMPANY_NAMES ?? '')
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean),
    },
    sampling: {
      rate: e.CALLQA_SAMPLING_RATE,
      shortCallS: e.CALLQA_SHORT_CALL_S,
      longCallS: e.CALLQA_LONG_CALL_S,
      bands: e.CALLQA_SAMPLING_BANDS,
      exemptionQuota: e.CALLQA_EXEMPTION_QUOTA,
      fullScore: e.CALLQA_FULL_SCORE,
      daily: e.CALLQA_SAMPLING_DAILY,
    },
    privacy: { maskRoles: e.CALLQA_MASK_ROLES },
  };
}

/** `FOO=` in a .env file means "not set", not "set to the empty string". */
function withoutEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => !!entry[1]));
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Agents are masked whatever the setting: the roles listed are masked as well. */
function parseMaskRoles(text: string, ctx: z.RefinementCtx): Role[] {
  const roles = new Set<Role>(['agent']);
  for (const name of text.split(',').map((r) => r.trim())) {
    if (isRole(name)) roles.add(name);
    else ctx.addIssue({ code: 'custom', message: `unknown role "${name}"` });
  }
  return [...roles];
}

function parseBands(text: string, ctx: z.RefinementCtx): ScoreBand[] {
  const bands: ScoreBand[] = [];
  for (const part of text.split(',')) {
    const [min, mult] = part.split(':').map((s) => Number(s.trim()));
    if (!Number.isFinite(min) || !Number.isFinite(mult) || mult < 0) {
      ctx.addIssue({ code: 'custom', message: `bad band "${part}"` });
      return [];
    }
    bands.push({ minScore: min, multiplier: mult });
  }
  return bands.sort((a, b) => a.minScore - b.minScore);
}
