import { ONNX_DATA_TYPE, isFloatDType, type DType } from '../dtype.js';
import { GraphError } from '../errors.js';
import type { GraphCore } from '../internal/graph-core.js';
import { int } from '../internal/ir.js';
import { broadcastShapes } from '../internal/shape.js';
import { need, type MaybeTensor } from '../internal/tape.js';
import type { Tensor } from '../tensor.js';
import { addTree, sumToShape } from './primitives.js';

// Elementwise ops with numpy broadcasting, each beside its gradient rule; a broadcast operand's gradient
// is summed back to its shape (`sumToShape`).

/** A tensor or a plain number, which becomes a scalar constant of the other operand's dtype. */
export type Operand = Tensor | number;

export function add(c: GraphCore, a: Operand, b: Operand): Tensor {
  return binary(c, 'Add', a, b, (g) => [g, g]);
}

export function sub(c: GraphCore, a: Operand, b: Operand): Tensor {
  return binary(c, 'Sub', a, b, (g, _x, _y, _out, needs) => [g, needs[1] ? neg(c, g) : undefined]);
}

export function mul(c: GraphCore, a: Operand, b: Operand): Tensor {
  return binary(c, 'Mul', a, b, (g, x, y, _out, needs) => [
    needs[0] ? mul(c, g, y) : undefined,
    needs[1] ? mul(c, g, x) : undefined,
  ]);
}

export function div(c: GraphCore, a: Operand, b: Operand): Tensor {
  return binary(c, 'Div', a, b, (g, _x, y, out, needs) => {
    const ga = div(c, g, y);
    return [needs[0] ? ga : undefined, needs[1] ? neg(c, mul(c, ga, out)) : undefined];
  });
}

/** Elementwise maximum; the gradient goes to `a` where a ≥ b, else to `b`. */
export function maximum(c: GraphCore, a: Operand, b: Operand): Tensor {
  return binary(c, 'Max', a, b, (g, x, y) => splitByMask(c, g, greaterOrEqual(c, x, y)));
}

/** Elementwise minimum; the gradient goes to `a` where a ≤ b, else to `b`. */
export function minimum(c: GraphCore, a: Operand, b: Operand): Tensor {
  return binary(c, 'Min', a, b, (g, x, y) => splitByMask(c, g, lessOrEqual(c, x, y)));
}

/** Elementwise sum of same-dtype tensors (broadcasting) in one node. */
export function addN(c: GraphCore, xs: readonly Tensor[]): Tensor {
  const first = xs[0];
  if (first === undefined)
    throw new GraphError('INVALID_ARGUMENT', 'addN: needs at least one tensor');
  xs.forEach((x, i) => {
    c.requireFloat(x, `addN: tensors[${i}]`);
    c.sameDType(first, x, `addN: tensors[${i}]`);
  });
  if (xs.length === 1) return first;
  if (!c.lowering.sumNode) return addTree(xs, (x, y) => add(c, x, y));
  const shape = xs.reduce<readonly number[]>((s, x) => broadcastShapes(s, x.shape, 'addN'), []);
  const y = c.emit1('Sum', xs, { dtype: first.dtype, shape });
  c.tape.record(xs, [y], ([g], needs) =>
    xs.map((x, i) => (needs[i] ? sumToShape(c, need(g), x.shape) : undefined)),
  );
  return y;
}

export function neg(c: GraphCore, x: Tensor): Tensor {
  return unary(c, 'Neg', x, (g) => neg(c, g));
}

export function exp(c: GraphCore, x: Tensor): Tensor {
  return unary(c, 'Exp', x, (g, _x, y) => mul(c, g, y));
}

export function log(c: GraphCore, x: Tensor): Tensor {
  return unary(c, 'Log', x, (g, xi) => div(c, g, xi));
}

export function sqrt(c: GraphCore, x: Tensor): Tensor {
  return unary(c, 'Sqrt', x, (g, _x, y) => div(c, mul(c, g, 0.5), y));
}

export function reciprocal(c: GraphCore, x: Tensor): Tensor {
  return unary(c, 'Reciprocal', x, (g, _x, y) => neg(c, mul(c, g, mul(c, y, y))));
}

export function sigmoid(c: GraphCore, x: Tensor): Tensor {
  return unary(c, 'Sigmoid', x, (g, _x, y) => mul(c, g, mul(c, y, sub(c, 1, y))));
}

export function tanh(c: GraphCore, x: Tensor): Tensor {
  return unary(c, 'Tanh', x, (g, _x, y) => mul(c, g, sub(c, 1, mul(c, y, y))));
}

export function square(c: GraphCore, x: Tensor): Tensor {
  return mul(c, x, x);
}

/** x ** exponent for a constant exponent. */
export function pow(c: GraphCore, x: Tensor, exponent: number): Tensor {
  if (!Number.isFinite(exponent)) {
    throw new GraphError('INVALID_ARGUMENT', `pow: exponent must be finite, got ${exponent}`);
  }
  c.requireFloat(x, 'pow: x');
  const y = c.emit1('Pow', [x, c.scalar(exponent, x.dtype)], x);
  c.tape.record([x], [y], ([g]) => {
    const dydx =
      exponent === 2
        ? mul(c, x, 2)
        : exponent === 1
          ? c.scalar(1, x.dtype)
          : mul(c, pow(c, x, exponent - 1), exponent);
    return [mul(c, need(g), dydx)];
  });
  return y;
}

/** cond ? a : b with numpy broadcasting over all three. */
export function where(c: GraphCore, cond: Tensor, a: Operand, b: Operand): Tensor {
  c.own(cond, 'where: cond');
  if (cond.dtype !== 'bool')
    throw new GraphError('DTYPE_MISMATCH', `where: cond must be bool, got ${cond.dtype}`);
  const [ta, tb] = operands(c, a, b, 'where');
  const shape = broadcastShapes(broadcastShapes(cond.shape, ta.shape, 'where'), tb.shape, 'where');
  const y = c.emit1('Where', [cond, ta, tb], { dtype: ta.dtype, shape });
  c.tape.record([ta, tb], [y], ([gy], needs) => {
    const g = need(gy);
    return [
      needs[0] ? sumToShape(c, mul(c, g, cast(c, cond, g.dtype)), ta.shape) : undefined,
      needs[1] ? sumToShape(c, mul(c, g, cast(c, not(c, cond), g.dtype)), tb.shape) : undefined,
    ];
  });
  return y;
}

/** Float to float casts are differentiable (the gradient is cast back); others are not. */
export function cast(c: GraphCore, x: Tensor, dtype: DType): Tensor {
  c.own(x, 'cast: x');
  if (x.dtype === dtype) return x;
  const y = c.emit1('Cast', [x], { dtype, shape: x.shape }, { to: int(ONNX_DATA_TYPE[dtype]) });
  if (isFloatDType(dtype) && isFloatDType(x.dtype)) {
    c.tape.record([x], [y], ([g]) => [cast(c, need(g), x.dtype)]);
  }
  return y;
}

// ---- comparisons (not differentiable: boolean results) --------------------------------------

export function equal(c: GraphCore, a: Operand, b: Operand): Tensor {
  return compare(c, 'Equal', a, b);
}

export function less(c: GraphCore, a: Operand, b: Operand): Tensor {
  return compare(c, 'Less', a, b);
}

export function lessOrEqual(c: GraphCore, a: Operand, b: Operand): Tensor {
  return compare(c, 'LessOrEqual', a, b);
}

export function greater(c: GraphCore, a: Operand, b: Operand): Tensor {
  return compare(c, 'Greater', a, b);
}

export function greaterOrEqual(c: GraphCore, a: Operand, b: Operand): Tensor {
  return compare(c, 'GreaterOrEqual', a, b);
}

/** Logical not of a bool tensor. */
export function not(c: GraphCore, x: Tensor): Tensor {
  c.own(x, 'not: x');
  if (x.dtype !== 'bool')
    throw new GraphError('DTYPE_MISMATCH', `not: x must be bool, got ${x.dtype}`);
  return c.emit1('Not', [x], x);
}

function compare(c: GraphCore, opType: string, a: Operand, b: Operand): Tensor {
  const [ta, tb] = operands(c, a, b, opType);
  return c.emit1(opType, [ta, tb], {
    dtype: 'bool',
    shape: broadcastShapes(ta.shape, tb.shape, opType),
  });
}

// ---- shared by the ops above --------------------------------------------------------------

function unary(
  c: GraphCore,
  opType: string,
  x: Tensor,
  grad: (g: Tensor, x: Tensor, y: Tensor) => Tensor,
): Tensor {
  c.requireFloat(x, `${opType}: x`);
  const y = c.emit1(opType, [x], x);
  c.tape.record([x], [y], ([g]) => [grad(need(g), x, y)]);
  return y;
}

function binary(
  c: GraphCore,
  opType: string,
  a: Operand,
  b: Operand,
  grad: (
    g: Tensor,
    a: Tensor,
    b: Tensor,
    y: Tensor,
    needs: readonly boolean[],
  ) => readonly MaybeTensor[],
): Tensor {
  const [ta, tb] = operands(c, a, b, opType);
  c.requireFloat(ta, `${opType}: a`);
  const folded = foldScalars(c, opType, ta, tb);
  if (folded !== undefined) return folded;
  const shape = broadcastShapes(ta.shape, tb.shape, opType);
  const y = c.emit1(opType, [ta, tb], { dtype: ta.dtype, shape });
  c.tape.record([ta, tb], [y], ([g], needs) => {
    const [ga, gb] = grad(need(g), ta, tb, y, needs);
    return [
      needs[0] && ga ? sumToShape(c, ga, ta.shape) : undefined,
      needs[1] && gb ? sumToShape(c, gb, tb.shape) : undefined,
    ];
  });
  return y;
}

/**
 * Routes g to the first operand where `mask`, else to the second: multiplications by the cast mask, as
 * ORT's Where is far slower than Mul on large tensors.
 */
function splitByMask(c: GraphCore, g: Tensor, mask: Tensor): [Tensor, Tensor] {
  const m = cast(c, mask, g.dtype);
  return [mul(c, g, m), sub(c, g, mul(c, g, m))];
}

const SCALAR_FOLDS: Readonly<Record<string, (x: number, y: number) => number>> = {
  Add: (x, y) => x + y,
  Sub: (x, y) => x - y,
  Mul: (x, y) => x * y,
  Div: (x, y) => x / y,
  Max: (x, y) => Math.max(x, y),
  Min: (x, y) => Math.min(x, y),
};

/**
 * Arithmetic on two scalar constants (e.g. a seed gradient divided by a token count) is done here: ORT
 * cannot constant-fold it in float16 and warns.
 */
function foldScalars(c: GraphCore, opType: string, a: Tensor, b: Tensor): Tensor | undefined {
  const x = c.scalarValue(a);
  const y = c.scalarValue(b);
  if (x === undefined || y === undefined) return undefined;
  const value = SCALAR_FOLDS[opType]?.(x, y);
  return value === undefined ? undefined : c.scalar(value, a.dtype);
}

function operands(c: GraphCore, a: Operand, b: Operand, what: string): [Tensor, Tensor] {
  if (typeof a === 'number' && typeof b === 'number') {
    throw new GraphError('INVALID_ARGUMENT', `${what}: at least one operand must be a tensor`);
  }
  const ta = typeof a === 'number' ? c.scalar(a, (b as Tensor).dtype) : a;
  const tb = typeof b === 'number' ? c.scalar(b, ta.dtype) : b;
  c.own(ta, `${what}: a`);
  c.own(tb, `${what}: b`);
  c.sameDType(ta, tb, what);
  return [ta, tb];
}
