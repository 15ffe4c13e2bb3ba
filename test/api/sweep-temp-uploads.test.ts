import { mkdir, mkdtemp, readdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepTempUploads } from '../../api/recordings/sweep-temp-uploads.ts';

describe('sweepTempUploads', () => {
  it('removes the temp files of uploads cut off before the start, and nothing else', async () => {
    const storage = await mkdtemp(join(tmpdir(), 'callqa-sweep-'));
    const dir = join(storage, 'recordings');
    await mkdir(dir);
    const start = new Date();
    const before = new Date(start.getTime() - 60_000);
    const files = {
      'old-a1b2.wav.upload-123-1700000000000': before, // killed mid-upload: swept
      'old-c3d4.bin.upload-456-1700000000001': before, // swept
      'live-e5f6.wav.upload-789-1700000000002': new Date(start.getTime() + 1_000), // still being written: kept
      'kept-0123.wav': before, // a stored recording: kept
    };
    for (const [name, time] of Object.entries(files)) {
      await writeFile(join(dir, name), 'RIFF');
      await utimes(join(dir, name), time, time);
    }
    const removed = await sweepTempUploads(storage, start);
    expect(removed.sort()).toEqual([
      'old-a1b2.wav.upload-123-1700000000000',
      'old-c3d4.bin.upload-456-1700000000001',
    ]);
    expect((await readdir(dir)).sort()).toEqual(['kept-0123.wav', 'live-e5f6.wav.upload-789-1700000000002']);
  });

  it('is a no-op before the first upload made the directory', async () => {
    const storage = await mkdtemp(join(tmpdir(), 'callqa-sweep-'));
    expect(await sweepTempUploads(storage, new Date())).toEqual([]);
  });
});
