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
  private previous: { row: Float32Array; logSumExp: number; length: number } | null = null;
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
        this.sum += this.previous.row[chosen] - this.previous.logSumExp;
        this.count += 1;
      }
    }
    const vocab = logits.dims.at(-1) ?? 0;
    // Copied: later processors (timestamp rules) overwrite logits in place.
    const row = Float32Array.from((logits.data as Float32Array).subarray(0, vocab));
    this.previous = { row, logSumExp: logSumExp(row), length: ids.length };
    return logits;
  }

  /** undefined when no text token was generated. */
  confidence(): number | undefined {
    return this.count === 0 ? undefined : Math.exp(this.sum / this.count);
  }
}

function logSumExp(row: Float32Array): number {
  let max = -Infinity;
  for (const x of row) if (x > max) max = x;
  if (max === -Infinity) return max;
  let sum = 0;
  for (const x of row) sum += Math.exp(x - max);
  return max + Math.log(sum);
}
