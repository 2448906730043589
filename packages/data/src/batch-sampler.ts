import { DataError } from './errors.js';
import { counterUniform } from './internal/counter-random.js';
import type { TokenShard } from './token-shard.js';

/** Streams keep training draws and validation draws independent even under the same seed. */
const TRAIN_STREAM = 0x7261696e;
const VALIDATION_STREAM = 0x76616c69;

function checkInteger(value: number, field: string, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new DataError('INVALID_ARGUMENT', `expected an integer >= ${min}, got ${String(value)}`, {
      field,
    });
  }
}

function checkWindow(shard: TokenShard, seqLen: number): void {
  if (shard.length < seqLen + 1) {
    throw new DataError(
      'INVALID_ARGUMENT',
      `expected seqLen + 1 = ${seqLen + 1} <= the shard's ${shard.length} tokens`,
      { field: 'seqLen' },
    );
  }
}

/**
 * Training batch `step`: `batchSize` windows of `seqLen + 1` consecutive tokens, each starting at a uniformly
 * random offset. A pure function of (seed, step): a resumed run draws exactly the batches it would have drawn.
 * Returns row-major `[batchSize, seqLen + 1]`.
 */
export function sampleBatch(
  shard: TokenShard,
  seed: number,
  step: number,
  batchSize: number,
  seqLen: number,
): Int32Array {
  checkInteger(seed, 'seed', 0);
  checkInteger(step, 'step', 0);
  checkInteger(batchSize, 'batchSize', 1);
  checkInteger(seqLen, 'seqLen', 1);
  checkWindow(shard, seqLen);
  const width = seqLen + 1;
  const starts = shard.length - seqLen;
  const batch = new Int32Array(batchSize * width);
  for (let row = 0; row < batchSize; row += 1) {
    const start = Math.floor(counterUniform(seed, TRAIN_STREAM, step, row) * starts);
    shard.read(start, width, batch, row * width);
  }
  return batch;
}

/**
 * A fixed evaluation set: about `totalTokens` predicted tokens as full batches of non-overlapping windows
 * (the shard cut into `seqLen + 1`-token slots, `batchSize * k` of them picked by `seed`). Runs that share the
 * seed see the same windows. When the shard holds fewer slots than asked for, every full batch it holds is used.
 */
export function validationBatches(
  shard: TokenShard,
  seed: number,
  totalTokens: number,
  batchSize: number,
  seqLen: number,
): Int32Array[] {
  checkInteger(seed, 'seed', 0);
  checkInteger(totalTokens, 'totalTokens', 1);
  checkInteger(batchSize, 'batchSize', 1);
  checkInteger(seqLen, 'seqLen', 1);
  checkWindow(shard, seqLen);
  const width = seqLen + 1;
  const slotCount = Math.floor(shard.length / width);
  const wantedBatches = Math.ceil(Math.ceil(totalTokens / seqLen) / batchSize);
  const batchCount = Math.min(wantedBatches, Math.floor(slotCount / batchSize));
  if (batchCount === 0) {
    throw new DataError(
      'INVALID_ARGUMENT',
      `expected the validation shard to hold one batch of ${batchSize} x ${width} tokens, it holds ${shard.length}`,
      { field: 'batchSize' },
    );
  }
  // Partial Fisher-Yates: the first `rows` entries become a uniform sample of slots without replacement.
  const rows = batchCount * batchSize;
  const slots = new Int32Array(slotCount).map((_, index) => index);
  for (let i = 0; i < rows; i += 1) {
    const j = i + Math.floor(counterUniform(seed, VALIDATION_STREAM, 0, i) * (slotCount - i));
    const picked = slots[j] ?? 0;
    slots[j] = slots[i] ?? 0;
    slots[i] = picked;
  }
  const batches: Int32Array[] = [];
  for (let b = 0; b < batchCount; b += 1) {
    const batch = new Int32Array(batchSize * width);
    for (let row = 0; row < batchSize; row += 1) {
      const start = (slots[b * batchSize + row] ?? 0) * width;
      shard.read(start, width, batch, row * width);
    }
    batches.push(batch);
  }
  return batches;
}
