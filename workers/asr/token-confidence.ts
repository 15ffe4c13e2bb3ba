import { LogitsProcessor, type Tensor } from '@huggingface/transformers';

/**
 * transformers.js computes token scores during generation but does not return
 * them (generate()'s `scores` is a TODO upstream). This processor sits in the
 * logits chain and, at each step, looks up the probability the model gave the
 * token chosen at the previous step. Only text tokens count: special and
 * timestamp tokens (ids >= firstSpecialId) say nothing about recognition.
 * The result is the geometric mean probability, i.e. exp(mean log-prob).
 */
export class TokenConfidence extends LogitsProcessor {
  private previous: { row: Float32Array; length: number } | null = null;
  private sum = 0;
  private count = 0;

  constructor(private readonly firstSpecialId: number) {
    super();
  }

  override _call(inputIds: bigint[][], logits: Tensor): Tensor {
    const ids = inputIds[0];
    if (this.previous && ids.length === this.previous.length + 1) {
      const chosen = Number(ids[ids.length - 1]);
      if (chosen < this.firstSpecialId) {
        // Normalised only now, and only for text tokens: timestamps and specials need no softmax.
        this.sum += this.previous.row[chosen] - logSumExp(this.previous.row);
        this.count += 1;
      }
    }
    const vocab = logits.dims.at(-1) ?? 0;
    // Copied: later processors (timestamp rules) overwrite logits in place.
    const row = (logits.data as Float32Array).slice(0, vocab);
    this.previous = { row, length: ids.length };
    return logits;
  }

  /** undefined when no text token was generated. */
  confidence(): number | undefined {
    return this.count === 0 ? undefined : Math.exp(this.sum / this.count);
  }
}

/**
 * Terms more than 20 below the maximum are skipped: each adds under 2e-9 of
 * the largest, so even a 52k-token vocabulary moves the result by < 1e-4,
 * and Whisper's rows are mostly such terms (this ran once per decoding step
 * and cost as much as the encoder).
 */
function logSumExp(row: Float32Array): number {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  if (max === -Infinity) return max;
  const cut = max - 20;
  let sum = 0;
  for (let i = 0; i < row.length; i++) if (row[i] > cut) sum += Math.exp(row[i] - max);
  return max + Math.log(sum);
}
