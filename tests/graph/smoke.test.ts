import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '@isoflop/graph';
import { loadGraph } from './ort-harness.js';

describe('smoke', () => {
  it('runs matmul + softmax + backward in float64', async () => {
    const b = new GraphBuilder({ dtype: 'float64' });
    const x = b.input('x', 'float', [2, 3]);
    const w = b.param('w', [4, 3]);
    const y = b.softmax(b.matmul(x, w, { transposeB: true }));
    const loss = b.reduceSum(b.mul(y, y));
    const [gw] = b.backward(loss, [w]);
    b.output('loss', loss);
    b.output('gw', gw!);
    const g = await loadGraph(b.toOnnxBytes());
    const out = await g.run({
      x: { data: new Float64Array([1, 2, 3, 4, 5, 6]), shape: [2, 3] },
      'p.w': { data: new Float64Array(12).map((_, i) => i / 10), shape: [4, 3] },
    });
    expect(out.loss!.length).toBe(1);
    expect(out.gw!.length).toBe(12);
    console.log(out.loss, out.gw, b.stats());
  });
});
