import { GraphError } from '../errors.js';
import type { GraphCore } from '../internal/graph-core.js';
import { int } from '../internal/ir.js';
import { formatShape, normalizeAxis, sameShape } from '../internal/shape.js';
import { need } from '../internal/tape.js';
import type { Tensor } from '../tensor.js';
import {
  add,
  cast,
  div,
  exp,
  log,
  mul,
  neg,
  reciprocal,
  sigmoid,
  sqrt,
  sub,
} from './elementwise.js';
import { sumToShape } from './primitives.js';
import { reduceMax, reduceMean, reduceSum, reduceSumSquare } from './reduce.js';
import { expand, reshape, squeeze, unsqueeze } from './shape.js';

// The network's own ops: the softmax family, the embedding lookup and the composites (RMSNorm, SwiGLU,
// cross-entropy). A composite's forward is built from other ops untaped and its gradient is derived by
// hand, so the reverse pass is a few fused nodes rather than the chain rule through each part.

export function softmax(c: GraphCore, x: Tensor, axis = -1): Tensor {
  c.requireFloat(x, 'softmax: x');
  const ax = normalizeAxis(axis, x.rank, 'softmax');
  const y = c.emit1('Softmax', [x], x, { axis: int(ax) });
  c.tape.record([x], [y], ([gy]) => {
    const g = need(gy);
    return [mul(c, y, sub(c, g, reduceSum(c, mul(c, g, y), [ax], true)))];
  });
  return y;
}

/** A LogSoftmax node, or x − logsumexp(x) where the lowering has none. */
export function logSoftmax(c: GraphCore, x: Tensor, axis = -1): Tensor {
  c.requireFloat(x, 'logSoftmax: x');
  const ax = normalizeAxis(axis, x.rank, 'logSoftmax');
  const y = c.lowering.logSoftmaxNode
    ? c.emit1('LogSoftmax', [x], x, { axis: int(ax) })
    : c.tape.untaped(() => sub(c, x, logsumexp(c, x, ax, true)));
  c.tape.record([x], [y], ([gy]) => {
    const g = need(gy);
    // softmax(x) rather than exp(y): ORT's fused Softmax is several times faster than Exp here.
    return [sub(c, g, mul(c, softmax(c, x, ax), reduceSum(c, g, [ax], true)))];
  });
  return y;
}

/** log Σ exp(x) along `axis`, stabilised by the max; add a −1e6 mask first for subsets. */
export function logsumexp(c: GraphCore, x: Tensor, axis = -1, keepdims = false): Tensor {
  c.requireFloat(x, 'logsumexp: x');
  const ax = normalizeAxis(axis, x.rank, 'logsumexp');
  const { e, s, lse } = c.tape.untaped(() => {
    const m = reduceMax(c, x, [ax], true);
    const e = exp(c, sub(c, x, m));
    const s = reduceSum(c, e, [ax], true);
    return { e, s, lse: add(c, log(c, s), m) };
  });
  const out = keepdims ? lse : c.tape.untaped(() => squeeze(c, lse, [ax]));
  c.tape.record([x], [out], ([gy]) => {
    const gk = keepdims ? need(gy) : reshape(c, need(gy), lse.shape);
    return [mul(c, e, div(c, gk, s))];
  });
  return out;
}

/** Rows of `table` picked by integer `indices` (embedding lookup); gradient by a ScatterElements add (see scatterAddRows). */
export function gather(c: GraphCore, table: Tensor, indices: Tensor): Tensor {
  c.own(table, 'gather: table');
  c.own(indices, 'gather: indices');
  if (indices.dtype !== 'int32' && indices.dtype !== 'int64') {
    throw new GraphError(
      'DTYPE_MISMATCH',
      `gather: indices must be int32 or int64, got ${indices.dtype}`,
    );
  }
  if (table.rank < 1) throw new GraphError('SHAPE_MISMATCH', 'gather: table needs rank ≥ 1');
  const shape = [...indices.shape, ...table.shape.slice(1)];
  const y = c.emit1('Gather', [table, indices], { dtype: table.dtype, shape }, { axis: int(0) });
  c.tape.record([table, indices], [y], ([g]) => [
    scatterAddRows(c, need(g), indices, table),
    undefined,
  ]);
  return y;
}

/** x / sqrt(mean(x², last axis) + eps) · gain. */
export function rmsNorm(c: GraphCore, x: Tensor, gain: Tensor, eps: number): Tensor {
  c.requireFloat(x, 'rmsNorm: x');
  c.sameDType(x, gain, 'rmsNorm: gain');
  const d = x.shape[x.rank - 1];
  if (gain.rank !== 1 || gain.shape[0] !== d) {
    throw new GraphError(
      'SHAPE_MISMATCH',
      `rmsNorm: gain must have shape [${d}], got ${formatShape(gain.shape)}`,
    );
  }
  const { r, n, y } = c.tape.untaped(() => {
    // One ReduceSumSquare reads x once; x² is never materialised.
    const ms = mul(c, reduceSumSquare(c, x, [-1], true), 1 / (d ?? 1));
    const r = reciprocal(c, sqrt(c, add(c, ms, eps)));
    const n = mul(c, x, r);
    return { r, n, y: mul(c, n, gain) };
  });
  c.tape.record([x, gain], [y], ([gy], needs) => {
    const g = need(gy);
    const gx = needs[0]
      ? (() => {
          const dn = mul(c, g, gain);
          return mul(c, r, sub(c, dn, mul(c, n, reduceMean(c, mul(c, dn, n), [-1], true))));
        })()
      : undefined;
    return [gx, needs[1] ? sumToShape(c, mul(c, g, n), gain.shape) : undefined];
  });
  return y;
}

/** SwiGLU gate: silu(gate) · up. */
export function swiglu(c: GraphCore, gate: Tensor, up: Tensor): Tensor {
  c.requireFloat(gate, 'swiglu: gate');
  c.sameDType(gate, up, 'swiglu: up');
  if (!sameShape(gate.shape, up.shape)) {
    throw new GraphError(
      'SHAPE_MISMATCH',
      `swiglu: gate ${formatShape(gate.shape)} and up ${formatShape(up.shape)} differ`,
    );
  }
  const { s, silu, y } = c.tape.untaped(() => {
    const s = sigmoid(c, gate);
    const silu = mul(c, gate, s);
    return { s, silu, y: mul(c, silu, up) };
  });
  c.tape.record([gate, up], [y], ([gy], needs) => {
    const g = need(gy);
    // d silu/d gate = s + silu·(1 − s)
    const gGate = needs[0]
      ? mul(c, mul(c, g, up), add(c, s, mul(c, silu, sub(c, 1, s))))
      : undefined;
    return [gGate, needs[1] ? mul(c, g, silu) : undefined];
  });
  return y;
}

/**
 * Per-position weighted softmax cross-entropy: w · (logsumexp(logits) − logits[target]), shape of
 * `targets`. Sum it (reduceSum) for the scalar loss.
 */
export function crossEntropy(
  c: GraphCore,
  logits: Tensor,
  targets: Tensor,
  weights?: Tensor,
): Tensor {
  c.requireFloat(logits, 'crossEntropy: logits');
  c.own(targets, 'crossEntropy: targets');
  if (targets.dtype !== 'int32' && targets.dtype !== 'int64') {
    throw new GraphError(
      'DTYPE_MISMATCH',
      `crossEntropy: targets must be int32 or int64, got ${targets.dtype}`,
    );
  }
  const rowShape = logits.shape.slice(0, -1);
  if (!sameShape(targets.shape, rowShape)) {
    throw new GraphError(
      'SHAPE_MISMATCH',
      `crossEntropy: targets must have shape ${formatShape(rowShape)} for logits ${formatShape(logits.shape)}, got ${formatShape(targets.shape)}`,
    );
  }
  if (weights !== undefined) {
    c.sameDType(logits, weights, 'crossEntropy: weights');
    if (!sameShape(weights.shape, rowShape)) {
      throw new GraphError(
        'SHAPE_MISMATCH',
        `crossEntropy: weights must have shape ${formatShape(rowShape)}, got ${formatShape(weights.shape)}`,
      );
    }
  }
  const last = logits.rank - 1;
  const { index, ce, out } = c.tape.untaped(() => {
    const logp = logSoftmax(c, logits, last);
    const index = unsqueeze(c, cast(c, targets, 'int32'), [last]);
    const picked = c.emit1(
      'GatherElements',
      [logp, index],
      { dtype: logits.dtype, shape: index.shape },
      { axis: int(last) },
    );
    const ce = neg(c, squeeze(c, picked, [last]));
    return { index, ce, out: weights === undefined ? ce : mul(c, ce, weights) };
  });
  const inputs = weights === undefined ? [logits] : [logits, weights];
  c.tape.record(inputs, [out], ([gy], needs) => {
    const g = need(gy);
    const coef = weights === undefined ? g : mul(c, g, weights);
    const coefK = unsqueeze(c, coef, [last]);
    // softmax(logits) rather than exp(logp): ORT's fused Softmax is far faster than Exp here.
    const softGrad = mul(c, softmax(c, logits, last), coefK);
    // (softmax − onehot)·coef: subtract coef at each target by a scatter, not a [*, V] one-hot.
    const gLogits = needs[0]
      ? scatterAddElements(c, softGrad, index, neg(c, coefK), last)
      : undefined;
    const gWeights = needs[1] ? mul(c, g, ce) : undefined;
    return [gLogits, gWeights];
  });
  return out;
}

/**
 * Σ of g's rows into a zero table by id: the gradient of gather. ScatterElements, not ScatterND: ORT's
 * CPU ScatterND with reduction 'add' splits the updates across threads without atomics, so ids that
 * repeat in a batch lose updates (measured: a quarter of a test table wrong with 2 threads), while its
 * ScatterElements adds in one ordered pass. Its indices are int32, which every provider can expand
 * (WebGPU has no int64 Expand).
 */
function scatterAddRows(c: GraphCore, g: Tensor, indices: Tensor, table: Tensor): Tensor {
  const rows = table.shape[0] ?? 0;
  const rowSize = table.size / rows;
  const count = indices.size;
  // ORT has no float16 scatter-add on the CPU: accumulate in float32.
  const acc = table.dtype === 'float16' ? 'float32' : table.dtype;
  const ids = reshape(c, cast(c, indices, 'int32'), [count, 1]);
  const out = c.emit1(
    'ScatterElements',
    [
      c.zeros([rows, rowSize], acc),
      expand(c, ids, [count, rowSize]),
      reshape(c, cast(c, g, acc), [count, rowSize]),
    ],
    { dtype: acc, shape: [rows, rowSize] },
    { axis: int(0), reduction: { kind: 'string', value: 'add' } },
  );
  return cast(c, reshape(c, out, table.shape), table.dtype);
}

function scatterAddElements(
  c: GraphCore,
  data: Tensor,
  index: Tensor,
  updates: Tensor,
  axis: number,
): Tensor {
  const acc = data.dtype === 'float16' ? 'float32' : data.dtype;
  const out = c.emit1(
    'ScatterElements',
    [cast(c, data, acc), index, cast(c, updates, acc)],
    { dtype: acc, shape: data.shape },
    { axis: int(axis), reduction: { kind: 'string', value: 'add' } },
  );
  return cast(c, out, data.dtype);
}
