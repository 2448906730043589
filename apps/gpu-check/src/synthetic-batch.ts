import { Rng } from '@isoflop/models';

/**
 * Token rows [batchSize, seqLen + 1] as a pure function of (seed, step): a noisy affine recurrence over the
 * vocabulary, so the model has something to learn and every device sees identical batches. Throughput and
 * device agreement do not depend on the text, and this needs no corpus on the GPU host.
 */
export function syntheticBatch(
  seed: number,
  step: number,
  batchSize: number,
  seqLen: number,
  vocabSize: number,
): Int32Array {
  const rng = new Rng(seed, step);
  const rows = new Int32Array(batchSize * (seqLen + 1));
  for (let row = 0; row < batchSize; row++) {
    let token = rng.nextInt(vocabSize);
    for (let i = 0; i <= seqLen; i++) {
      rows[row * (seqLen + 1) + i] = token;
      token = (token * 31 + 7 + rng.nextInt(8)) % vocabSize;
    }
  }
  return rows;
}
