import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { GraphBuilder } from '@isoflop/graph';

const dir = mkdtempSync(join(tmpdir(), 'graph-fusion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Op counts of the graph ORT actually runs after its 'all' level optimisations. */
async function optimizedOps(bytes: Uint8Array): Promise<Record<string, number>> {
  const path = join(dir, `opt-${Math.random().toString(36).slice(2)}.onnx`);
  const session = await ort.InferenceSession.create(bytes, {
    graphOptimizationLevel: 'extended',
    optimizedModelFilePath: path,
  });
  await session.release();
  const counts: Record<string, number> = {};
  for (const n of onnxProto.onnx.ModelProto.decode(readFileSync(path)).graph?.node ?? []) {
    const op = n.opType ?? '';
    counts[op] = (counts[op] ?? 0) + 1;
  }
  return counts;
}

describe('graphs ORT can optimise', () => {
  it('a linear layer x·Wᵀ and both its gradients run as MatMuls with no Transpose left', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float', [2, 8, 16]);
    const w = b.param('w', [32, 16]);
    const y = b.matmul(x, w, { transposeB: true });
    const loss = b.reduceSum(b.mul(y, y));
    const [gx, gw] = b.backward(loss, [x, w]);
    b.output('gx', gx!);
    b.output('gw', gw!);
    expect(b.stats().byOp.MatMul).toBe(3);
    const ops = await optimizedOps(b.toOnnxBytes());
    expect(ops.Transpose ?? 0).toBe(0);
    expect((ops.MatMul ?? 0) + (ops.FusedMatMul ?? 0)).toBe(3);
  });
});
