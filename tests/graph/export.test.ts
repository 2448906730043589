import { describe, expect, it } from 'vitest';
import { GraphBuilder, ONNX_OPSET } from '@isoflop/graph';
import onnxProto from 'onnx-proto';
import { loadGraph } from './ort-harness.js';

describe('ONNX export accepted by ORT', () => {
  it('names outputs that are inputs, constants or repeated values, and keeps unused inputs', async () => {
    const b = new GraphBuilder({ dtype: 'float64' });
    const x = b.input('x', 'float', [3]);
    const ids = b.input('ids', 'int64', [2]);
    b.input('unused', 'float', [1]);
    const y = b.mul(x, 2);
    b.output('y', y);
    b.output('y again', y);
    b.output('x echo', x);
    b.output('two', b.scalar(2));
    b.output('picked', b.gather(x, ids));
    const bytes = b.toOnnxBytes();
    const model = onnxProto.onnx.ModelProto.decode(bytes);
    expect(Number(model.opsetImport[0]?.version)).toBe(ONNX_OPSET);
    expect((model.graph?.input ?? []).map((i) => i.name)).toEqual(['x', 'ids', 'unused']);
    const session = await loadGraph(bytes);
    const out = await session.run({
      x: { data: Float64Array.of(1, 2, 3), shape: [3] },
      ids: { data: BigInt64Array.of(2n, 0n), shape: [2] },
      unused: { data: Float64Array.of(0), shape: [1] },
    });
    await session.release();
    expect(Array.from(out.y as Float64Array)).toEqual([2, 4, 6]);
    expect(Array.from(out['y again'] as Float64Array)).toEqual([2, 4, 6]);
    expect(Array.from(out['x echo'] as Float64Array)).toEqual([1, 2, 3]);
    expect(Array.from(out.two as Float64Array)).toEqual([2]);
    expect(Array.from(out.picked as Float64Array)).toEqual([3, 1]);
  });
});
