import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '@isoflop/graph';
import { loadGraph } from './ort-harness.js';

// An embedding's gradient adds every position's row into the row of its id; frequent ids repeat many times
// in one batch. ORT's CPU ScatterND 'add' races on such rows across threads and loses updates, so the rule
// must stay exact with the two threads a 2-core worker runs.
describe("gather's gradient with repeated ids on several threads", () => {
  it('counts every occurrence of every id, run after run', async () => {
    const rows = 64;
    const width = 256;
    const count = 8192;
    const ids = Int32Array.from({ length: count }, (_, i) => (i * 7919 + (i >> 3)) % rows);
    const expected = new Float32Array(rows);
    for (const id of ids) expected[id]! += 1;

    const b = new GraphBuilder({ dtype: 'float32' });
    const table = b.param('table', [rows, width]);
    const loss = b.reduceSum(b.gather(table, b.input('ids', 'int32', [count])));
    const [grad] = b.backward(loss, [table]);
    b.output('grad', grad!);
    const session = await loadGraph(b.toOnnxBytes(), 2);
    try {
      for (let run = 0; run < 20; run++) {
        const out = await session.run({
          'p.table': { data: new Float32Array(rows * width), shape: [rows, width] },
          ids: { data: ids, shape: [count] },
        });
        const g = out['grad'] as Float32Array;
        const wrong = g.filter((value, i) => value !== expected[Math.floor(i / width)]).length;
        expect(wrong, `run ${run}`).toBe(0);
      }
    } finally {
      await session.release();
    }
  });
});
