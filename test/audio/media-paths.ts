import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** Paths the media tests share, resolved from the repo root so the working directory does not matter. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const fixturesDir = resolve(repoRoot, 'test/fixtures/audio');
export const fixture = (name: string) => resolve(fixturesDir, name);
/** The Whisper-shaped test model (always answers 离线测试模型), next to the repo. */
export const testModelDir = resolve(repoRoot, '../shared/models');
export const testModelId = 'tiny-dummy-whisper';
