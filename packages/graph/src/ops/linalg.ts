import { GraphError } from '../errors.js';
import type { GraphCore } from '../internal/graph-core.js';
import { formatShape } from '../internal/shape.js';
import { need, type MaybeTensor } from '../internal/tape.js';
import type { Tensor } from '../tensor.js';
import { matMulNode, sumToShape } from './primitives.js';

export interface MatMulOptions {
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
}

/**
 * Batched matmul with numpy batch broadcasting; `transposeB` computes a·bᵀ (x·Wᵀ) through a Transpose
 * that ORT folds into its fused MatMul.
 */
export function matmul(c: GraphCore, a: Tensor, b: Tensor, options: MatMulOptions = {}): Tensor {
  c.requireFloat(a, 'matmul: a');
  c.sameDType(a, b, 'matmul');
  if (a.rank < 2 || b.rank < 2) {
    throw new GraphError(
      'SHAPE_MISMATCH',
      `matmul: a and b need rank ≥ 2, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
  const ta = options.transposeA ?? false;
  const tb = options.transposeB ?? false;
  const y = matMulNode(c, a, ta, b, tb, 'matmul');
  c.tape.record([a, b], [y], ([gy], needs) => {
    const g = need(gy);
    let ga: MaybeTensor;
    let gb: MaybeTensor;
    if (needs[0]) {
      ga = ta
        ? matMulNode(c, b, tb, g, true, 'matmul grad')
        : matMulNode(c, g, false, b, !tb, 'matmul grad');
      ga = sumToShape(c, ga, a.shape);
    }
    if (needs[1]) {
      if (b.rank === 2 && a.rank > 2 && !ta) {
        // Contract the batch dims inside one 2-D MatMul instead of a batched product + ReduceSum.
        const a2 = flattenBatch(c, a);
        const g2 = flattenBatch(c, g);
        gb = tb
          ? matMulNode(c, g2, true, a2, false, 'matmul grad')
          : matMulNode(c, a2, true, g2, false, 'matmul grad');
      } else {
        gb = tb
          ? matMulNode(c, g, true, a, ta, 'matmul grad')
          : matMulNode(c, a, !ta, g, false, 'matmul grad');
        gb = sumToShape(c, gb, b.shape);
      }
    }
    return [ga, gb];
  });
  return y;
}

/** [..., k] as [rows, k]: the batch dims of a product flattened into its rows. */
function flattenBatch(c: GraphCore, x: Tensor): Tensor {
  const last = x.shape[x.rank - 1] ?? 0;
  return c.emit1('Reshape', [x, c.int64s([-1, last])], {
    dtype: x.dtype,
    shape: [x.size / last, last],
  });
}
