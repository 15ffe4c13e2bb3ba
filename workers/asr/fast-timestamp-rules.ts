import { WhisperTimeStampLogitsProcessor, type Tensor } from '@huggingface/transformers';

type Rules = WhisperTimeStampLogitsProcessor;

/**
 * Whisper's timestamp rules (transformers.js WhisperTimeStampLogitsProcessor)
 * without a full log-softmax per decoding step. The library normalises all
 * 51,865 logits to ask one question — is the total probability of the
 * timestamp tokens above that of the likeliest text token? The normaliser
 * cancels out of that comparison, so it is answered with a max over the text
 * logits and a log-sum-exp over the ~1,500 timestamp logits. Same masks, same
 * decisions (up to the library's float32 rounding of log-probs); one of the
 * two largest per-window costs of transcribing with the small test model.
 */
export function timestampRules(this: Rules, inputIds: bigint[][], logits: Tensor): Tensor {
  for (let i = 0; i < inputIds.length; ++i) {
    const data = (logits as unknown as Tensor[])[i].data as Float32Array;
    // <|notimestamps|> is handled by without_timestamps.
    data[this.no_timestamps_token_id] = -Infinity;
    if (inputIds[i].length === this.begin_index) {
      data.subarray(0, this.timestamp_begin).fill(-Infinity);
      continue;
    }
    // Timestamps come in pairs, except directly before end of text.
    const seq = inputIds[i].slice(this.begin_index);
    const lastWasTimestamp = seq.length >= 1 && seq[seq.length - 1] >= this.timestamp_begin;
    const penultimateWasTimestamp = seq.length < 2 || seq[seq.length - 2] >= this.timestamp_begin;
    if (lastWasTimestamp) {
      if (penultimateWasTimestamp) data.subarray(this.timestamp_begin).fill(-Infinity);
      else data.subarray(0, this.eos_token_id).fill(-Infinity);
    }
    // (The library's max_initial_timestamp check sits here but can never fire: its condition returned above.)
    if (timestampMassWins(data, this.timestamp_begin)) data.subarray(0, this.timestamp_begin).fill(-Infinity);
  }
  return logits;
}

/** log Σ exp(timestamp logits) > max(text logits), i.e. the library's comparison of log-probs. */
export function timestampMassWins(data: Float32Array, timestampBegin: number): boolean {
  let maxText = -Infinity;
  for (let j = 0; j < timestampBegin; j++) if (data[j] > maxText) maxText = data[j];
  let maxStamp = -Infinity;
  for (let j = timestampBegin; j < data.length; j++) if (data[j] > maxStamp) maxStamp = data[j];
  if (maxStamp === -Infinity) return false;
  let sum = 0;
  for (let j = timestampBegin; j < data.length; j++) sum += Math.exp(data[j] - maxStamp);
  return maxStamp + Math.log(sum) > maxText;
}

let installed = false;

/** Swaps the rules in for every Whisper pipeline of this thread; idempotent. */
export function useFastTimestampRules(): void {
  if (installed) return;
  installed = true;
  WhisperTimeStampLogitsProcessor.prototype._call = timestampRules;
}
