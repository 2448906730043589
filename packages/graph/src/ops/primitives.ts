import { GraphError } from '../errors.js';
import type { GraphCore } from '../internal/graph-core.js';
import { int, ints } from '../internal/ir.js';
import {
  broadcastShapes,
  formatShape,
  keptShape,
  product,
  resolveReshape,
  sameShape,
} from '../internal/shape.js';
import type { Tensor } from '../tensor.js';

// The untaped building blocks that op forwards and gradient rules of several groups share: they check no
// operands and record no gradient rule. The provider-specific choices of these emissions read the
// lowering (`src/lowering.ts`), never the target.

/** Reshape to a static shape (one -1 inferred); `x` itself when the shape is unchanged. */
export function reshapeNode(c: GraphCore, x: Tensor, shape: readonly number[]): Tensor {
  const target = resolveReshape(x.shape, shape);
  if (sameShape(target, x.shape)) return x;
  return c.emit1('Reshape', [x, c.int64s(target)], { dtype: x.dtype, shape: target });
}

export function reduceNode(
  c: GraphCore,
  opType: string,
  x: Tensor,
  axes: readonly number[],
  keepdims: boolean,
): Tensor {
  const shape = keepdims ? keptShape(x.shape, axes) : x.shape.filter((_, i) => !axes.includes(i));
  return c.emit1(
    opType,
    [x, c.int64s(axes)],
    { dtype: x.dtype, shape },
    { keepdims: int(keepdims ? 1 : 0) },
  );
}

/** op(a)·op(b), op a transpose where `ta`/`tb`; `what` names the op in a shape error. */
export function matMulNode(
  c: GraphCore,
  a: Tensor,
  ta: boolean,
  b: Tensor,
  tb: boolean,
  what: string,
): Tensor {
  if (c.lowering.cheaperTransposedMatMul && a.rank >= 2 && b.rank >= 2) {
    // A product with a transposed operand copies it. op(a)·op(b) is also (op'(b)·op'(a))ᵀ, which
    // copies the other operand and the output instead; for attention's Pᵀ·dO that is two
    // [T, head] tensors rather than the [T, T] probabilities.
    const outSize = (a.shape[a.rank - (ta ? 1 : 2)] ?? 1) * (b.shape[b.rank - (tb ? 2 : 1)] ?? 1);
    const batch = Math.max(
      a.size / product(a.shape.slice(-2)),
      b.size / product(b.shape.slice(-2)),
    );
    const direct = (ta ? a.size : 0) + (tb ? b.size : 0);
    const swapped = (ta ? 0 : a.size) + (tb ? 0 : b.size) + outSize * batch;
    if (swapped < direct) {
      return swapLast(c, plainMatMul(c, b, !tb, a, !ta, what));
    }
  }
  return plainMatMul(c, a, ta, b, tb, what);
}

function plainMatMul(
  c: GraphCore,
  a: Tensor,
  ta: boolean,
  b: Tensor,
  tb: boolean,
  what: string,
): Tensor {
  const x = ta ? swapLast(c, a) : a;
  const y = tb ? swapLast(c, b) : b;
  const m = x.shape[x.rank - 2] ?? 0;
  const k = x.shape[x.rank - 1] ?? 0;
  const k2 = y.shape[y.rank - 2] ?? 0;
  const n = y.shape[y.rank - 1] ?? 0;
  if (k !== k2) {
    throw new GraphError(
      'SHAPE_MISMATCH',
      `${what}: inner dimensions differ: ${formatShape(x.shape)} · ${formatShape(y.shape)}`,
    );
  }
  const batch = broadcastShapes(x.shape.slice(0, -2), y.shape.slice(0, -2), what);
  return c.emit1('MatMul', [x, y], { dtype: a.dtype, shape: [...batch, m, n] });
}

function swapLast(c: GraphCore, x: Tensor): Tensor {
  const perm = x.shape.map((_, i) => i);
  perm[x.rank - 1] = x.rank - 2;
  perm[x.rank - 2] = x.rank - 1;
  return c.emit1(
    'Transpose',
    [x],
    { dtype: x.dtype, shape: perm.map((i) => x.shape[i] ?? 0) },
    { perm: ints(perm) },
  );
}

/** Σ of ≥ 2 tensors as a balanced tree of binary adds (for providers without a Sum kernel). */
export function addTree(xs: readonly Tensor[], add: (a: Tensor, b: Tensor) => Tensor): Tensor {
  let level = [...xs];
  while (level.length > 1) {
    const next: Tensor[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      next.push(add(level[i] as Tensor, level[i + 1] as Tensor));
    }
    if (level.length % 2 === 1) next.push(level[level.length - 1] as Tensor);
    level = next;
  }
  return level[0] as Tensor;
}

/** Sums a broadcast gradient back to `shape` with one reduction (plus a Reshape if ranks differ). */
export function sumToShape(c: GraphCore, g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const rows = axes.reduce((n, a) => n * (g.shape[a] ?? 1), 1);
  const leadingRows = rows > 1 && axes.every((a, i) => a === i);
  if (leadingRows && c.lowering.leadingRowSum === 'staged-reduce') {
    return reshapeNode(c, sumRows(c, reshapeNode(c, g, [rows, g.size / rows])), shape);
  }
  if (leadingRows && g.dtype !== 'float16') {
    // Leading axes (a gain's or bias's gradient over the batch): ones[1, N] · g[N, rest] is one
    // multithreaded GEMM, several times faster in ORT than ReduceSum over leading axes.
    const flat = reshapeNode(c, g, [rows, g.size / rows]);
    return reshapeNode(
      c,
      matMulNode(c, c.ones([1, rows], g.dtype), false, flat, false, 'sumToShape'),
      shape,
    );
  }
  const keepAxes = axes.some((a) => a >= lead);
  const reduced = reduceNode(c, 'ReduceSum', g, axes, keepAxes || lead === 0);
  return reshapeNode(c, reduced, shape);
}

/**
 * Σ over the rows of [R, C] for WebGPU, whose reductions run one workgroup per output over innermost
 * axes (transposing first otherwise), and whose MatMul with one output row barely parallelises: rows
 * are moved innermost once, then summed in two stages of about √R each.
 */
function sumRows(c: GraphCore, flat: Tensor): Tensor {
  const [rows = 1, cols = 1] = flat.shape;
  const byColumn = c.emit1(
    'Transpose',
    [flat],
    { dtype: flat.dtype, shape: [cols, rows] },
    { perm: ints([1, 0]) },
  );
  let inner = 1;
  for (let d = Math.floor(Math.sqrt(rows)); d > 1; d--) {
    if (rows % d === 0) {
      inner = d;
      break;
    }
  }
  if (inner === 1) return reduceNode(c, 'ReduceSum', byColumn, [1], false);
  const partial = reduceNode(
    c,
    'ReduceSum',
    reshapeNode(c, byColumn, [cols * (rows / inner), inner]),
    [1],
    false,
  );
  return reduceNode(c, 'ReduceSum', reshapeNode(c, partial, [cols, rows / inner]), [1], false);
}
