import { loadConfig, type Config } from '../../models/config.ts';

/** A config as a deployment would have it, pointed at a test database and storage directory. */
export function testConfig(databaseUrl: string, dataDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({ DATABASE_URL: databaseUrl, CALLQA_DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env });
}
