/** One timed piece of ASR output, times in seconds from the start of the audio passed in. */
export interface AsrSegment {
  start: number;
  /** Whisper leaves the last timestamp open when the audio ends mid-sentence. */
  end: number | null;
  text: string;
  /** Mean token probability 0..1 of the window this came from; absent when unknown. */
  confidence?: number;
}

/** What the transcript builder needs from ASR; the worker-thread client and test fakes implement it. */
export interface Transcriber {
  /** 16 kHz mono speech, at most ~30 s (one Whisper window). */
  transcribe(audio: Float32Array): Promise<AsrSegment[]>;
  close(): Promise<void>;
}
