import { GraphError } from '../errors.js';
import type { GraphCore } from '../internal/graph-core.js';
import { int, ints } from '../internal/ir.js';
import {
  broadcastShapes,
  formatShape,
  normalizeAxes,
  normalizeAxis,
  sameShape,
} from '../internal/shape.js';
import { need } from '../internal/tape.js';
import type { Tensor } from '../tensor.js';
import { reshapeNode, sumToShape } from './primitives.js';

// Ops that move elements without computing on them, each beside its gradient rule (which moves the
// gradient back). An op that would not change its input returns the input itself.

/** Reshape to a static shape; one -1 is inferred. */
export function reshape(c: GraphCore, x: Tensor, shape: readonly number[]): Tensor {
  c.own(x, 'reshape: x');
  const y = reshapeNode(c, x, shape);
  if (y === x) return x;
  c.tape.record([x], [y], ([g]) => [reshape(c, need(g), x.shape)]);
  return y;
}

/** Permute axes; reverses them when `perm` is omitted. */
export function transpose(c: GraphCore, x: Tensor, perm?: readonly number[]): Tensor {
  c.own(x, 'transpose: x');
  const p = perm ?? x.shape.map((_, i) => x.rank - 1 - i);
  if (p.length !== x.rank || [...p].sort((a, b) => a - b).some((v, i) => v !== i)) {
    throw new GraphError(
      'INVALID_ARGUMENT',
      `transpose: perm [${p.join(', ')}] is not a permutation of rank ${x.rank}`,
    );
  }
  if (p.every((v, i) => v === i)) return x;
  const y = c.emit1(
    'Transpose',
    [x],
    { dtype: x.dtype, shape: p.map((i) => x.shape[i] ?? 0) },
    { perm: ints(p) },
  );
  const inverse = new Array<number>(p.length);
  p.forEach((v, i) => (inverse[v] = i));
  c.tape.record([x], [y], ([g]) => [transpose(c, need(g), inverse)]);
  return y;
}

export function concat(c: GraphCore, xs: readonly Tensor[], axis: number): Tensor {
  const first = xs[0];
  if (first === undefined)
    throw new GraphError('INVALID_ARGUMENT', 'concat: needs at least one tensor');
  const ax = normalizeAxis(axis, first.rank, 'concat');
  xs.forEach((x, i) => {
    c.sameDType(first, x, `concat: tensor ${i}`);
    if (x.rank !== first.rank || x.shape.some((d, k) => k !== ax && d !== first.shape[k])) {
      throw new GraphError(
        'SHAPE_MISMATCH',
        `concat: tensor ${i} has shape ${formatShape(x.shape)}, incompatible with ${formatShape(first.shape)} on axis ${ax}`,
      );
    }
  });
  if (xs.length === 1) return first;
  const sizes = xs.map((x) => x.shape[ax] ?? 0);
  const shape = first.shape.map((d, k) => (k === ax ? sizes.reduce((a, b) => a + b, 0) : d));
  const y = c.emit1('Concat', xs, { dtype: first.dtype, shape }, { axis: int(ax) });
  c.tape.record(xs, [y], ([g], needs) => {
    const parts = splitNode(c, need(g), sizes, ax);
    return parts.map((p, i) => (needs[i] ? p : undefined));
  });
  return y;
}

/** x[starts:ends] along `axes` (default 0..n-1), step 1; negative indices count from the end. */
export function slice(
  c: GraphCore,
  x: Tensor,
  starts: readonly number[],
  ends: readonly number[],
  axes?: readonly number[],
): Tensor {
  c.own(x, 'slice: x');
  const ax = axes ?? starts.map((_, i) => i);
  if (starts.length !== ends.length || starts.length !== ax.length) {
    throw new GraphError(
      'INVALID_ARGUMENT',
      'slice: starts, ends and axes must have equal lengths',
    );
  }
  const norm = normalizeAxes(ax, x.rank, 'slice');
  const order = ax.map((a) => normalizeAxis(a, x.rank, 'slice'));
  const begin = new Array<number>(x.rank).fill(0);
  const end = [...x.shape];
  order.forEach((a, i) => {
    const dim = x.shape[a] ?? 0;
    const s = (starts[i] ?? 0) < 0 ? (starts[i] ?? 0) + dim : (starts[i] ?? 0);
    const e = (ends[i] ?? 0) < 0 ? (ends[i] ?? 0) + dim : Math.min(ends[i] ?? 0, dim);
    if (!(s >= 0 && s < e && e <= dim)) {
      throw new GraphError(
        'INVALID_ARGUMENT',
        `slice: range [${starts[i]}, ${ends[i]}) is empty or out of bounds for axis ${a} of size ${dim}`,
      );
    }
    begin[a] = s;
    end[a] = e;
  });
  const shape = x.shape.map((_, k) => (end[k] ?? 0) - (begin[k] ?? 0));
  if (sameShape(shape, x.shape)) return x;
  const y = c.emit1(
    'Slice',
    [
      x,
      c.int64s(norm.map((a) => begin[a] ?? 0)),
      c.int64s(norm.map((a) => end[a] ?? 0)),
      c.int64s(norm),
    ],
    { dtype: x.dtype, shape },
  );
  c.tape.record([x], [y], ([g]) => {
    const pads = [...begin, ...x.shape.map((d, k) => d - (end[k] ?? 0))];
    return [c.emit1('Pad', [need(g), c.int64s(pads)], x)];
  });
  return y;
}

/** x in reverse order along `axis` (torch.flip): one strided Slice, its own gradient. */
export function reverse(c: GraphCore, x: Tensor, axis: number): Tensor {
  c.own(x, 'reverse: x');
  const ax = normalizeAxis(axis, x.rank, 'reverse');
  if ((x.shape[ax] ?? 0) <= 1) return x;
  // From the last element, step -1, to an end far below the first (ONNX clamps it to -1): all of it.
  const y = c.emit1(
    'Slice',
    [x, c.int64s([-1]), c.int64s([Number.MIN_SAFE_INTEGER]), c.int64s([ax]), c.int64s([-1])],
    x,
  );
  c.tape.record([x], [y], ([g]) => [reverse(c, need(g), ax)]);
  return y;
}

export function split(c: GraphCore, x: Tensor, sizes: readonly number[], axis: number): Tensor[] {
  c.own(x, 'split: x');
  const ax = normalizeAxis(axis, x.rank, 'split');
  if (
    sizes.some((s) => !Number.isInteger(s) || s <= 0) ||
    sizes.reduce((a, b) => a + b, 0) !== x.shape[ax]
  ) {
    throw new GraphError(
      'INVALID_ARGUMENT',
      `split: sizes [${sizes.join(', ')}] must be positive and sum to ${x.shape[ax]}`,
    );
  }
  if (sizes.length === 1) return [x];
  const parts = splitNode(c, x, sizes, ax);
  c.tape.record([x], parts, (grads) => {
    const filled = grads.map((g, i) => g ?? c.zeros(parts[i]?.shape ?? [], x.dtype));
    return [c.emit1('Concat', filled, x, { axis: int(ax) })];
  });
  return parts;
}

export function unsqueeze(c: GraphCore, x: Tensor, axes: readonly number[]): Tensor {
  c.own(x, 'unsqueeze: x');
  const ax = normalizeAxes(axes, x.rank + axes.length, 'unsqueeze');
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < x.rank + ax.length; i++) shape.push(ax.includes(i) ? 1 : (x.shape[k++] ?? 0));
  const y = c.emit1('Unsqueeze', [x, c.int64s(ax)], { dtype: x.dtype, shape });
  c.tape.record([x], [y], ([g]) => [reshape(c, need(g), x.shape)]);
  return y;
}

export function squeeze(c: GraphCore, x: Tensor, axes: readonly number[]): Tensor {
  c.own(x, 'squeeze: x');
  const ax = normalizeAxes(axes, x.rank, 'squeeze');
  for (const a of ax) {
    if (x.shape[a] !== 1)
      throw new GraphError(
        'SHAPE_MISMATCH',
        `squeeze: axis ${a} of ${formatShape(x.shape)} is not 1`,
      );
  }
  const shape = x.shape.filter((_, i) => !ax.includes(i));
  const y = c.emit1('Squeeze', [x, c.int64s(ax)], { dtype: x.dtype, shape });
  c.tape.record([x], [y], ([g]) => [reshape(c, need(g), x.shape)]);
  return y;
}

/** Broadcast to `shape` (numpy rules). */
export function expand(c: GraphCore, x: Tensor, shape: readonly number[]): Tensor {
  c.own(x, 'expand: x');
  const target = broadcastShapes(x.shape, shape, 'expand');
  if (sameShape(target, x.shape)) return x;
  const y = c.emit1('Expand', [x, c.int64s(target)], { dtype: x.dtype, shape: target });
  c.tape.record([x], [y], ([g]) => [sumToShape(c, need(g), x.shape)]);
  return y;
}

function splitNode(c: GraphCore, x: Tensor, sizes: readonly number[], axis: number): Tensor[] {
  return c.emit(
    'Split',
    [x, c.int64s(sizes)],
    sizes.map((s) => ({ dtype: x.dtype, shape: x.shape.map((d, k) => (k === axis ? s : d)) })),
    { axis: int(axis) },
  );
}
