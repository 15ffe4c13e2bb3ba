import type { Config } from '../models/config.ts';
import type { Call } from '../models/call-repository.ts';
import { locateRecording } from '../models/recording-location.ts';
import { buildTranscript } from './asr/build-transcript.ts';
import { MediaThreads } from './asr/media-threads.ts';
import { decodeAudio } from './audio/decode.ts';
import { fetchRecording } from './audio/fetch-recording.ts';
import { resolveFfmpegPath } from './audio/ffmpeg-path.ts';
import { PermanentError } from './permanent-error.ts';
import type { TranscribedCall } from './processors/transcribe-processor.ts';

export interface MediaPipeline {
  /** fetch → decode → VAD → ASR for one call, with the time each stage took. */
  transcribeRecording(call: Call): Promise<TranscribedCall>;
  close(): Promise<void>;
}

export interface MediaParts {
  ffmpegPath: string;
  /** VAD and Whisper, in worker threads. */
  media: MediaThreads;
}

/**
 * Loads the heavy parts once per process, on the first call that needs them:
 * the ffmpeg binary and media threads, each with Silero VAD and Whisper (so
 * job locks keep renewing while they think). A process that never transcribes never
 * loads a model; a failed load (model not downloadable, say) fails that job
 * with the reason and is tried again by the next one.
 */
export function openMediaPipeline(config: Config): MediaPipeline {
  let parts: Promise<MediaParts> | undefined;
  const load = () => {
    parts ??= loadMediaParts(config).catch((error: unknown) => {
      parts = undefined;
      throw Object.assign(new Error(`speech recognition unavailable: ${(error as Error).message}`), {
        code: 'asr_unavailable',
      });
    });
    return parts;
  };
  return {
    transcribeRecording: async (call) => mediaPipelineFrom(config, await load()).transcribeRecording(call),
    async close() {
      if (parts) await mediaPipelineFrom(config, await parts.catch(() => undefined as never)).close();
    },
  };
}

async function loadMediaParts(config: Config): Promise<MediaParts> {
  const [ffmpegPath, media] = await Promise.all([
    resolveFfmpegPath({ explicit: config.media.ffmpegPath }),
    MediaThreads.start({
      threads: config.asr.threads,
      transcriber: {
        modelId: config.asr.modelId,
        dtype: config.asr.dtype,
        modelDir: config.asr.modelDir,
        cacheDir: config.asr.cacheDir,
        language: config.asr.language,
        intraOpThreads: config.asr.intraOpThreads,
      },
    }),
  ]);
  return { ffmpegPath, media };
}

export function mediaPipelineFrom(config: Config, parts: MediaParts): MediaPipeline {
  return {
    async transcribeRecording(call) {
      if (!call.recording) throw new PermanentError('no_recording', `call ${call.callId} has no recording`);
      const location = locateRecording(call.recording, {
        roots: config.recordingRoots,
        hosts: config.recordingHosts,
      });
      if (location.kind === 'invalid') throw new PermanentError(location.code, location.reason);
      const timings: Record<string, number> = {};
      let started = performance.now();
      const lap = (stage: string) => {
        const now = performance.now();
        timings[stage] = Math.round(now - started);
        started = now;
      };
      const recording = await fetchRecording(location.kind === 'url' ? location.url : location.path, {
        storageRoot: location.kind === 'file' ? location.root : config.storageDir,
        recordingHosts: config.recordingHosts,
        timeoutMs: config.media.fetchTimeoutMs,
        maxBytes: config.media.fetchMaxBytes,
      });
      try {
        lap('fetchMs');
        const audio = await decodeAudio(recording.path, {
          ffmpegPath: parts.ffmpegPath,
          maxDurationS: config.media.maxAudioS,
        });
        lap('decodeMs');
        const transcript = await buildTranscript({
          callId: call.callId,
          audio,
          agentChannel: call.agentChannel,
          language: config.asr.language,
          vad: parts.media,
          transcriber: parts.media,
          voices: parts.media,
        });
        lap('vadAndAsrMs');
        return { transcript, model: `${config.asr.modelId}:${config.asr.dtype}`, timings };
      } finally {
        await recording.release();
      }
    },
    async close() {
      await parts.media.close();
    },
  };
}
