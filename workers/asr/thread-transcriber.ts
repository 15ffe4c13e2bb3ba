import { Worker } from 'node:worker_threads';
import type { ThreadMessage } from './asr-thread.ts';
import type { TranscriberOptions } from './load-transcriber.ts';
import type { AsrSegment, Transcriber } from './transcriber.ts';

/**
 * A Transcriber whose Whisper runs in a worker thread. One per worker process:
 * the model loads once, in the thread, when `start` is awaited.
 */
export class ThreadTranscriber implements Transcriber {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(s: AsrSegment[]): void; reject(e: Error): void }>();
  private failure: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: ThreadMessage) => {
      if (message.type !== 'result' && message.type !== 'failure') return;
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.type === 'result') waiter?.resolve(message.segments);
      else waiter?.reject(new Error(`ASR failed: ${message.message}`));
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`ASR thread exited (code ${code})`)));
  }

  static async start(options: TranscriberOptions = {}): Promise<ThreadTranscriber> {
    const worker = new Worker(new URL('./asr-thread-loader.mjs', import.meta.url), { workerData: options });
    // Only our own listeners are removed afterwards: Worker keeps internal ones (removeAllListeners breaks delivery).
    let onMessage: (message: ThreadMessage) => void = () => {};
    let onError: (error: Error) => void = () => {};
    let onExit: (code: number) => void = () => {};
    try {
      await new Promise<void>((resolve, reject) => {
        onMessage = (message) => {
          if (message.type === 'ready') resolve();
          if (message.type === 'load_error') reject(new Error(`cannot load ASR model: ${message.message}`));
        };
        onError = reject;
        onExit = (code) => reject(new Error(`ASR thread exited during load (code ${code})`));
        worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      });
    } catch (error) {
      await worker.terminate();
      throw error;
    } finally {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    }
    return new ThreadTranscriber(worker);
  }

  transcribe(audio: Float32Array): Promise<AsrSegment[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    // Callers pass views into whole-call channels; copy the slice so transferring it detaches nothing of theirs.
    const copy = audio.slice();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, audio: copy }, [copy.buffer]);
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error('ASR thread closed');
    await this.worker.terminate();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}
