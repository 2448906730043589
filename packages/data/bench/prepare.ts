// Preparing the default corpus (State of the Union, 10.8 M characters) from an empty cache with each
// tokenizer, opening the cached result again, and drawing training batches.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareData, sampleBatch, type DataSpec } from '@isoflop/data';

const BENCH = 'data-prepare';

function emit(metric: string, value: number, unit: string, context: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: BENCH, metric, value, unit, ...context })}\n`);
}

const specs: DataSpec[] = [
  { corpus: { kind: 'sotu' }, tokenizer: { kind: 'gpt2' }, valFraction: 0.02 },
  { corpus: { kind: 'sotu' }, tokenizer: { kind: 'bpe', vocabSize: 4096 }, valFraction: 0.02 },
];

const cacheDir = await mkdtemp(join(tmpdir(), 'isoflop-bench-data-'));
try {
  for (const spec of specs) {
    const tokenizer =
      spec.tokenizer.kind === 'bpe' ? `bpe-${spec.tokenizer.vocabSize}` : spec.tokenizer.kind;
    let started = performance.now();
    const prepared = await prepareData(spec, { cacheDir });
    const coldSeconds = (performance.now() - started) / 1000;
    const tokens = prepared.train.length + prepared.val.length;
    const context = { corpus: 'sotu', tokenizer, vocab_size: prepared.vocabSize, tokens };
    emit('cold_prepare_seconds', coldSeconds, 's', context);
    emit('cold_prepare_tokens_per_second', tokens / coldSeconds, 'tokens/s', context);
    started = performance.now();
    await prepareData(spec, { cacheDir });
    emit('cached_open_seconds', (performance.now() - started) / 1000, 's', context);

    const batchSize = 32;
    const seqLen = 256;
    const steps = 2000;
    started = performance.now();
    for (let step = 0; step < steps; step += 1)
      sampleBatch(prepared.train, 0, step, batchSize, seqLen);
    const sampleSeconds = (performance.now() - started) / 1000;
    emit(
      'sample_batch_tokens_per_second',
      (steps * batchSize * (seqLen + 1)) / sampleSeconds,
      'tokens/s',
      {
        ...context,
        batch_size: batchSize,
        seq_len: seqLen,
      },
    );
  }
} finally {
  await rm(cacheDir, { recursive: true, force: true });
}
