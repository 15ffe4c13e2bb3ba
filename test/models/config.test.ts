import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../models/config.ts';

describe('loadConfig', () => {
  it('runs on defaults alone: embedded PostgreSQL, in-process jobs, whisper-small', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.asr).toMatchObject({ modelId: 'Xenova/whisper-small', dtype: 'q8', language: 'zh' });
  });

  it('gives each stereo side a media thread by default and splits the cores between them', () => {
    const cores = availableParallelism();
    const byDefault = loadConfig({}).asr;
    expect(byDefault.threads).toBe(Math.min(2, cores));
    expect(byDefault.intraOpThreads).toBe(Math.max(1, Math.floor(cores / byDefault.threads)));
    expect(loadConfig({ CALLQA_ASR_THREADS: '1' }).asr).toMatchObject({ threads: 1, intraOpThreads: cores });
    expect(loadConfig({ CALLQA_ASR_THREADS: '64' }).asr).toMatchObject({ threads: 64, intraOpThreads: 1 });
  });

  it('reports every bad variable at once, each with how to fix it', () => {
    let error: unknown;
    try {
      loadConfig({ CALLQA_ASR_THREADS: '0', CALLQA_SAMPLING_RATE: 'lots', REDIS_URL: 'not a url' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems.find((p) => p.startsWith('CALLQA_ASR_THREADS'))).toMatch(/1 or more/);
    expect(problems.find((p) => p.startsWith('CALLQA_SAMPLING_RATE'))).toMatch(/0\.01 means 1%/);
    expect(problems.find((p) => p.startsWith('REDIS_URL'))).toMatch(/redis:\/\/host:6379/);
  });
});

describe('CALLQA_MASK_ROLES', () => {
  it('masks agents by default, and always, whatever else is listed', () => {
    expect(loadConfig({}).privacy.maskRoles).toEqual(['agent']);
    expect(loadConfig({ CALLQA_MASK_ROLES: 'supervisor, qa' }).privacy.maskRoles).toEqual([
      'agent',
      'supervisor',
      'qa',
    ]);
  });

  it('refuses a role that does not exist, saying which roles do', () => {
    expect(() => loadConfig({ CALLQA_MASK_ROLES: 'agent,boss' })).toThrow(
      /CALLQA_MASK_ROLES: unknown role "boss" \(comma-separated roles among agent, qa, supervisor, admin/,
    );
  });
});
