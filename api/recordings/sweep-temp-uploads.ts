import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RECORDINGS_DIR, UPLOAD_TEMP_MARK } from './store-recording.ts';

/**
 * Removes the temporary files of uploads that a kill or crash cut off
 * (`<name>.upload-<pid>-<ms>` in <storage>/recordings) and that were last
 * written before `startedAt`, this process's start. An upload another API
 * process is still writing keeps being modified, so it is left alone.
 * Returns the names removed.
 */
export async function sweepTempUploads(storageDir: string, startedAt: Date): Promise<string[]> {
  const dir = join(storageDir, RECORDINGS_DIR);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.includes(UPLOAD_TEMP_MARK)) continue;
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile() || info.mtimeMs >= startedAt.getTime()) continue;
    await rm(path, { force: true });
    removed.push(name);
  }
  return removed;
}
