import { Worker } from 'node:worker_threads';
import type { SpeechSpans } from '../../models/transcript.ts';
import type { SpanOptions } from '../audio/speech-spans-from-probabilities.ts';
import type { Vad } from '../audio/vad.ts';
import type {
  CloseRequest,
  MediaTask,
  MediaTaskBody,
  MediaThreadMessage,
  MediaThreadOptions,
} from './media-thread.ts';
import type { VoicePrints, VoiceTurn } from './diarise-mono.ts';
import type { AsrSegment, Transcriber } from './transcriber.ts';

export interface MediaThreadsOptions extends MediaThreadOptions {
  /** How many threads, each with its own VAD and Whisper (memory grows with each). */
  threads: number;
}

type Result = SpeechSpans | AsrSegment[] | Float64Array[];

interface Queued {
  body: MediaTaskBody;
  transfer: ArrayBuffer[];
  resolve(result: Result): void;
  reject(error: Error): void;
}

/**
 * VAD and Whisper in worker threads, fed from one queue: each idle thread
 * takes the next task (a channel's VAD or one ≤ 30 s ASR window). The two
 * channels of a stereo call are heard at once, and a talkative side's
 * windows spread over every thread instead of waiting behind each other.
 * Independent single-threaded inference streams also use the cores better
 * than one stream with intra-op threads. Each thread loads its models once,
 * when `start` is awaited.
 */
export class MediaThreads implements Pick<Vad, 'detectSpeech'>, Transcriber, VoicePrints {
  private readonly queue: Queued[] = [];
  private closed = false;
  /** Replacements being loaded for threads that died. */
  private starting = 0;
  private lastFailure: Error | null = null;

  private constructor(
    private readonly threads: MediaThread[],
    private readonly options: MediaThreadsOptions,
  ) {
    for (const thread of threads) this.adopt(thread);
  }

  static async start(options: MediaThreadsOptions): Promise<MediaThreads> {
    const count = Math.max(1, Math.floor(options.threads));
    const started = await Promise.allSettled(Array.from({ length: count }, () => MediaThread.start(options)));
    const threads = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      await Promise.all(threads.map((t) => t.close()));
      throw failed.reason;
    }
    return new MediaThreads(threads, options);
  }

  get size(): number {
    return this.threads.length;
  }

  detectSpeech(
    samples: Float32Array,
    sampleRate: number,
    options?: Partial<SpanOptions>,
  ): Promise<SpeechSpans> {
    // Decoded channels live in shared memory and go over as they are; anything else is copied.
    const shared = samples.buffer instanceof SharedArrayBuffer;
    const sent = shared ? samples : samples.slice();
    return this.run(
      { kind: 'vad', samples: sent, sampleRate, options },
      shared ? [] : [sent.buffer as ArrayBuffer],
    ) as Promise<SpeechSpans>;
  }

  /** Per-turn voice features of a mono channel (diarise-mono.ts): cheap, but kept off the main event loop. */
  voiceFeatures(samples: Float32Array, sampleRate: number, turns: VoiceTurn[]): Promise<Float64Array[]> {
    const shared = samples.buffer instanceof SharedArrayBuffer;
    const sent = shared ? samples : samples.slice();
    return this.run(
      { kind: 'voices', samples: sent, sampleRate, turns },
      shared ? [] : [sent.buffer as ArrayBuffer],
    ) as Promise<Float64Array[]>;
  }

  transcribe(audio: Float32Array): Promise<AsrSegment[]> {
    const copy = audio.slice();
    return this.run({ kind: 'asr', audio: copy }, [copy.buffer]) as Promise<AsrSegment[]>;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.rejectQueued(new Error('media threads closed'));
    await Promise.all(this.threads.map((t) => t.close()));
  }

  private run(body: MediaTaskBody, transfer: ArrayBuffer[]): Promise<Result> {
    if (this.closed) return Promise.reject(new Error('media threads closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ body, transfer, resolve, reject });
      this.dispatch();
    });
  }

  private adopt(thread: MediaThread): void {
    thread.onIdle = () => this.dispatch();
    thread.onDeath = (error) => this.replace(thread, error);
  }

  /**
   * A thread that died (an uncaught error, out of memory) failed only its own
   * task, which the queue retries; a fresh thread takes its place. If the
   * replacement cannot load, the pool runs on with the threads it has.
   */
  private replace(dead: MediaThread, error: Error): void {
    this.lastFailure = error;
    if (this.closed) return;
    this.starting++;
    MediaThread.start(this.options).then(
      async (fresh) => {
        this.starting--;
        if (this.closed) return fresh.close();
        this.threads[this.threads.indexOf(dead)] = fresh;
        this.adopt(fresh);
        this.dispatch();
      },
      (failure: Error) => {
        this.starting--;
        this.lastFailure = failure;
        this.dispatch();
      },
    );
  }

  private dispatch(): void {
    const alive = this.threads.filter((t) => t.alive);
    if (alive.length === 0) {
      if (this.starting === 0) this.rejectQueued(this.lastFailure ?? new Error('no media threads'));
      return;
    }
    for (const thread of alive) {
      if (this.queue.length === 0) return;
      if (!thread.busy) thread.run(this.queue.shift()!);
    }
  }

  private rejectQueued(error: Error): void {
    for (const task of this.queue.splice(0)) task.reject(error);
  }
}

class MediaThread {
  failure: Error | null = null;
  onIdle: () => void = () => {};
  onDeath: (error: Error) => void = () => {};
  private closing = false;
  private nextId = 1;
  private current: { id: number; task: Queued } | null = null;
  private exited = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: MediaThreadMessage) => {
      if (message.type === 'ready' || message.type === 'load_error') return;
      const current = this.current;
      if (!current || current.id !== message.id) return;
      this.current = null;
      if (message.type === 'vad') current.task.resolve(message.spans);
      else if (message.type === 'asr') current.task.resolve(message.segments);
      else if (message.type === 'voices') current.task.resolve(message.features);
      else
        current.task.reject(new Error(`${current.task.body.kind.toUpperCase()} failed: ${message.message}`));
      this.onIdle();
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => {
      this.exited = true;
      this.fail(new Error(`media thread exited (code ${code})`));
    });
  }

  static async start(options: MediaThreadOptions): Promise<MediaThread> {
    const workerData: MediaThreadOptions = { transcriber: options.transcriber, vad: options.vad };
    const worker = new Worker(new URL('./media-thread-loader.mjs', import.meta.url), { workerData });
    // Only our own listeners are removed afterwards: Worker keeps internal ones (removeAllListeners breaks delivery).
    let onMessage: (message: MediaThreadMessage) => void = () => {};
    let onError: (error: Error) => void = () => {};
    let onExit: (code: number) => void = () => {};
    try {
      await new Promise<void>((resolve, reject) => {
        onMessage = (message) => {
          if (message.type === 'ready') resolve();
          if (message.type === 'load_error') reject(new Error(`cannot load ASR model: ${message.message}`));
        };
        onError = reject;
        onExit = (code) => reject(new Error(`media thread exited during load (code ${code})`));
        worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      });
    } catch (error) {
      // The thread ends itself after a load error; terminate only one that hangs.
      await exitOf(worker, 10_000);
      throw error;
    } finally {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    }
    return new MediaThread(worker);
  }

  get alive(): boolean {
    return this.failure === null;
  }

  get busy(): boolean {
    return this.current !== null;
  }

  run(task: Queued): void {
    const id = this.nextId++;
    this.current = { id, task };
    this.worker.postMessage({ ...task.body, id } satisfies MediaTask, task.transfer);
  }

  /**
   * Lets the running task finish (its caller gets its answer), then asks the
   * thread to release its models and exit. Terminating it mid-inference would
   * abort the process: ONNX Runtime throws across the dying thread. After
   * `graceMs` it is terminated anyway.
   */
  async close(graceMs = 30_000): Promise<void> {
    this.closing = true;
    if (this.exited) return;
    if (this.current) await new Promise<void>((resolve) => (this.onIdle = resolve));
    if (this.exited) return;
    this.failure ??= new Error('media thread closed');
    this.onIdle = () => {};
    this.worker.postMessage({ kind: 'close' } satisfies CloseRequest);
    await exitOf(this.worker, graceMs);
  }

  private fail(error: Error): void {
    const first = this.failure === null;
    this.failure ??= error;
    const current = this.current;
    this.current = null;
    current?.task.reject(error);
    if (first && !this.closing) this.onDeath(error);
    // Whatever is still queued goes to the threads that are left (or fails if none are).
    this.onIdle();
  }
}

/** Resolves when the thread has exited; one still running after `graceMs` is terminated. */
function exitOf(worker: Worker, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => void worker.terminate().then(() => resolve()), graceMs);
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
