import { describe, expect, it } from 'vitest';
import { GraphBuilder } from './graph-builder.js';
import { GraphError } from './errors.js';

describe('GraphBuilder', () => {
  it('rejects bad input with a coded error naming the argument', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float', [2, 3]);
    const err = (f: () => unknown): GraphError => {
      try {
        f();
      } catch (e) {
        if (e instanceof GraphError) return e;
      }
      throw new Error('expected a GraphError');
    };
    expect(err(() => b.add(x, b.input('y', 'float', [4]))).code).toBe('SHAPE_MISMATCH');
    expect(err(() => b.add(x, b.input('z', 'float64', [2, 3]))).code).toBe('DTYPE_MISMATCH');
    expect(err(() => b.input('x', 'float', [1])).code).toBe('DUPLICATE_NAME');
    expect(err(() => b.input('w', 'float', [0])).message).toMatch(/input w: shape/);
    expect(err(() => b.matmul(x, b.input('m', 'float', [4, 5]))).message).toMatch(
      /inner dimensions/,
    );
    expect(err(() => b.reshape(x, [4, -1])).code).toBe('SHAPE_MISMATCH');
    expect(err(() => b.softmax(x, 2)).message).toMatch(/softmax: axis 2/);
    expect(err(() => b.exp(new GraphBuilder().input('q', 'float', [1]))).code).toBe(
      'FOREIGN_TENSOR',
    );
    expect(err(() => b.backward(x, [x])).message).toMatch(/loss must be a scalar/);
    expect(err(() => b.param('bad name', [2])).message).toMatch(/param name/);
    expect(err(() => b.toOnnxBytes()).message).toMatch(/no outputs/);
    // An unknown provider (from unchecked input) has no lowering: refused, not built as the CPU's.
    const target = 'tpu' as 'cpu';
    expect(err(() => new GraphBuilder({ target })).message).toBe(
      'target: expected cpu|cuda|webgpu, got tpu',
    );
  });

  it('shares identical nodes and drops nodes no output needs', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float', [4, 8]);
    const s1 = b.softmax(x);
    const s2 = b.softmax(x);
    expect(s2).toBe(s1);
    b.exp(x);
    b.output('y', b.mul(s1, 2));
    expect(b.stats().byOp).toEqual({ Softmax: 1, Mul: 1 });
  });

  it('sums a gradient broadcast over leading axes with one MatMul by ones', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float', [3, 4, 5]);
    const bias = b.param('bias', [5]);
    const [g] = b.backward(b.reduceSum(b.mul(b.add(x, bias), x)), [bias]);
    b.output('g', g!);
    expect(g!.shape).toEqual([5]);
    expect(b.stats().byOp.MatMul).toBe(1);
    expect(b.stats().byOp.ReduceSum).toBeUndefined();
  });

  it('sums a gradient broadcast over inner axes with a single ReduceSum', () => {
    const b = new GraphBuilder();
    const x = b.input('x', 'float', [3, 4, 5]);
    const scale = b.param('scale', [3, 1, 5]);
    const [g] = b.backward(b.reduceSum(b.mul(x, scale)), [scale]);
    b.output('g', g!);
    expect(g!.shape).toEqual([3, 1, 5]);
    expect(b.stats().byOp.MatMul).toBeUndefined();
    expect(b.stats().byOp.ReduceSum).toBe(1);
  });

  it('gives zeros for a parameter the loss does not use, and sums fan-out with one Sum', () => {
    const b = new GraphBuilder({ dtype: 'float64' });
    const w = b.param('w', [2, 2]);
    const unused = b.param('unused', [3]);
    const loss = b.reduceSum(b.addN([b.exp(w), b.sigmoid(w), b.tanh(w)]));
    const [gw, gu] = b.backward(loss, [w, unused]);
    b.output('gw', gw!);
    b.output('gu', gu!);
    expect(gu!.shape).toEqual([3]);
    // The forward addN is dead (only gradients are outputs); the one Sum left joins w's fan-out.
    expect(b.stats().byOp.Sum).toBe(1);
    expect(b.stats().byOp.Add).toBeUndefined();
    expect(b.params.map((p) => [p.name, p.decay])).toEqual([
      ['w', true],
      ['unused', false],
    ]);
  });

  it('folds arithmetic on scalar constants instead of emitting nodes', () => {
    const b = new GraphBuilder({ dtype: 'float16' });
    const c = b.div(b.scalar(3), 4);
    b.output('c', b.mul(b.input('x', 'float', [2]), c));
    expect(b.stats().byOp).toEqual({ Mul: 1 });
  });
});
