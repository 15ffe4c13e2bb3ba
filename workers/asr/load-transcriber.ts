import { LogitsProcessorList, env, pipeline } from '@huggingface/transformers';
import { useFastTimestampRules } from './fast-timestamp-rules.ts';
import { TokenConfidence } from './token-confidence.ts';
import type { AsrSegment, Transcriber } from './transcriber.ts';
import { useFastLogMel, type FeatureExtractorLike } from './whisper-log-mel.ts';

export interface TranscriberOptions {
  /** Hugging Face model id, or a folder name under `modelDir`. */
  modelId?: string;
  /** ONNX weight variant: 'q8' (quantized, ~4x smaller and faster on CPU), 'fp32', 'fp16', 'q4'. */
  dtype?: string;
  /** CALLQA_MODEL_DIR: a local model tree (<dir>/<modelId>/...). Set means fully offline. */
  modelDir?: string;
  /** Where downloaded models are cached when not offline. */
  cacheDir?: string;
  /** ISO code of the calls' language ('zh', 'en', ...). */
  language?: string;
  /** ONNX Runtime intra-op threads for the model; unset lets ONNX Runtime use every core. */
  intraOpThreads?: number;
}

/** Multilingual and the smallest Whisper whose Mandarin is usable; q8 is ~250 MB (see README). */
export const defaultModelId = 'Xenova/whisper-small';
export const defaultDtype = 'q8';

const whisperLanguages: Record<string, string> = {
  zh: 'chinese',
  en: 'english',
  yue: 'cantonese',
  ja: 'japanese',
  ko: 'korean',
  es: 'spanish',
  fr: 'french',
  de: 'german',
};

/** Whisper wants language names; config speaks ISO codes. Full names pass through. */
export function whisperLanguage(code: string): string {
  const key = code.toLowerCase().split(/[-_]/)[0];
  return whisperLanguages[key] ?? code.toLowerCase();
}

const loaded = new Map<string, Promise<Transcriber>>();

/**
 * Loads the Whisper pipeline once per thread (per option set). Runs wherever
 * it is called: each media thread (media-thread.ts) calls it so inference stays
 * off the main event loop; tests may call it directly.
 */
export function loadTranscriber(options: TranscriberOptions = {}): Promise<Transcriber> {
  const key = JSON.stringify(options);
  let transcriber = loaded.get(key);
  if (!transcriber) {
    transcriber = createTranscriber(options, () => loaded.delete(key));
    loaded.set(key, transcriber);
    transcriber.catch(() => loaded.delete(key));
  }
  return transcriber;
}

interface AsrOutput {
  text: string;
  chunks?: Array<{ timestamp: [number, number | null]; text: string }>;
}

async function createTranscriber(options: TranscriberOptions, forget: () => void): Promise<Transcriber> {
  // transformers.js keeps these settings process-global (per thread): set them before loading.
  if (options.modelDir) {
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = options.modelDir.endsWith('/') ? options.modelDir : `${options.modelDir}/`;
  }
  if (options.cacheDir) env.cacheDir = options.cacheDir;
  const modelId = options.modelId ?? defaultModelId;
  const asr = await pipeline('automatic-speech-recognition', modelId, {
    dtype: (options.dtype ?? defaultDtype) as 'q8',
    ...(options.intraOpThreads ? { session_options: { intraOpNumThreads: options.intraOpThreads } } : {}),
  });
  useFastLogMel(asr.processor.feature_extractor as unknown as FeatureExtractorLike);
  useFastTimestampRules();
  const language = whisperLanguage(options.language ?? 'zh');
  // Special tokens start at <|endoftext|>; everything below is text.
  const firstSpecialId = asr.tokenizer.convert_tokens_to_ids('<|endoftext|>');

  return {
    async transcribe(audio) {
      const confidence = new TokenConfidence(firstSpecialId);
      const logitsProcessor = new LogitsProcessorList();
      logitsProcessor.push(confidence);
      const output = (await asr(audio, {
        language,
        task: 'transcribe',
        chunk_length_s: 30,
        stride_length_s: 5,
        return_timestamps: true,
        logits_processor: logitsProcessor,
      } as Record<string, unknown>)) as AsrOutput;
      const score = confidence.confidence();
      const chunks = output.chunks ?? [{ timestamp: [0, null], text: output.text }];
      return chunks.map((chunk): AsrSegment => ({
        start: chunk.timestamp[0] ?? 0,
        end: chunk.timestamp[1] ?? null,
        text: chunk.text,
        ...(score === undefined ? {} : { confidence: score }),
      }));
    },
    async close() {
      forget();
      await asr.dispose();
    },
  };
}
