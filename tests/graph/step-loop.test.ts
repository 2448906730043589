import { describe, expect, it } from 'vitest';
import { GraphBuilder, GraphError, loopStepGraph, type StepLoopPlan } from '@isoflop/graph';
import { loadGraph } from './ort-harness.js';

/**
 * A toy "step": state s' = 0.5·s + step·x, with the per-step row x and lr, and the scan output
 * y = sum(s') · lr. Small enough to follow by hand, with the same roles as a training step.
 */
function toyStep(): Uint8Array {
  const b = new GraphBuilder();
  const s = b.input('s', 'float', [3]);
  const step = b.input('step', 'float', []);
  const x = b.input('x', 'float', [3]);
  const lr = b.input('lr', 'float', []);
  const next = b.add(b.mul(s, 0.5), b.mul(x, step));
  b.output('s.next', next);
  b.output('y', b.mul(b.reduceSum(next), lr));
  return b.toOnnxBytes();
}

const PLAN: StepLoopPlan = {
  carried: [{ input: 's', output: 's.next' }],
  counter: 'step',
  perStep: ['x', 'lr'],
  scanOutputs: ['y'],
};

describe('loopStepGraph', () => {
  it('runs one iteration per fed row, carrying the state and counting steps', async () => {
    const single = await loadGraph(toyStep());
    const looped = await loadGraph(loopStepGraph(toyStep(), PLAN));
    const rows = [
      [1, 2, 3],
      [-1, 0.25, 4],
      [0, 0, 1],
    ];
    const rates = [0.1, 0.2, 0.3];
    let s: Float32Array = Float32Array.of(1, 1, 1);
    const ys: number[] = [];
    for (const [i, row] of rows.entries()) {
      const out = await single.run({
        s: { data: s, shape: [3] },
        step: { data: Float32Array.of(7 + i), shape: [] },
        x: { data: Float32Array.from(row), shape: [3] },
        lr: { data: Float32Array.of(rates[i] as number), shape: [] },
      });
      s = out['s.next'] as Float32Array;
      ys.push((out.y as Float32Array)[0] as number);
    }
    const block = await looped.run({
      s: { data: Float32Array.of(1, 1, 1), shape: [3] },
      step: { data: Float32Array.of(7), shape: [] },
      x: { data: Float32Array.from(rows.flat()), shape: [3, 3] },
      lr: { data: Float32Array.from(rates), shape: [3] },
    });
    expect(Array.from(block['s.next'] as Float32Array)).toEqual(Array.from(s));
    expect(Array.from(block.y as Float32Array)).toEqual(ys);
    // Hand-computed first state: 0.5·1 + 7·[1, 2, 3].
    expect(ys[0]).toBeCloseTo((7.5 + 14.5 + 21.5) * 0.1, 5);

    // The same graph takes a shorter block (the trip count is the rows fed).
    const short = await looped.run({
      s: { data: Float32Array.of(1, 1, 1), shape: [3] },
      step: { data: Float32Array.of(7), shape: [] },
      x: { data: Float32Array.from(rows[0] as number[]), shape: [1, 3] },
      lr: { data: Float32Array.of(0.1), shape: [1] },
    });
    expect((short.y as Float32Array).length).toBe(1);
    expect((short.y as Float32Array)[0]).toBe(ys[0]);
    await Promise.all([single.release(), looped.release()]);
  });

  it('rejects a plan that does not place every input and output, naming it', () => {
    const err = (plan: StepLoopPlan): GraphError => {
      try {
        loopStepGraph(toyStep(), plan);
      } catch (e) {
        if (e instanceof GraphError) return e;
      }
      throw new Error('expected a GraphError');
    };
    expect(err({ ...PLAN, counter: 'lr2' }).message).toMatch(
      /plan\.counter: "lr2" is not an input/,
    );
    expect(err({ ...PLAN, counter: 'x' }).message).toMatch(/must be a float scalar/);
    expect(err({ ...PLAN, scanOutputs: ['z'] }).message).toMatch(
      /plan\.scanOutputs: "z" is not an output/,
    );
    const unplaced = err({ ...PLAN, perStep: ['x'] });
    expect(unplaced.code).toBe('INVALID_ARGUMENT');
    expect(unplaced.message).toMatch(/unplaced inputs \[lr\], outputs \[\]/);
    expect(err({ ...PLAN, scanOutputs: [] }).message).toMatch(/outputs \[y\]/);
  });
});
