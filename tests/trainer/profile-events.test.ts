import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import ort from 'onnxruntime-node';
import { countMatMulFlops, GraphBuilder, paramInputName } from '@isoflop/graph';
import {
  kernelKind,
  matmulFlops,
  readProfile,
  timedKernels,
} from '../../packages/trainer/bench/step-bench/profile-events.js';
import { buildTinyTransformer, type TinyShape } from '../graph/tiny-transformer.js';

const dir = mkdtempSync(join(tmpdir(), 'profile-events-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the step profile's reading of ORT's profiler", () => {
  it("recovers every product's FLOPs from kernel shapes alone, transposed operands included", async () => {
    // Distinct sizes, so a K taken from the wrong axis changes the count.
    const shape: TinyShape = { batch: 3, seqLen: 8, dModel: 16, heads: 2, ffn: 40, vocab: 24 };
    const b = new GraphBuilder();
    const { loss, params } = buildTinyTransformer(b, shape);
    b.output('loss', loss);
    b.backward(loss, params).forEach((g, i) => b.output(`grad${i}`, g!));
    const session = await ort.InferenceSession.create(b.toOnnxBytes(), {
      graphOptimizationLevel: 'all',
      enableProfiling: true,
      profileFilePrefix: join(dir, 'tiny'),
    });
    const { batch, seqLen, vocab } = shape;
    const ids = Int32Array.from({ length: batch * seqLen }, (_, i) => (i * 5) % vocab);
    const feeds: Record<string, ort.Tensor> = {
      ids: new ort.Tensor('int32', ids, [batch, seqLen]),
      targets: new ort.Tensor(
        'int32',
        ids.map((t) => (t + 1) % vocab),
        [batch, seqLen],
      ),
      weights: new ort.Tensor('float32', new Float32Array(batch * seqLen).fill(1), [batch, seqLen]),
    };
    for (const p of b.params) {
      feeds[paramInputName(p.name)] = new ort.Tensor(
        'float32',
        Float32Array.from({ length: p.tensor.size }, (_, i) => 0.1 * Math.sin(i + 1)),
        [...p.tensor.shape],
      );
    }
    for (let i = 0; i < 3; i++) await session.run(feeds);
    session.endProfiling();
    await session.release();

    const { kernels, runs, runUs } = timedKernels(readProfile(dir), 1);
    expect(runs).toBe(2);
    const products = kernels.filter((k) => kernelKind(k.opType) === 'matmul');
    // ORT folds the graph's transposes into its products: the count must survive that.
    expect(products.some((k) => k.opType === 'FusedMatMul')).toBe(true);
    const flops = products.reduce((sum, k) => sum + matmulFlops(k).flops, 0);
    expect(flops).toBe(runs * countMatMulFlops(b.toIr()));
    const kernelUs = kernels.reduce((sum, k) => sum + k.us, 0);
    expect(kernelUs).toBeGreaterThan(0);
    expect(kernelUs).toBeLessThanOrEqual(runUs);
  });
});
