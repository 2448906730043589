import type { GraphCore } from '../internal/graph-core.js';
import { keptShape, normalizeAxes } from '../internal/shape.js';
import { need } from '../internal/tape.js';
import type { Tensor } from '../tensor.js';
import { cast, equal, mul } from './elementwise.js';
import { reduceNode } from './primitives.js';
import { expand, reshape } from './shape.js';

// Reductions over axes (all axes when omitted), each beside its gradient rule, which spreads the
// gradient back over the reduced axes.

/** Sum over `axes` (all axes when omitted). */
export function reduceSum(
  c: GraphCore,
  x: Tensor,
  axes?: readonly number[],
  keepdims = false,
): Tensor {
  return reduce(c, 'ReduceSum', x, axes, keepdims, (g) => expand(c, g, x.shape));
}

export function reduceMean(
  c: GraphCore,
  x: Tensor,
  axes?: readonly number[],
  keepdims = false,
): Tensor {
  const ax = axesOrAll(x, axes, 'reduceMean');
  const count = ax.reduce((n, a) => n * (x.shape[a] ?? 1), 1);
  return reduce(c, 'ReduceMean', x, ax, keepdims, (g) => expand(c, mul(c, g, 1 / count), x.shape));
}

/** Max over `axes`; the gradient goes to every position equal to the max. */
export function reduceMax(
  c: GraphCore,
  x: Tensor,
  axes?: readonly number[],
  keepdims = false,
): Tensor {
  const ax = axesOrAll(x, axes, 'reduceMax');
  return reduce(c, 'ReduceMax', x, ax, keepdims, (g, y) => {
    const yk = reshape(c, y, keptShape(x.shape, ax));
    // Broadcasting g against the full-size mask avoids materialising an expanded copy.
    return mul(c, cast(c, equal(c, x, yk), x.dtype), g);
  });
}

/** Σ x² over `axes` in one node. */
export function reduceSumSquare(
  c: GraphCore,
  x: Tensor,
  axes?: readonly number[],
  keepdims = false,
): Tensor {
  return reduce(c, 'ReduceSumSquare', x, axes, keepdims, (g) => mul(c, x, mul(c, g, 2)));
}

/**
 * Σ x² over every element, a scalar. In two stages, rows first, where the lowering says so: reductions
 * that run one workgroup per output would leave the device to a single workgroup for one scalar.
 */
export function squaredNorm(c: GraphCore, x: Tensor): Tensor {
  if (!c.lowering.rowsFirstSquaredNorm || x.rank < 2) return reduceSumSquare(c, x);
  return reduceSum(c, reduceSumSquare(c, x, [x.rank - 1]));
}

function reduce(
  c: GraphCore,
  opType: string,
  x: Tensor,
  axes: readonly number[] | undefined,
  keepdims: boolean,
  grad: (gKept: Tensor, yKept: Tensor) => Tensor,
): Tensor {
  c.requireFloat(x, `${opType}: x`);
  const ax = axesOrAll(x, axes, opType);
  const y = reduceNode(c, opType, x, ax, keepdims);
  c.tape.record([x], [y], ([g]) => {
    const kept = keptShape(x.shape, ax);
    return [grad(reshape(c, need(g), kept), y)];
  });
  return y;
}

function axesOrAll(x: Tensor, axes: readonly number[] | undefined, what: string): number[] {
  if (axes === undefined) return x.shape.map((_, i) => i);
  return normalizeAxes(axes, x.rank, what);
}
