import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../workers/audio/decode.ts';
import { resolveFfmpegPath } from '../../workers/audio/ffmpeg-path.ts';
import { RecordingError, type RecordingErrorCode } from '../../workers/audio/recording-error.ts';
import { fixture } from './media-paths.ts';

const spans = JSON.parse(readFileSync(fixture('stereo-spans.json'), 'utf8')) as {
  durationS: number;
  left: Array<[number, number]>;
  right: Array<[number, number]>;
};
let ffmpegPath: string;
let dir: string;

beforeAll(async () => {
  ffmpegPath = await resolveFfmpegPath();
  dir = await mkdtemp(join(tmpdir(), 'callqa-decode-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function rms(samples: Float32Array, fromS: number, toS: number, rate = 16_000): number {
  const part = samples.subarray(Math.floor(fromS * rate), Math.floor(toS * rate));
  let sum = 0;
  for (const x of part) sum += x * x;
  return Math.sqrt(sum / Math.max(1, part.length));
}

describe('decodeAudio: formats', () => {
  // Lossy codecs add encoder delay/padding: durations are compared loosely.
  it.each([
    ['stereo-pcm.wav', 2],
    ['stereo-mulaw.wav', 2],
    ['stereo-alaw.wav', 2],
    ['stereo.mp3', 2],
    ['stereo.ogg', 2],
    ['stereo.m4a', 2],
    ['mono.amr', 1],
    ['mono-wb.amr', 1],
  ])('%s decodes to %i channel(s) at 16 kHz with the right duration', async (name, channels) => {
    const audio = await decodeAudio(fixture(name), { ffmpegPath });
    expect(audio.sampleRate).toBe(16_000);
    expect(audio.channels).toHaveLength(channels);
    expect(audio.durationS).toBeGreaterThan(spans.durationS - 0.1);
    expect(audio.durationS).toBeLessThan(spans.durationS + 0.15);
    for (const channel of audio.channels) expect(channel.length).toBe(audio.channels[0].length);
  });

  it.each(['stereo-pcm.wav', 'stereo-mulaw.wav', 'stereo.mp3', 'stereo.ogg', 'stereo.m4a'])(
    '%s keeps agent and customer apart: each channel has energy only where its speaker talks',
    async (name) => {
      const [left, right] = (await decodeAudio(fixture(name), { ffmpegPath })).channels;
      const [[l0, l1]] = spans.left;
      const [[r0, r1]] = spans.right;
      const agentTalking = rms(left, l0 + 0.1, l1 - 0.1);
      const customerTalking = rms(right, r0 + 0.1, r1 - 0.1);
      expect(agentTalking).toBeGreaterThan(0.02);
      expect(customerTalking).toBeGreaterThan(0.02);
      // Lossy joint-stereo codecs (Opus at 24 kb/s) leak a little: "silent" means well below the talker.
      expect(rms(right, l0 + 0.1, l1 - 0.1)).toBeLessThan(agentTalking / 8);
      expect(rms(left, r0 + 0.1, r1 - 0.1)).toBeLessThan(customerTalking / 8);
    },
  );

  it('decodes by content, not by extension (a WAV named .mp3)', async () => {
    const audio = await decodeAudio(fixture('wav-named.mp3'), { ffmpegPath });
    expect(audio.channels).toHaveLength(1);
    expect(audio.durationS).toBeCloseTo(1, 2);
  });
});

describe('decodeAudio: bad input fails permanently with its own code', () => {
  it.each<[string, RecordingErrorCode, RegExp]>([
    ['empty.wav', 'empty', /0 bytes/],
    ['truncated.wav', 'corrupt', /truncated/],
    ['truncated-header.wav', 'corrupt', /Invalid data/],
    ['corrupt.wav', 'corrupt', /cannot be read/],
    ['text.wav', 'not_audio', /text file/],
    ['image.mp3', 'not_audio', /PNG image/],
    ['video-only.mp4', 'no_audio_stream', /only video/],
  ])('%s → %s', async (name, code, reason) => {
    const error = await decodeAudio(fixture(name), { ffmpegPath }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordingError);
    expect(error).toMatchObject({ code, permanent: true });
    expect((error as Error).message).toMatch(reason);
  });
});

describe('decodeAudio: long recordings', () => {
  const run = promisify(execFile);
  const silence = (seconds: number, out: string, format: string[]) =>
    run(ffmpegPath, [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      `anullsrc=r=8000:cl=stereo`,
      '-t',
      String(seconds),
      ...format,
      out,
    ]);

  it('refuses a recording over the cap from its header, without decoding it', async () => {
    const path = join(dir, 'hour.wav');
    await silence(3700, path, ['-c:a', 'pcm_u8']);
    const error = await decodeAudio(path, { ffmpegPath, maxDurationS: 3600 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'too_long', permanent: true });
    // The full 3700 s can only come from the header: the streaming cap stops at 3600 s and says so.
    expect((error as Error).message).toMatch(/3700 s, over the 3600 s cap/);
  });

  it('caps while streaming when the container declares no duration (raw AMR)', async () => {
    const path = join(dir, 'long.amr');
    await run(ffmpegPath, [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'sine=f=300:r=8000',
      '-t',
      '40',
      '-c:a',
      'libopencore_amrnb',
      '-b:a',
      '4.75k',
      path,
    ]);
    const error = await decodeAudio(path, { ffmpegPath, maxDurationS: 20 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'too_long' });
  });

  it('decodes a long stereo file into full-length channels when under the cap', async () => {
    const path = join(dir, 'ten-minutes.wav');
    await silence(600, path, ['-c:a', 'pcm_u8']);
    const audio = await decodeAudio(path, { ffmpegPath, maxDurationS: 3600 });
    expect(audio.channels).toHaveLength(2);
    expect(audio.channels[1].length).toBe(600 * 16_000);
    expect(audio.durationS).toBe(600);
  });
});
