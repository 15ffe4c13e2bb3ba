import { describe, expect, it } from 'vitest';
import { ffmpegPathFromEnv, resolveFfmpegPath } from '../../workers/audio/ffmpeg-path.ts';
import { fixture } from './media-paths.ts';

describe('resolveFfmpegPath', () => {
  it('finds the binary shipped by @ffmpeg-installer when nothing else is configured', async () => {
    const path = await resolveFfmpegPath();
    expect(path).toMatch(/@ffmpeg-installer\/linux-x64\/ffmpeg$/);
  });

  it('prefers an explicit FFMPEG_PATH and refuses one that does not work', async () => {
    const installed = await resolveFfmpegPath();
    await expect(resolveFfmpegPath({ explicit: installed })).resolves.toBe(installed);
    await expect(resolveFfmpegPath({ explicit: '/nope/ffmpeg' })).rejects.toThrow(
      /FFMPEG_PATH=\/nope\/ffmpeg/,
    );
  });

  it('skips sources that are absent, null or not executable, in order', async () => {
    const installed = await resolveFfmpegPath();
    const path = await resolveFfmpegPath({
      sources: [
        async () => null,
        async () => {
          throw new Error('not installed');
        },
        async () => fixture('stereo-pcm.wav'),
        async () => installed,
      ],
    });
    expect(path).toBe(installed);
    await expect(resolveFfmpegPath({ sources: [async () => undefined] })).rejects.toThrow(/no ffmpeg binary/);
  });

  it('reads FFMPEG_PATH from the env object it is given, empty meaning unset', () => {
    expect(ffmpegPathFromEnv({ FFMPEG_PATH: '/usr/bin/ffmpeg' })).toBe('/usr/bin/ffmpeg');
    expect(ffmpegPathFromEnv({ FFMPEG_PATH: '' })).toBeUndefined();
  });
});
