import { open, stat } from 'node:fs/promises';
import ffmpeg from 'fluent-ffmpeg';
import { inspectHeader } from './inspect-header.ts';
import { probeAudio, type AudioProbe } from './probe-audio.ts';
import { RecordingError } from './recording-error.ts';

export interface DecodedAudio {
  sampleRate: number;
  /** One array per channel: [mono] or [left, right]. */
  channels: Float32Array[];
  durationS: number;
}

export interface DecodeOptions {
  ffmpegPath: string;
  /** Longer recordings fail with too_long; 2 h by default. */
  maxDurationS?: number;
  sampleRate?: number;
}

export const defaultMaxDurationS = 2 * 3600;

/**
 * Containers we let ffmpeg open. A whitelist rather than ffmpeg's everything:
 * playlist and concat demuxers (hls, concat, dash) would make ffmpeg read other
 * files or URLs named inside an uploaded "recording".
 */
const allowedFormats = 'wav,w64,mp3,amr,ogg,mov,flac,aac,matroska,aiff,au,caf,gsm,g722,g729,asf,wv,voc';
const inputArgs = ['-protocol_whitelist', 'file', '-format_whitelist', allowedFormats];

/**
 * Decodes any supported recording, by content not by extension, to Float32
 * channels at 16 kHz. Stereo stays two channels (agent and customer are split
 * by channel later); more than two channels keep the first two.
 */
export async function decodeAudio(path: string, options: DecodeOptions): Promise<DecodedAudio> {
  const sampleRate = options.sampleRate ?? 16_000;
  const maxDurationS = options.maxDurationS ?? defaultMaxDurationS;
  const size = (await stat(path)).size;
  if (size === 0) throw new RecordingError('empty', 'recording is empty (0 bytes)');

  const verdict = inspectHeader(await readHead(path, 65_536), size);
  if (verdict.kind === 'not_audio')
    throw new RecordingError('not_audio', `recording is ${verdict.what}, not audio`);
  if (verdict.kind === 'truncated_wav') {
    const percent = Math.round((100 * verdict.presentBytes) / verdict.declaredBytes);
    throw new RecordingError(
      'corrupt',
      `WAV is truncated: header declares ${verdict.declaredBytes} data bytes, file holds ${verdict.presentBytes} (${percent}%)`,
    );
  }

  const input = `file:${path}`;
  const probed = await probeAudio(options.ffmpegPath, input, inputArgs);
  if (!probed.ok) {
    if (/not on whitelist/.test(probed.reason)) {
      throw new RecordingError('not_audio', 'recording is not in an audio container we accept');
    }
    throw new RecordingError('corrupt', `recording cannot be read: ${probed.reason}`);
  }
  const probe = probed.probe;
  if (!probe.audio || probe.audio.channels === 0) {
    const found = probe.otherStreams.length
      ? `only ${[...new Set(probe.otherStreams)].join(', ')}`
      : 'no streams';
    throw new RecordingError(
      'no_audio_stream',
      `recording has no audio stream (${found}, container ${probe.format})`,
    );
  }
  if (probe.durationS !== null && probe.durationS > maxDurationS) {
    throw tooLong(probe.durationS, maxDurationS);
  }
  const channelCount = Math.min(probe.audio.channels, 2);
  const channels = await runDecoder(input, probe, channelCount, sampleRate, maxDurationS, options.ffmpegPath);
  const frames = channels[0].length;
  if (frames === 0) throw new RecordingError('corrupt', 'recording decodes to no audio samples');
  return { sampleRate, channels, durationS: frames / sampleRate };
}

function tooLong(durationS: number, maxDurationS: number): RecordingError {
  return new RecordingError(
    'too_long',
    `recording lasts ${Math.round(durationS)} s, over the ${Math.round(maxDurationS)} s cap`,
  );
}

async function readHead(path: string, bytes: number): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await file.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/**
 * Streams interleaved f32le from ffmpeg straight into per-channel typed arrays
 * sized from the probed duration: an hour of stereo is ~460 MB of samples, so
 * no intermediate Buffer list and no concat.
 */
function runDecoder(
  input: string,
  probe: AudioProbe,
  channelCount: number,
  sampleRate: number,
  maxDurationS: number,
  ffmpegPath: string,
): Promise<Float32Array[]> {
  const maxFrames = Math.ceil(maxDurationS * sampleRate);
  const sink = new ChannelSink(channelCount, estimateFrames(probe, sampleRate, maxFrames));
  const mapping = probe.audio && probe.audio.channels > 2 ? ['-af', 'pan=stereo|c0=c0|c1=c1'] : [];
  return new Promise((resolvePromise, reject) => {
    let overCap = false;
    const command = ffmpeg(input)
      .setFfmpegPath(ffmpegPath)
      .inputOptions([...inputArgs, '-nostdin'])
      .outputOptions(['-map', '0:a:0', '-vn', '-sn', '-dn', ...mapping])
      .audioChannels(channelCount)
      .audioFrequency(sampleRate)
      .audioCodec('pcm_f32le')
      .format('f32le');
    command.on('error', (error: Error, _stdout: string | null, stderr: string | null) => {
      if (overCap) reject(tooLong(maxDurationS + 1, maxDurationS));
      else if (/killed with signal/.test(error.message)) {
        reject(new RecordingError('decode_failed', `ffmpeg was killed while decoding: ${error.message}`));
      } else if (/spawn|ENOENT|EACCES/.test(error.message)) {
        reject(new Error(`cannot run ffmpeg at ${ffmpegPath}: ${error.message}`, { cause: error }));
      } else {
        const detail = lastLines(stderr ?? error.message);
        reject(new RecordingError('corrupt', `recording cannot be decoded: ${detail}`, { cause: error }));
      }
    });
    command.on('end', () => resolvePromise(sink.finish()));
    const output = command.pipe();
    output.on('data', (chunk: Buffer) => {
      if (overCap) return;
      sink.write(chunk);
      if (sink.frames > maxFrames) {
        // Containers without a duration (raw AMR, some MP3s) are capped while streaming.
        overCap = true;
        command.kill('SIGKILL');
      }
    });
  });
}

function estimateFrames(probe: AudioProbe, sampleRate: number, maxFrames: number): number {
  // One extra second absorbs encoder padding and resampler tails without regrowing.
  const estimate = probe.durationS === null ? 60 * sampleRate : Math.ceil((probe.durationS + 1) * sampleRate);
  return Math.min(estimate, maxFrames + sampleRate);
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-2).join(' / ').slice(0, 300);
}

/** Deinterleaves f32le frames that arrive in arbitrary chunk sizes. */
class ChannelSink {
  frames = 0;
  private channels: Float32Array[];
  private carry = Buffer.alloc(0);

  constructor(
    private readonly channelCount: number,
    capacity: number,
  ) {
    this.channels = Array.from({ length: channelCount }, () => sharedSamples(capacity));
  }

  write(chunk: Buffer): void {
    const frameBytes = 4 * this.channelCount;
    const data = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const whole = data.length - (data.length % frameBytes);
    this.carry = Buffer.from(data.subarray(whole));
    if (whole === 0) return;
    const count = whole / frameBytes;
    this.ensure(this.frames + count);
    // Float32Array views need 4-byte alignment; pooled Buffers do not always have it.
    const aligned = data.byteOffset % 4 === 0 ? data : Buffer.from(data.subarray(0, whole));
    const samples = new Float32Array(aligned.buffer, aligned.byteOffset, whole / 4);
    const base = this.frames;
    if (this.channelCount === 1) {
      this.channels[0].set(samples, base);
    } else {
      const [left, right] = this.channels;
      for (let i = 0, j = 0; i < count; i++, j += 2) {
        left[base + i] = samples[j];
        right[base + i] = samples[j + 1];
      }
    }
    this.frames += count;
  }

  finish(): Float32Array[] {
    return this.channels.map((c) => c.subarray(0, this.frames));
  }

  private ensure(frames: number): void {
    const capacity = this.channels[0].length;
    if (frames <= capacity) return;
    const next = Math.max(frames, capacity * 2);
    this.channels = this.channels.map((c) => {
      const grown = sharedSamples(next);
      grown.set(c.subarray(0, this.frames));
      return grown;
    });
  }
}

/** Shared memory: media threads read the channels without a copy (an hour of audio is 230 MB per channel). */
function sharedSamples(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * 4));
}
