import { execFile } from 'node:child_process';

export interface AudioProbe {
  /** ffmpeg's demuxer name(s), e.g. "wav" or "mov,mp4,m4a,3gp,3g2,mj2". */
  format: string;
  /** null when the container does not say (raw streams, some pipes). */
  durationS: number | null;
  audio: { codec: string; sampleRate: number; channels: number } | null;
  /** Non-audio stream kinds present, e.g. ["video"]. */
  otherStreams: string[];
}

export type ProbeResult = { ok: true; probe: AudioProbe } | { ok: false; reason: string };

/**
 * Probes by running ffmpeg itself (`ffmpeg -i file` with no output): the
 * installer package ships no ffprobe. `input` should be an ffmpeg URL such as
 * "file:/abs/path" so odd file names cannot be read as protocols or options.
 */
export function probeAudio(
  ffmpegPath: string,
  input: string,
  ffmpegArgs: string[] = [],
): Promise<ProbeResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      ffmpegPath,
      ['-hide_banner', '-nostdin', ...ffmpegArgs, '-i', input],
      { timeout: 60_000, maxBuffer: 4 * 1024 * 1024 },
      (error, _stdout, stderr) => {
        // ffmpeg always exits 1 here ("At least one output file must be specified"); only spawn failures matter.
        const code = (error as NodeJS.ErrnoException | null)?.code;
        if (typeof code === 'string') {
          reject(new Error(`cannot run ffmpeg at ${ffmpegPath}: ${code}`, { cause: error }));
          return;
        }
        if (error?.killed) {
          reject(
            new Error(`ffmpeg probe of ${input} was killed (${error.signal ?? 'timeout'})`, { cause: error }),
          );
          return;
        }
        resolvePromise(parseProbeOutput(stderr));
      },
    );
  });
}

const channelsByLayout: Record<string, number> = {
  mono: 1,
  stereo: 2,
  quad: 4,
  downmix: 2,
  hexagonal: 6,
  octagonal: 8,
};

/** Pure: reads ffmpeg's human-readable input report (stable across 4.x–7.x for these lines). */
export function parseProbeOutput(stderr: string): ProbeResult {
  const input = /^Input #0, (.+?), from /m.exec(stderr);
  if (!input) {
    const last = stderr.trim().split('\n').at(-1) ?? '';
    // "file:/x.wav: Invalid data found when processing input" -> the part after the file name.
    const reason = last.replace(/^.*?: (?=[A-Z][a-z])/, '').trim() || 'ffmpeg could not open the file';
    return { ok: false, reason };
  }
  const duration = /Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(stderr);
  const durationS = duration
    ? Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3])
    : null;
  let audio: AudioProbe['audio'] = null;
  const otherStreams: string[] = [];
  for (const match of stderr.matchAll(/^\s*Stream #0:\d+\S*: (\w+): (.*)$/gm)) {
    const [, kind, details] = match;
    if (kind !== 'Audio') {
      otherStreams.push(kind.toLowerCase());
      continue;
    }
    if (audio) continue;
    const parts = details.split(', ');
    const codec = parts[0].split(' ')[0];
    const rateIndex = parts.findIndex((p) => / Hz$/.test(p));
    const sampleRate = rateIndex >= 0 ? Number.parseInt(parts[rateIndex], 10) : 0;
    const layout = rateIndex >= 0 ? (parts[rateIndex + 1] ?? '') : '';
    audio = { codec, sampleRate, channels: channelCount(layout) };
  }
  return { ok: true, probe: { format: input[1], durationS, audio, otherStreams } };
}

function channelCount(layout: string): number {
  const name = layout.trim().replace(/\(.*\)$/, '');
  if (name in channelsByLayout) return channelsByLayout[name];
  const counted = /^(\d+) channels?/.exec(name);
  if (counted) return Number(counted[1]);
  // "5.1", "7.1", "2.1", "3.0": main channels plus LFE.
  const surround = /^(\d+)\.(\d+)/.exec(name);
  if (surround) return Number(surround[1]) + Number(surround[2]);
  // Unknown layout names exist (e.g. "22.2"); any audio stream has at least one channel.
  return 1;
}
