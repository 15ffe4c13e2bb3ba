import { parentPort, workerData } from 'node:worker_threads';
import type { SpeechSpans } from '../../models/transcript.ts';
import type { SpanOptions } from '../audio/speech-spans-from-probabilities.ts';
import { loadVad, type LoadVadOptions } from '../audio/vad.ts';
import { voiceFeatures, type VoiceTurn } from './diarise-mono.ts';
import { loadTranscriber, type TranscriberOptions } from './load-transcriber.ts';
import type { AsrSegment } from './transcriber.ts';

/**
 * Worker-thread side of MediaThreads: owns a Silero VAD session and a Whisper
 * pipeline and runs one task at a time — VAD of a channel, or ASR of one
 * window. Keeping both here leaves the main event loop (BullMQ lock renewal,
 * the API) free.
 */
export interface MediaThreadOptions {
  transcriber: TranscriberOptions;
  vad?: LoadVadOptions;
}

export type MediaTaskBody =
  | { kind: 'vad'; samples: Float32Array; sampleRate: number; options?: Partial<SpanOptions> }
  | { kind: 'asr'; audio: Float32Array }
  | { kind: 'voices'; samples: Float32Array; sampleRate: number; turns: VoiceTurn[] };

export type MediaTask = MediaTaskBody & { id: number };

/** Sent when no task is running: release the models and end the thread. */
export interface CloseRequest {
  kind: 'close';
}

export type MediaThreadMessage =
  | { type: 'ready' }
  | { type: 'load_error'; message: string }
  | { type: 'vad'; id: number; spans: SpeechSpans }
  | { type: 'asr'; id: number; segments: AsrSegment[] }
  | { type: 'voices'; id: number; features: Float64Array[] }
  | { type: 'failure'; id: number; message: string };

const port = parentPort;
if (!port) throw new Error('media-thread.ts must run in a worker thread');

try {
  const options = workerData as MediaThreadOptions;
  // Both loads settle before anything is reported, so a failed load never leaves the other mid-flight.
  const [vadLoad, asrLoad] = await Promise.allSettled([
    loadVad(options.vad),
    loadTranscriber(options.transcriber),
  ]);
  if (vadLoad.status === 'rejected' || asrLoad.status === 'rejected') {
    if (vadLoad.status === 'fulfilled') await vadLoad.value.close();
    if (asrLoad.status === 'fulfilled') await asrLoad.value.close();
    throw vadLoad.status === 'rejected' ? vadLoad.reason : (asrLoad as PromiseRejectedResult).reason;
  }
  const vad = vadLoad.value;
  const transcriber = asrLoad.value;
  const run = async (task: MediaTask): Promise<MediaThreadMessage> => {
    try {
      if (task.kind === 'vad') {
        return {
          type: 'vad',
          id: task.id,
          spans: await vad.detectSpeech(task.samples, task.sampleRate, task.options),
        };
      }
      if (task.kind === 'voices') {
        return {
          type: 'voices',
          id: task.id,
          features: voiceFeatures(task.samples, task.sampleRate, task.turns),
        };
      }
      return { type: 'asr', id: task.id, segments: await transcriber.transcribe(task.audio) };
    } catch (error) {
      return { type: 'failure', id: task.id, message: messageOf(error) };
    }
  };
  // MediaThreads sends one task at a time and the next only after this answer.
  port.on('message', (task: MediaTask | CloseRequest) => {
    if (task.kind === 'close') {
      // Terminating a thread inside an ONNX Runtime call aborts the whole process, so threads end themselves.
      void Promise.all([vad.close(), transcriber.close()]).finally(() => process.exit(0));
      return;
    }
    void run(task).then((message) => port.postMessage(message));
  });
  port.postMessage({ type: 'ready' } satisfies MediaThreadMessage);
} catch (error) {
  port.postMessage({ type: 'load_error', message: messageOf(error) } satisfies MediaThreadMessage);
  process.exit(1);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
