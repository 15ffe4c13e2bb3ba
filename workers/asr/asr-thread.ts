import { parentPort, workerData } from 'node:worker_threads';
import { loadTranscriber, type TranscriberOptions } from './load-transcriber.ts';

/**
 * Worker-thread side of ThreadTranscriber: owns the Whisper pipeline so that
 * inference (seconds of CPU per window) never blocks the main event loop,
 * where BullMQ renews job locks and the API answers.
 */
export interface TranscribeRequest {
  id: number;
  audio: Float32Array;
}

export type ThreadMessage =
  | { type: 'ready' }
  | { type: 'load_error'; message: string }
  | { type: 'result'; id: number; segments: import('./transcriber.ts').AsrSegment[] }
  | { type: 'failure'; id: number; message: string };

const port = parentPort;
let queue: Promise<void> = Promise.resolve();
if (!port) throw new Error('asr-thread.ts must run in a worker thread');

try {
  const transcriber = await loadTranscriber(workerData as TranscriberOptions);
  port.on('message', (request: TranscribeRequest) => {
    // Requests are answered in order; the pipeline is not re-entrant anyway.
    queue = queue.then(async () => {
      try {
        const segments = await transcriber.transcribe(request.audio);
        port.postMessage({ type: 'result', id: request.id, segments } satisfies ThreadMessage);
      } catch (error) {
        port.postMessage({
          type: 'failure',
          id: request.id,
          message: messageOf(error),
        } satisfies ThreadMessage);
      }
    });
  });
  port.postMessage({ type: 'ready' } satisfies ThreadMessage);
} catch (error) {
  port.postMessage({ type: 'load_error', message: messageOf(error) } satisfies ThreadMessage);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
