import { ONNX_DATA_TYPE, isFloatDType, type DType, type FloatDType } from './dtype.js';
import { GraphError } from './errors.js';
import { fromFloat16Bits, toFloat16Bits } from './internal/float16.js';
import type {
  AttrValue,
  ConstantData,
  IrConstant,
  IrGraph,
  IrNode,
  IrValue,
} from './internal/ir.js';
import {
  broadcastShapes,
  formatShape,
  normalizeAxes,
  normalizeAxis,
  product,
  sameShape,
} from './internal/shape.js';
import { liveNodes } from './internal/live-nodes.js';
import { LOWERINGS, type Lowering, type OpTarget } from './lowering.js';
import { encodeOnnxModel } from './onnx-export.js';
import { Tensor, type ParamSpec } from './tensor.js';

export type { OpTarget };

/** A tensor or a plain number, which becomes a scalar constant of the other operand's dtype. */
export type Operand = Tensor | number;

type MaybeTensor = Tensor | undefined;
type GradFn = (grads: readonly MaybeTensor[], needs: readonly boolean[]) => readonly MaybeTensor[];

interface TapeEntry {
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly backward: GradFn;
}

interface ValueType {
  readonly dtype: DType;
  readonly shape: readonly number[];
}

export interface GraphBuilderOptions {
  /** Float dtype of params, float inputs declared as 'float', and number operands' default. */
  readonly dtype?: FloatDType;
  /** Graph name written into the ONNX model. */
  readonly name?: string;
  /** The provider the graph will run on (default 'cpu'); picks lowerings, never results. */
  readonly target?: OpTarget;
}

export interface MatMulOptions {
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
}

export interface GraphStats {
  readonly nodes: number;
  readonly constants: number;
  readonly byOp: Readonly<Record<string, number>>;
}

/** Parameter input names: params are fed as `p.<name>`. */
export function paramInputName(name: string): string {
  return `p.${name}`;
}

const PARAM_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.\-/]*$/;

/**
 * Static-shape tensor-graph builder. Forward ops emit ONNX nodes; each op also records a gradient
 * rule on a tape so `backward` can emit the reverse pass into the same graph. Identical nodes are
 * shared (common subexpressions), and nodes no output needs are dropped on export.
 */
export class GraphBuilder {
  readonly dtype: FloatDType;
  readonly name: string;
  readonly target: OpTarget;
  private readonly lowering: Lowering;
  private nextId = 0;
  private readonly nodes: IrNode[] = [];
  private readonly valueTypes = new Map<number, { dtype: DType; shape: readonly number[] }>();
  private readonly constantTable = new Map<number, IrConstant>();
  private readonly inputValues: IrValue[] = [];
  private readonly outputValues: IrValue[] = [];
  private readonly usedNames = new Set<string>();
  private readonly paramSpecs: ParamSpec[] = [];
  private readonly nodeCache = new Map<string, Tensor[]>();
  private readonly constantCache = new Map<string, Tensor>();
  private readonly tape: TapeEntry[] = [];
  private readonly taped = new Set<number>();
  private recording = true;

  constructor(options: GraphBuilderOptions = {}) {
    this.dtype = options.dtype ?? 'float32';
    this.name = options.name ?? 'isoflop';
    this.target = options.target ?? 'cpu';
    if (!isFloatDType(this.dtype)) {
      throw new GraphError(
        'INVALID_ARGUMENT',
        `dtype: expected float16|float32|float64, got ${String(this.dtype)}`,
      );
    }
    if (!Object.hasOwn(LOWERINGS, this.target)) {
      throw new GraphError(
        'INVALID_ARGUMENT',
        `target: expected ${Object.keys(LOWERINGS).join('|')}, got ${String(this.target)}`,
      );
    }
    this.lowering = LOWERINGS[this.target];
  }

  // ---- declarations ------------------------------------------------------------------------

  /** A graph input fed at run time; dtype 'float' means the builder's float dtype. */
  input(name: string, dtype: DType | 'float', shape: readonly number[]): Tensor {
    this.claimName(name, 'input name');
    const resolved = dtype === 'float' ? this.dtype : dtype;
    checkShape(shape, `input ${name}: shape`);
    const t = this.newTensor(resolved, shape);
    this.inputValues.push({ name, id: t.id, dtype: resolved, shape: [...shape] });
    return t;
  }

  /** A trainable parameter, fed as input `p.<name>`; decay defaults to true for rank ≥ 2. */
  param(name: string, shape: readonly number[], options: { decay?: boolean } = {}): Tensor {
    if (!PARAM_NAME.test(name)) {
      throw new GraphError(
        'INVALID_ARGUMENT',
        `param name: ${JSON.stringify(name)} must match ${PARAM_NAME}`,
      );
    }
    const t = this.input(paramInputName(name), this.dtype, shape);
    this.paramSpecs.push({ name, tensor: t, decay: options.decay ?? shape.length >= 2 });
    return t;
  }

  get params(): readonly ParamSpec[] {
    return this.paramSpecs;
  }

  /** A constant tensor stored as an initializer; dtype defaults from the array type. */
  constant(
    data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array,
    shape: readonly number[],
    dtype?: DType,
  ): Tensor {
    checkShape(shape, 'constant: shape');
    if (data.length !== product(shape)) {
      throw new GraphError(
        'SHAPE_MISMATCH',
        `constant: ${data.length} values do not fill shape ${formatShape(shape)}`,
      );
    }
    const resolved = dtype ?? dtypeOfArray(data);
    return this.addConstant(resolved, shape, convertData(data, resolved));
  }

  /** Float constant in the builder's dtype (or `dtype`) from plain numbers. */
  floatConstant(
    values: ArrayLike<number>,
    shape: readonly number[],
    dtype: FloatDType = this.dtype,
  ): Tensor {
    return this.constant(Float64Array.from(values), shape, dtype);
  }

  /** A scalar constant; shared across the graph. */
  scalar(value: number, dtype: DType = this.dtype): Tensor {
    const key = `s|${dtype}|${Object.is(value, -0) ? '-0' : String(value)}`;
    const hit = this.constantCache.get(key);
    if (hit) return hit;
    const t = this.addConstant(dtype, [], convertData(Float64Array.of(value), dtype));
    this.constantCache.set(key, t);
    return t;
  }

  /** Names a tensor as a graph output. */
  output(name: string, tensor: Tensor): void {
    this.own(tensor, `output ${name}`);
    this.claimName(name, 'output name');
    this.outputValues.push({ name, id: tensor.id, dtype: tensor.dtype, shape: tensor.shape });
  }

  // ---- elementwise -------------------------------------------------------------------------

  add(a: Operand, b: Operand): Tensor {
    return this.binary('Add', a, b, (g) => [g, g]);
  }

  sub(a: Operand, b: Operand): Tensor {
    return this.binary('Sub', a, b, (g, _x, _y, _out, needs) => [
      g,
      needs[1] ? this.neg(g) : undefined,
    ]);
  }

  mul(a: Operand, b: Operand): Tensor {
    return this.binary('Mul', a, b, (g, x, y, _out, needs) => [
      needs[0] ? this.mul(g, y) : undefined,
      needs[1] ? this.mul(g, x) : undefined,
    ]);
  }

  div(a: Operand, b: Operand): Tensor {
    return this.binary('Div', a, b, (g, _x, y, out, needs) => {
      const ga = this.div(g, y);
      return [needs[0] ? ga : undefined, needs[1] ? this.neg(this.mul(ga, out)) : undefined];
    });
  }

  /** Elementwise maximum; the gradient goes to `a` where a ≥ b, else to `b`. */
  maximum(a: Operand, b: Operand): Tensor {
    return this.binary('Max', a, b, (g, x, y) => {
      const pick = this.greaterOrEqual(x, y);
      return this.splitByMask(g, pick);
    });
  }

  /** Elementwise minimum; the gradient goes to `a` where a ≤ b, else to `b`. */
  minimum(a: Operand, b: Operand): Tensor {
    return this.binary('Min', a, b, (g, x, y) => {
      const pick = this.lessOrEqual(x, y);
      return this.splitByMask(g, pick);
    });
  }

  /** Elementwise sum of same-dtype tensors (broadcasting) in one node. */
  addN(xs: readonly Tensor[]): Tensor {
    const first = xs[0];
    if (first === undefined)
      throw new GraphError('INVALID_ARGUMENT', 'addN: needs at least one tensor');
    xs.forEach((x, i) => {
      this.requireFloat(x, `addN: tensors[${i}]`);
      this.sameDType(first, x, `addN: tensors[${i}]`);
    });
    if (xs.length === 1) return first;
    if (!this.lowering.sumNode) return this.addTree(xs, (a, b) => this.add(a, b));
    const shape = xs.reduce<readonly number[]>((s, x) => broadcastShapes(s, x.shape, 'addN'), []);
    const y = this.emit1('Sum', xs, { dtype: first.dtype, shape });
    this.record(xs, [y], ([g], needs) =>
      xs.map((x, i) => (needs[i] ? this.sumToShape(need(g), x.shape) : undefined)),
    );
    return y;
  }

  neg(x: Tensor): Tensor {
    return this.unary('Neg', x, (g) => this.neg(g));
  }

  exp(x: Tensor): Tensor {
    return this.unary('Exp', x, (g, _x, y) => this.mul(g, y));
  }

  log(x: Tensor): Tensor {
    return this.unary('Log', x, (g, xi) => this.div(g, xi));
  }

  sqrt(x: Tensor): Tensor {
    return this.unary('Sqrt', x, (g, _x, y) => this.div(this.mul(g, 0.5), y));
  }

  reciprocal(x: Tensor): Tensor {
    return this.unary('Reciprocal', x, (g, _x, y) => this.neg(this.mul(g, this.mul(y, y))));
  }

  sigmoid(x: Tensor): Tensor {
    return this.unary('Sigmoid', x, (g, _x, y) => this.mul(g, this.mul(y, this.sub(1, y))));
  }

  tanh(x: Tensor): Tensor {
    return this.unary('Tanh', x, (g, _x, y) => this.mul(g, this.sub(1, this.mul(y, y))));
  }

  square(x: Tensor): Tensor {
    return this.mul(x, x);
  }

  /** x ** exponent for a constant exponent. */
  pow(x: Tensor, exponent: number): Tensor {
    if (!Number.isFinite(exponent)) {
      throw new GraphError('INVALID_ARGUMENT', `pow: exponent must be finite, got ${exponent}`);
    }
    this.requireFloat(x, 'pow: x');
    const y = this.emit1('Pow', [x, this.scalar(exponent, x.dtype)], x);
    this.record([x], [y], ([g]) => {
      const dydx =
        exponent === 2
          ? this.mul(x, 2)
          : exponent === 1
            ? this.scalar(1, x.dtype)
            : this.mul(this.pow(x, exponent - 1), exponent);
      return [this.mul(need(g), dydx)];
    });
    return y;
  }

  // ---- comparisons (not differentiable: boolean results) ----------------------------------

  equal(a: Operand, b: Operand): Tensor {
    return this.compare('Equal', a, b);
  }

  less(a: Operand, b: Operand): Tensor {
    return this.compare('Less', a, b);
  }

  lessOrEqual(a: Operand, b: Operand): Tensor {
    return this.compare('LessOrEqual', a, b);
  }

  greater(a: Operand, b: Operand): Tensor {
    return this.compare('Greater', a, b);
  }

  greaterOrEqual(a: Operand, b: Operand): Tensor {
    return this.compare('GreaterOrEqual', a, b);
  }

  /** Logical not of a bool tensor. */
  not(x: Tensor): Tensor {
    this.own(x, 'not: x');
    if (x.dtype !== 'bool')
      throw new GraphError('DTYPE_MISMATCH', `not: x must be bool, got ${x.dtype}`);
    return this.emit1('Not', [x], x);
  }

  // ---- linear algebra ----------------------------------------------------------------------

  /**
   * Batched matmul with numpy batch broadcasting; `transposeB` computes a·bᵀ (x·Wᵀ) through a
   * Transpose that ORT folds into its fused MatMul.
   */
  matmul(a: Tensor, b: Tensor, options: MatMulOptions = {}): Tensor {
    this.requireFloat(a, 'matmul: a');
    this.sameDType(a, b, 'matmul');
    if (a.rank < 2 || b.rank < 2) {
      throw new GraphError(
        'SHAPE_MISMATCH',
        `matmul: a and b need rank ≥ 2, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
      );
    }
    const ta = options.transposeA ?? false;
    const tb = options.transposeB ?? false;
    const y = this.rawMatMul(a, ta, b, tb, 'matmul');
    this.record([a, b], [y], ([gy], needs) => {
      const g = need(gy);
      let ga: MaybeTensor;
      let gb: MaybeTensor;
      if (needs[0]) {
        ga = ta
          ? this.rawMatMul(b, tb, g, true, 'matmul grad')
          : this.rawMatMul(g, false, b, !tb, 'matmul grad');
        ga = this.sumToShape(ga, a.shape);
      }
      if (needs[1]) {
        if (b.rank === 2 && a.rank > 2 && !ta) {
          // Contract the batch dims inside one 2-D MatMul instead of a batched product + ReduceSum.
          const a2 = this.flattenBatch(a);
          const g2 = this.flattenBatch(g);
          gb = tb
            ? this.rawMatMul(g2, true, a2, false, 'matmul grad')
            : this.rawMatMul(a2, true, g2, false, 'matmul grad');
        } else {
          gb = tb
            ? this.rawMatMul(g, true, a, ta, 'matmul grad')
            : this.rawMatMul(a, !ta, g, false, 'matmul grad');
          gb = this.sumToShape(gb, b.shape);
        }
      }
      return [ga, gb];
    });
    return y;
  }

  // ---- reductions --------------------------------------------------------------------------

  /** Sum over `axes` (all axes when omitted). */
  reduceSum(x: Tensor, axes?: readonly number[], keepdims = false): Tensor {
    return this.reduce('ReduceSum', x, axes, keepdims, (g) => this.expand(g, x.shape));
  }

  reduceMean(x: Tensor, axes?: readonly number[], keepdims = false): Tensor {
    const ax = this.axesOrAll(x, axes, 'reduceMean');
    const count = ax.reduce((n, a) => n * (x.shape[a] ?? 1), 1);
    return this.reduce('ReduceMean', x, ax, keepdims, (g) =>
      this.expand(this.mul(g, 1 / count), x.shape),
    );
  }

  /** Max over `axes`; the gradient goes to every position equal to the max. */
  reduceMax(x: Tensor, axes?: readonly number[], keepdims = false): Tensor {
    const ax = this.axesOrAll(x, axes, 'reduceMax');
    return this.reduce('ReduceMax', x, ax, keepdims, (g, y) => {
      const yk = this.reshape(y, keptShape(x.shape, ax));
      // Broadcasting g against the full-size mask avoids materialising an expanded copy.
      return this.mul(this.cast(this.equal(x, yk), x.dtype), g);
    });
  }

  /** Σ x² over `axes` in one node. */
  reduceSumSquare(x: Tensor, axes?: readonly number[], keepdims = false): Tensor {
    return this.reduce('ReduceSumSquare', x, axes, keepdims, (g) => this.mul(x, this.mul(g, 2)));
  }

  /**
   * Σ x² over every element, a scalar. For WebGPU in two stages, rows first: its reductions run one
   * workgroup per output, so one scalar output would leave the GPU to a single workgroup.
   */
  squaredNorm(x: Tensor): Tensor {
    if (!this.lowering.rowsFirstSquaredNorm || x.rank < 2) return this.reduceSumSquare(x);
    return this.reduceSum(this.reduceSumSquare(x, [x.rank - 1]));
  }

  // ---- softmax family ----------------------------------------------------------------------

  softmax(x: Tensor, axis = -1): Tensor {
    this.requireFloat(x, 'softmax: x');
    const ax = normalizeAxis(axis, x.rank, 'softmax');
    const y = this.emit1('Softmax', [x], x, { axis: int(ax) });
    this.record([x], [y], ([gy]) => {
      const g = need(gy);
      return [this.mul(y, this.sub(g, this.reduceSum(this.mul(g, y), [ax], true)))];
    });
    return y;
  }

  logSoftmax(x: Tensor, axis = -1): Tensor {
    this.requireFloat(x, 'logSoftmax: x');
    const ax = normalizeAxis(axis, x.rank, 'logSoftmax');
    const y = this.lowering.logSoftmaxNode
      ? this.emit1('LogSoftmax', [x], x, { axis: int(ax) })
      : this.untaped(() => this.sub(x, this.logsumexp(x, ax, true)));
    this.record([x], [y], ([gy]) => {
      const g = need(gy);
      // softmax(x) rather than exp(y): ORT's fused Softmax is several times faster than Exp here.
      return [this.sub(g, this.mul(this.softmax(x, ax), this.reduceSum(g, [ax], true)))];
    });
    return y;
  }

  /** log Σ exp(x) along `axis`, stabilised by the max; add a −1e6 mask first for subsets. */
  logsumexp(x: Tensor, axis = -1, keepdims = false): Tensor {
    this.requireFloat(x, 'logsumexp: x');
    const ax = normalizeAxis(axis, x.rank, 'logsumexp');
    const { e, s, lse } = this.untaped(() => {
      const m = this.reduceMax(x, [ax], true);
      const e = this.exp(this.sub(x, m));
      const s = this.reduceSum(e, [ax], true);
      return { e, s, lse: this.add(this.log(s), m) };
    });
    const out = keepdims ? lse : this.untaped(() => this.squeeze(lse, [ax]));
    this.record([x], [out], ([gy]) => {
      const gk = keepdims ? need(gy) : this.reshape(need(gy), lse.shape);
      return [this.mul(e, this.div(gk, s))];
    });
    return out;
  }

  // ---- shape ops ---------------------------------------------------------------------------

  /** Reshape to a static shape; one -1 is inferred. */
  reshape(x: Tensor, shape: readonly number[]): Tensor {
    this.own(x, 'reshape: x');
    const target = resolveReshape(x.shape, shape);
    if (sameShape(target, x.shape)) return x;
    const y = this.emit1('Reshape', [x, this.int64s(target)], { dtype: x.dtype, shape: target });
    this.record([x], [y], ([g]) => [this.reshape(need(g), x.shape)]);
    return y;
  }

  /** Permute axes; reverses them when `perm` is omitted. */
  transpose(x: Tensor, perm?: readonly number[]): Tensor {
    this.own(x, 'transpose: x');
    const p = perm ?? x.shape.map((_, i) => x.rank - 1 - i);
    if (p.length !== x.rank || [...p].sort((a, b) => a - b).some((v, i) => v !== i)) {
      throw new GraphError(
        'INVALID_ARGUMENT',
        `transpose: perm [${p.join(', ')}] is not a permutation of rank ${x.rank}`,
      );
    }
    if (p.every((v, i) => v === i)) return x;
    const y = this.emit1(
      'Transpose',
      [x],
      { dtype: x.dtype, shape: p.map((i) => x.shape[i] ?? 0) },
      { perm: ints(p) },
    );
    const inverse = new Array<number>(p.length);
    p.forEach((v, i) => (inverse[v] = i));
    this.record([x], [y], ([g]) => [this.transpose(need(g), inverse)]);
    return y;
  }

  concat(xs: readonly Tensor[], axis: number): Tensor {
    const first = xs[0];
    if (first === undefined)
      throw new GraphError('INVALID_ARGUMENT', 'concat: needs at least one tensor');
    const ax = normalizeAxis(axis, first.rank, 'concat');
    xs.forEach((x, i) => {
      this.sameDType(first, x, `concat: tensor ${i}`);
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
    const y = this.emit1('Concat', xs, { dtype: first.dtype, shape }, { axis: int(ax) });
    this.record(xs, [y], ([g], needs) => {
      const parts = this.rawSplit(need(g), sizes, ax);
      return parts.map((p, i) => (needs[i] ? p : undefined));
    });
    return y;
  }

  /** x[starts:ends] along `axes` (default 0..n-1), step 1; negative indices count from the end. */
  slice(
    x: Tensor,
    starts: readonly number[],
    ends: readonly number[],
    axes?: readonly number[],
  ): Tensor {
    this.own(x, 'slice: x');
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
    const y = this.emit1(
      'Slice',
      [
        x,
        this.int64s(norm.map((a) => begin[a] ?? 0)),
        this.int64s(norm.map((a) => end[a] ?? 0)),
        this.int64s(norm),
      ],
      { dtype: x.dtype, shape },
    );
    this.record([x], [y], ([g]) => {
      const pads = [...begin, ...x.shape.map((d, k) => d - (end[k] ?? 0))];
      return [this.emit1('Pad', [need(g), this.int64s(pads)], x)];
    });
    return y;
  }

  /** x in reverse order along `axis` (torch.flip): one strided Slice, its own gradient. */
  reverse(x: Tensor, axis: number): Tensor {
    this.own(x, 'reverse: x');
    const ax = normalizeAxis(axis, x.rank, 'reverse');
    if ((x.shape[ax] ?? 0) <= 1) return x;
    // From the last element, step -1, to an end far below the first (ONNX clamps it to -1): all of it.
    const y = this.emit1(
      'Slice',
      [
        x,
        this.int64s([-1]),
        this.int64s([Number.MIN_SAFE_INTEGER]),
        this.int64s([ax]),
        this.int64s([-1]),
      ],
      x,
    );
    this.record([x], [y], ([g]) => [this.reverse(need(g), ax)]);
    return y;
  }

  split(x: Tensor, sizes: readonly number[], axis: number): Tensor[] {
    this.own(x, 'split: x');
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
    const parts = this.rawSplit(x, sizes, ax);
    this.record([x], parts, (grads) => {
      const filled = grads.map((g, i) => g ?? this.zeros(parts[i]?.shape ?? [], x.dtype));
      return [this.untapedConcat(filled, ax, x)];
    });
    return parts;
  }

  unsqueeze(x: Tensor, axes: readonly number[]): Tensor {
    this.own(x, 'unsqueeze: x');
    const ax = normalizeAxes(axes, x.rank + axes.length, 'unsqueeze');
    const shape: number[] = [];
    let k = 0;
    for (let i = 0; i < x.rank + ax.length; i++)
      shape.push(ax.includes(i) ? 1 : (x.shape[k++] ?? 0));
    const y = this.emit1('Unsqueeze', [x, this.int64s(ax)], { dtype: x.dtype, shape });
    this.record([x], [y], ([g]) => [this.reshape(need(g), x.shape)]);
    return y;
  }

  squeeze(x: Tensor, axes: readonly number[]): Tensor {
    this.own(x, 'squeeze: x');
    const ax = normalizeAxes(axes, x.rank, 'squeeze');
    for (const a of ax) {
      if (x.shape[a] !== 1)
        throw new GraphError(
          'SHAPE_MISMATCH',
          `squeeze: axis ${a} of ${formatShape(x.shape)} is not 1`,
        );
    }
    const shape = x.shape.filter((_, i) => !ax.includes(i));
    const y = this.emit1('Squeeze', [x, this.int64s(ax)], { dtype: x.dtype, shape });
    this.record([x], [y], ([g]) => [this.reshape(need(g), x.shape)]);
    return y;
  }

  /** Broadcast to `shape` (numpy rules). */
  expand(x: Tensor, shape: readonly number[]): Tensor {
    this.own(x, 'expand: x');
    const target = broadcastShapes(x.shape, shape, 'expand');
    if (sameShape(target, x.shape)) return x;
    const y = this.emit1('Expand', [x, this.int64s(target)], { dtype: x.dtype, shape: target });
    this.record([x], [y], ([g]) => [this.sumToShape(need(g), x.shape)]);
    return y;
  }

  /** cond ? a : b with numpy broadcasting over all three. */
  where(cond: Tensor, a: Operand, b: Operand): Tensor {
    this.own(cond, 'where: cond');
    if (cond.dtype !== 'bool')
      throw new GraphError('DTYPE_MISMATCH', `where: cond must be bool, got ${cond.dtype}`);
    const [ta, tb] = this.operands(a, b, 'where');
    const shape = broadcastShapes(
      broadcastShapes(cond.shape, ta.shape, 'where'),
      tb.shape,
      'where',
    );
    const y = this.emit1('Where', [cond, ta, tb], { dtype: ta.dtype, shape });
    this.record([ta, tb], [y], ([gy], needs) => {
      const g = need(gy);
      return [
        needs[0] ? this.sumToShape(this.mul(g, this.cast(cond, g.dtype)), ta.shape) : undefined,
        needs[1]
          ? this.sumToShape(this.mul(g, this.cast(this.not(cond), g.dtype)), tb.shape)
          : undefined,
      ];
    });
    return y;
  }

  cast(x: Tensor, dtype: DType): Tensor {
    this.own(x, 'cast: x');
    if (x.dtype === dtype) return x;
    const y = this.emit1(
      'Cast',
      [x],
      { dtype, shape: x.shape },
      { to: int(ONNX_DATA_TYPE[dtype]) },
    );
    if (isFloatDType(dtype) && isFloatDType(x.dtype)) {
      this.record([x], [y], ([g]) => [this.cast(need(g), x.dtype)]);
    }
    return y;
  }

  /** Rows of `table` picked by integer `indices` (embedding lookup); gradient by a ScatterElements add (see scatterAddRows). */
  gather(table: Tensor, indices: Tensor): Tensor {
    this.own(table, 'gather: table');
    this.own(indices, 'gather: indices');
    if (indices.dtype !== 'int32' && indices.dtype !== 'int64') {
      throw new GraphError(
        'DTYPE_MISMATCH',
        `gather: indices must be int32 or int64, got ${indices.dtype}`,
      );
    }
    if (table.rank < 1) throw new GraphError('SHAPE_MISMATCH', 'gather: table needs rank ≥ 1');
    const shape = [...indices.shape, ...table.shape.slice(1)];
    const y = this.emit1(
      'Gather',
      [table, indices],
      { dtype: table.dtype, shape },
      { axis: int(0) },
    );
    this.record([table, indices], [y], ([g]) => [
      this.scatterAddRows(need(g), indices, table),
      undefined,
    ]);
    return y;
  }

  // ---- composite ops with hand-derived gradients -------------------------------------------

  /** x / sqrt(mean(x², last axis) + eps) · gain. */
  rmsNorm(x: Tensor, gain: Tensor, eps: number): Tensor {
    this.requireFloat(x, 'rmsNorm: x');
    this.sameDType(x, gain, 'rmsNorm: gain');
    const d = x.shape[x.rank - 1];
    if (gain.rank !== 1 || gain.shape[0] !== d) {
      throw new GraphError(
        'SHAPE_MISMATCH',
        `rmsNorm: gain must have shape [${d}], got ${formatShape(gain.shape)}`,
      );
    }
    const { r, n, y } = this.untaped(() => {
      // One ReduceSumSquare reads x once; x² is never materialised.
      const ms = this.mul(this.reduceSumSquare(x, [-1], true), 1 / (d ?? 1));
      const r = this.reciprocal(this.sqrt(this.add(ms, eps)));
      const n = this.mul(x, r);
      return { r, n, y: this.mul(n, gain) };
    });
    this.record([x, gain], [y], ([gy], needs) => {
      const g = need(gy);
      const gx = needs[0]
        ? (() => {
            const dn = this.mul(g, gain);
            return this.mul(
              r,
              this.sub(dn, this.mul(n, this.reduceMean(this.mul(dn, n), [-1], true))),
            );
          })()
        : undefined;
      return [gx, needs[1] ? this.sumToShape(this.mul(g, n), gain.shape) : undefined];
    });
    return y;
  }

  /** SwiGLU gate: silu(gate) · up. */
  swiglu(gate: Tensor, up: Tensor): Tensor {
    this.requireFloat(gate, 'swiglu: gate');
    this.sameDType(gate, up, 'swiglu: up');
    if (!sameShape(gate.shape, up.shape)) {
      throw new GraphError(
        'SHAPE_MISMATCH',
        `swiglu: gate ${formatShape(gate.shape)} and up ${formatShape(up.shape)} differ`,
      );
    }
    const { s, silu, y } = this.untaped(() => {
      const s = this.sigmoid(gate);
      const silu = this.mul(gate, s);
      return { s, silu, y: this.mul(silu, up) };
    });
    this.record([gate, up], [y], ([gy], needs) => {
      const g = need(gy);
      // d silu/d gate = s + silu·(1 − s)
      const gGate = needs[0]
        ? this.mul(this.mul(g, up), this.add(s, this.mul(silu, this.sub(1, s))))
        : undefined;
      return [gGate, needs[1] ? this.mul(g, silu) : undefined];
    });
    return y;
  }

  /**
   * Per-position weighted softmax cross-entropy: w · (logsumexp(logits) − logits[target]), shape of
   * `targets`. Sum it (reduceSum) for the scalar loss.
   */
  crossEntropy(logits: Tensor, targets: Tensor, weights?: Tensor): Tensor {
    this.requireFloat(logits, 'crossEntropy: logits');
    this.own(targets, 'crossEntropy: targets');
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
      this.sameDType(logits, weights, 'crossEntropy: weights');
      if (!sameShape(weights.shape, rowShape)) {
        throw new GraphError(
          'SHAPE_MISMATCH',
          `crossEntropy: weights must have shape ${formatShape(rowShape)}, got ${formatShape(weights.shape)}`,
        );
      }
    }
    const last = logits.rank - 1;
    const { index, ce, out } = this.untaped(() => {
      const logp = this.logSoftmax(logits, last);
      const index = this.unsqueeze(this.cast(targets, 'int32'), [last]);
      const picked = this.emit1(
        'GatherElements',
        [logp, index],
        { dtype: logits.dtype, shape: index.shape },
        { axis: int(last) },
      );
      const ce = this.neg(this.squeeze(picked, [last]));
      return { index, ce, out: weights === undefined ? ce : this.mul(ce, weights) };
    });
    const inputs = weights === undefined ? [logits] : [logits, weights];
    this.record(inputs, [out], ([gy], needs) => {
      const g = need(gy);
      const coef = weights === undefined ? g : this.mul(g, weights);
      const coefK = this.unsqueeze(coef, [last]);
      // softmax(logits) rather than exp(logp): ORT's fused Softmax is far faster than Exp here.
      const softGrad = this.mul(this.softmax(logits, last), coefK);
      // (softmax − onehot)·coef: subtract coef at each target by a scatter, not a [*, V] one-hot.
      const gLogits = needs[0]
        ? this.scatterAddElements(softGrad, index, this.neg(coefK), last)
        : undefined;
      const gWeights = needs[1] ? this.mul(g, ce) : undefined;
      return [gLogits, gWeights];
    });
    return out;
  }

  // ---- autodiff ----------------------------------------------------------------------------

  /**
   * Emits the gradient of scalar `loss` with respect to each of `tensors` (usually params), in
   * order. Fan-out contributions are summed by one Sum node; an unused tensor gets zeros.
   */
  backward(loss: Tensor, tensors: readonly Tensor[]): Tensor[] {
    this.own(loss, 'backward: loss');
    this.requireFloat(loss, 'backward: loss');
    if (loss.rank !== 0) {
      throw new GraphError(
        'SHAPE_MISMATCH',
        `backward: loss must be a scalar, got ${formatShape(loss.shape)}`,
      );
    }
    tensors.forEach((t, i) => {
      this.own(t, `backward: tensors[${i}]`);
      this.requireFloat(t, `backward: tensors[${i}]`);
    });
    const requires = new Set(tensors.map((t) => t.id));
    for (const entry of this.tape) {
      if (entry.inputs.some((x) => requires.has(x.id))) {
        for (const o of entry.outputs) if (isFloatDType(o.dtype)) requires.add(o.id);
      }
    }
    const contributions = new Map<number, Tensor[]>();
    contributions.set(loss.id, [this.scalar(1, loss.dtype)]);
    const gradOf = (t: Tensor): MaybeTensor => {
      const list = contributions.get(t.id);
      if (list === undefined) return undefined;
      const [one] = list;
      if (list.length === 1) return one;
      const total = this.lowering.sumNode
        ? this.emit1('Sum', list, t)
        : this.addTree(list, (a, b) => this.emit1('Add', [a, b], t));
      contributions.set(t.id, [total]);
      return total;
    };
    return this.untaped(() => {
      for (let i = this.tape.length - 1; i >= 0; i--) {
        const entry = this.tape[i];
        if (entry === undefined || !entry.inputs.some((x) => requires.has(x.id))) continue;
        const gOut = entry.outputs.map(gradOf);
        if (gOut.every((g) => g === undefined)) continue;
        const needs = entry.inputs.map((x) => requires.has(x.id));
        const gIn = entry.backward(gOut, needs);
        entry.inputs.forEach((x, k) => {
          const g = gIn[k];
          if (!needs[k] || g === undefined) return;
          if (g.dtype !== x.dtype || !sameShape(g.shape, x.shape)) {
            throw new GraphError(
              'SHAPE_MISMATCH',
              `backward: gradient ${formatShape(g.shape)} ${g.dtype} does not match tensor ${formatShape(x.shape)} ${x.dtype}`,
            );
          }
          const list = contributions.get(x.id);
          if (list === undefined) contributions.set(x.id, [g]);
          else list.push(g);
        });
      }
      return tensors.map((t) => gradOf(t) ?? this.zeros(t.shape, t.dtype));
    });
  }

  // ---- export ------------------------------------------------------------------------------

  /** A snapshot of the graph as plain data (nodes in topological order). */
  toIr(): IrGraph {
    return {
      nodes: [...this.nodes],
      values: new Map(this.valueTypes),
      constants: new Map(this.constantTable),
      inputs: [...this.inputValues],
      outputs: [...this.outputValues],
    };
  }

  /** ONNX ModelProto bytes (opset 21, IR 10), unused nodes removed. */
  toOnnxBytes(): Uint8Array {
    if (this.outputValues.length === 0) {
      throw new GraphError('INVALID_ARGUMENT', 'toOnnxBytes: the graph has no outputs');
    }
    return encodeOnnxModel(this.toIr(), this.name);
  }

  /** Node and constant counts after dead-code elimination. */
  stats(): GraphStats {
    const { nodes, needed } = liveNodes(this.toIr());
    const byOp: Record<string, number> = {};
    for (const n of nodes) byOp[n.opType] = (byOp[n.opType] ?? 0) + 1;
    const constants = [...this.constantTable.keys()].filter((id) => needed.has(id)).length;
    return { nodes: nodes.length, constants, byOp };
  }

  // ---- internals ---------------------------------------------------------------------------

  /** Zeros of `shape` as one Expand of a scalar (no large initializer). */
  zeros(shape: readonly number[], dtype: DType = this.dtype): Tensor {
    const zero = this.scalar(0, dtype);
    if (shape.length === 0) return zero;
    return this.emit1('Expand', [zero, this.int64s(shape)], { dtype, shape });
  }

  /**
   * Routes g to the first operand where `mask`, else to the second: multiplications by the cast
   * mask, as ORT's Where is far slower than Mul on large tensors.
   */
  private splitByMask(g: Tensor, mask: Tensor): [Tensor, Tensor] {
    const m = this.cast(mask, g.dtype);
    return [this.mul(g, m), this.sub(g, this.mul(g, m))];
  }

  /**
   * Σ of g's rows into a zero table by id: the gradient of gather. ScatterElements, not ScatterND: ORT's
   * CPU ScatterND with reduction 'add' splits the updates across threads without atomics, so ids that
   * repeat in a batch lose updates (measured: a quarter of a test table wrong with 2 threads), while its
   * ScatterElements adds in one ordered pass. Its indices are int32, which every provider can expand
   * (WebGPU has no int64 Expand).
   */
  private scatterAddRows(g: Tensor, indices: Tensor, table: Tensor): Tensor {
    const rows = table.shape[0] ?? 0;
    const rowSize = table.size / rows;
    const count = indices.size;
    // ORT has no float16 scatter-add on the CPU: accumulate in float32.
    const acc = table.dtype === 'float16' ? 'float32' : table.dtype;
    const ids = this.reshape(this.cast(indices, 'int32'), [count, 1]);
    const out = this.emit1(
      'ScatterElements',
      [
        this.zeros([rows, rowSize], acc),
        this.expand(ids, [count, rowSize]),
        this.reshape(this.cast(g, acc), [count, rowSize]),
      ],
      { dtype: acc, shape: [rows, rowSize] },
      { axis: int(0), reduction: { kind: 'string', value: 'add' } },
    );
    return this.cast(this.reshape(out, table.shape), table.dtype);
  }

  private scatterAddElements(data: Tensor, index: Tensor, updates: Tensor, axis: number): Tensor {
    const acc = data.dtype === 'float16' ? 'float32' : data.dtype;
    const out = this.emit1(
      'ScatterElements',
      [this.cast(data, acc), index, this.cast(updates, acc)],
      { dtype: acc, shape: data.shape },
      {
        axis: int(axis),
        reduction: { kind: 'string', value: 'add' },
      },
    );
    return this.cast(out, data.dtype);
  }

  private rawMatMul(a: Tensor, ta: boolean, b: Tensor, tb: boolean, what: string): Tensor {
    if (this.lowering.cheaperTransposedMatMul && a.rank >= 2 && b.rank >= 2) {
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
        return this.swapLast(this.plainMatMul(b, !tb, a, !ta, what));
      }
    }
    return this.plainMatMul(a, ta, b, tb, what);
  }

  private plainMatMul(a: Tensor, ta: boolean, b: Tensor, tb: boolean, what: string): Tensor {
    const x = ta ? this.swapLast(a) : a;
    const y = tb ? this.swapLast(b) : b;
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
    return this.emit1('MatMul', [x, y], { dtype: a.dtype, shape: [...batch, m, n] });
  }

  private swapLast(x: Tensor): Tensor {
    const perm = x.shape.map((_, i) => i);
    perm[x.rank - 1] = x.rank - 2;
    perm[x.rank - 2] = x.rank - 1;
    return this.emit1(
      'Transpose',
      [x],
      { dtype: x.dtype, shape: perm.map((i) => x.shape[i] ?? 0) },
      { perm: ints(perm) },
    );
  }

  private flattenBatch(x: Tensor): Tensor {
    const last = x.shape[x.rank - 1] ?? 0;
    return this.emit1('Reshape', [x, this.int64s([-1, last])], {
      dtype: x.dtype,
      shape: [x.size / last, last],
    });
  }

  private rawSplit(x: Tensor, sizes: readonly number[], axis: number): Tensor[] {
    return this.emit(
      'Split',
      [x, this.int64s(sizes)],
      sizes.map((s) => ({ dtype: x.dtype, shape: x.shape.map((d, k) => (k === axis ? s : d)) })),
      { axis: int(axis) },
    );
  }

  /** Σ of ≥ 2 tensors as a balanced tree of binary adds (for targets without a Sum kernel). */
  private addTree(xs: readonly Tensor[], add: (a: Tensor, b: Tensor) => Tensor): Tensor {
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

  private untapedConcat(xs: readonly Tensor[], axis: number, like: Tensor): Tensor {
    return this.emit1('Concat', xs, like, { axis: int(axis) });
  }

  /** Sums a broadcast gradient back to `shape` with one reduction (plus a Reshape if ranks differ). */
  private sumToShape(g: Tensor, shape: readonly number[]): Tensor {
    if (sameShape(g.shape, shape)) return g;
    const lead = g.rank - shape.length;
    const axes: number[] = [];
    for (let i = 0; i < g.rank; i++) {
      if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
    }
    const rows = axes.reduce((n, a) => n * (g.shape[a] ?? 1), 1);
    const leadingRows = rows > 1 && axes.every((a, i) => a === i);
    if (leadingRows && this.lowering.leadingRowSum === 'staged-reduce') {
      return this.reshape(this.sumRows(this.reshape(g, [rows, g.size / rows])), shape);
    }
    if (leadingRows && g.dtype !== 'float16') {
      // Leading axes (a gain's or bias's gradient over the batch): ones[1, N] · g[N, rest] is one
      // multithreaded GEMM, several times faster in ORT than ReduceSum over leading axes.
      const flat = this.reshape(g, [rows, g.size / rows]);
      return this.reshape(
        this.rawMatMul(this.ones([1, rows], g.dtype), false, flat, false, 'sumToShape'),
        shape,
      );
    }
    const keepAxes = axes.some((a) => a >= lead);
    const reduced = this.rawReduce('ReduceSum', g, axes, keepAxes || lead === 0);
    return this.reshape(reduced, shape);
  }

  /**
   * Σ over the rows of [R, C] for WebGPU, whose reductions run one workgroup per output over innermost
   * axes (transposing first otherwise), and whose MatMul with one output row barely parallelises: rows
   * are moved innermost once, then summed in two stages of about √R each.
   */
  private sumRows(flat: Tensor): Tensor {
    const [rows = 1, cols = 1] = flat.shape;
    const byColumn = this.emit1(
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
    if (inner === 1) return this.rawReduce('ReduceSum', byColumn, [1], false);
    const partial = this.rawReduce(
      'ReduceSum',
      this.reshape(byColumn, [cols * (rows / inner), inner]),
      [1],
      false,
    );
    return this.rawReduce('ReduceSum', this.reshape(partial, [cols, rows / inner]), [1], false);
  }

  /** A ones initializer of `shape`, shared across the graph. */
  private ones(shape: readonly number[], dtype: DType): Tensor {
    const key = `1|${dtype}|${shape.join(',')}`;
    const hit = this.constantCache.get(key);
    if (hit) return hit;
    const t = this.addConstant(
      dtype,
      shape,
      convertData(new Float64Array(product(shape)).fill(1), dtype),
    );
    this.constantCache.set(key, t);
    return t;
  }

  private reduce(
    opType: string,
    x: Tensor,
    axes: readonly number[] | undefined,
    keepdims: boolean,
    grad: (gKept: Tensor, yKept: Tensor) => Tensor,
  ): Tensor {
    this.requireFloat(x, `${opType}: x`);
    const ax = this.axesOrAll(x, axes, opType);
    const y = this.rawReduce(opType, x, ax, keepdims);
    this.record([x], [y], ([g]) => {
      const kept = keptShape(x.shape, ax);
      return [grad(this.reshape(need(g), kept), y)];
    });
    return y;
  }

  private rawReduce(opType: string, x: Tensor, axes: readonly number[], keepdims: boolean): Tensor {
    const shape = keepdims ? keptShape(x.shape, axes) : x.shape.filter((_, i) => !axes.includes(i));
    return this.emit1(
      opType,
      [x, this.int64s(axes)],
      { dtype: x.dtype, shape },
      { keepdims: int(keepdims ? 1 : 0) },
    );
  }

  private axesOrAll(x: Tensor, axes: readonly number[] | undefined, what: string): number[] {
    if (axes === undefined) return x.shape.map((_, i) => i);
    return normalizeAxes(axes, x.rank, what);
  }

  private unary(
    opType: string,
    x: Tensor,
    grad: (g: Tensor, x: Tensor, y: Tensor) => Tensor,
  ): Tensor {
    this.requireFloat(x, `${opType}: x`);
    const y = this.emit1(opType, [x], x);
    this.record([x], [y], ([g]) => [grad(need(g), x, y)]);
    return y;
  }

  private binary(
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
    const [ta, tb] = this.operands(a, b, opType);
    this.requireFloat(ta, `${opType}: a`);
    const folded = this.foldScalars(opType, ta, tb);
    if (folded !== undefined) return folded;
    const shape = broadcastShapes(ta.shape, tb.shape, opType);
    const y = this.emit1(opType, [ta, tb], { dtype: ta.dtype, shape });
    this.record([ta, tb], [y], ([g], needs) => {
      const [ga, gb] = grad(need(g), ta, tb, y, needs);
      return [
        needs[0] && ga ? this.sumToShape(ga, ta.shape) : undefined,
        needs[1] && gb ? this.sumToShape(gb, tb.shape) : undefined,
      ];
    });
    return y;
  }

  /**
   * Arithmetic on two scalar constants (e.g. a seed gradient divided by a token count) is done
   * here: ORT cannot constant-fold it in float16 and warns.
   */
  private foldScalars(opType: string, a: Tensor, b: Tensor): Tensor | undefined {
    const x = this.scalarValue(a);
    const y = this.scalarValue(b);
    if (x === undefined || y === undefined) return undefined;
    const value = SCALAR_FOLDS[opType]?.(x, y);
    return value === undefined ? undefined : this.scalar(value, a.dtype);
  }

  private scalarValue(t: Tensor): number | undefined {
    const c = this.constantTable.get(t.id);
    if (c === undefined || c.shape.length !== 0 || !isFloatDType(c.dtype)) return undefined;
    const raw = Number(c.data[0]);
    return c.dtype === 'float16' ? fromFloat16Bits(raw) : raw;
  }

  private compare(opType: string, a: Operand, b: Operand): Tensor {
    const [ta, tb] = this.operands(a, b, opType);
    return this.emit1(opType, [ta, tb], {
      dtype: 'bool',
      shape: broadcastShapes(ta.shape, tb.shape, opType),
    });
  }

  private operands(a: Operand, b: Operand, what: string): [Tensor, Tensor] {
    if (typeof a === 'number' && typeof b === 'number') {
      throw new GraphError('INVALID_ARGUMENT', `${what}: at least one operand must be a tensor`);
    }
    const ta = typeof a === 'number' ? this.scalar(a, (b as Tensor).dtype) : a;
    const tb = typeof b === 'number' ? this.scalar(b, ta.dtype) : b;
    this.own(ta, `${what}: a`);
    this.own(tb, `${what}: b`);
    this.sameDType(ta, tb, what);
    return [ta, tb];
  }

  private int64s(values: readonly number[]): Tensor {
    const key = `i64|${values.join(',')}`;
    const hit = this.constantCache.get(key);
    if (hit) return hit;
    const t = this.addConstant(
      'int64',
      [values.length],
      BigInt64Array.from(values, (v) => BigInt(v)),
    );
    this.constantCache.set(key, t);
    return t;
  }

  private addConstant(dtype: DType, shape: readonly number[], data: ConstantData): Tensor {
    const t = this.newTensor(dtype, shape);
    this.constantTable.set(t.id, { id: t.id, dtype, shape: [...shape], data });
    return t;
  }

  private emit1(
    opType: string,
    inputs: readonly MaybeTensor[],
    out: ValueType,
    attrs: Record<string, AttrValue> = {},
  ): Tensor {
    const [t] = this.emit(opType, inputs, [out], attrs);
    return need(t);
  }

  /** Appends a node unless an identical one exists (same op, inputs, attributes). */
  private emit(
    opType: string,
    inputs: readonly MaybeTensor[],
    outs: readonly ValueType[],
    attrs: Record<string, AttrValue> = {},
  ): Tensor[] {
    const inputIds = inputs.map((t) => (t === undefined ? -1 : t.id));
    const key = `${opType}|${inputIds.join(',')}|${JSON.stringify(attrs)}`;
    const hit = this.nodeCache.get(key);
    if (hit) return hit;
    const outputs = outs.map((o) => this.newTensor(o.dtype, o.shape));
    this.nodes.push({ opType, inputs: inputIds, outputs: outputs.map((t) => t.id), attrs });
    this.nodeCache.set(key, outputs);
    return outputs;
  }

  /** Records a gradient rule once per node, so a shared node is never differentiated twice. */
  private record(inputs: readonly Tensor[], outputs: readonly Tensor[], backward: GradFn): void {
    const first = outputs[0];
    if (!this.recording || first === undefined || this.taped.has(first.id)) return;
    for (const o of outputs) this.taped.add(o.id);
    this.tape.push({ inputs, outputs, backward });
  }

  /** Runs `build` without recording: composite ops and gradient rules. */
  private untaped<T>(build: () => T): T {
    const was = this.recording;
    this.recording = false;
    try {
      return build();
    } finally {
      this.recording = was;
    }
  }

  private newTensor(dtype: DType, shape: readonly number[]): Tensor {
    const t = new Tensor(this, this.nextId++, dtype, [...shape]);
    this.valueTypes.set(t.id, { dtype, shape: t.shape });
    return t;
  }

  private claimName(name: string, what: string): void {
    if (name.length === 0) throw new GraphError('INVALID_ARGUMENT', `${what}: must not be empty`);
    if (this.usedNames.has(name))
      throw new GraphError('DUPLICATE_NAME', `${what}: ${JSON.stringify(name)} is already used`);
    this.usedNames.add(name);
  }

  private own(t: Tensor, what: string): void {
    if (!(t instanceof Tensor) || t.owner !== this) {
      throw new GraphError(
        'FOREIGN_TENSOR',
        `${what}: tensor does not belong to this GraphBuilder`,
      );
    }
  }

  private requireFloat(t: Tensor, what: string): void {
    this.own(t, what);
    if (!isFloatDType(t.dtype))
      throw new GraphError('DTYPE_MISMATCH', `${what}: expected a float tensor, got ${t.dtype}`);
  }

  private sameDType(a: Tensor, b: Tensor, what: string): void {
    this.own(b, what);
    if (a.dtype !== b.dtype)
      throw new GraphError('DTYPE_MISMATCH', `${what}: dtypes differ (${a.dtype} vs ${b.dtype})`);
  }
}

const SCALAR_FOLDS: Readonly<Record<string, (x: number, y: number) => number>> = {
  Add: (x, y) => x + y,
  Sub: (x, y) => x - y,
  Mul: (x, y) => x * y,
  Div: (x, y) => x / y,
  Max: (x, y) => Math.max(x, y),
  Min: (x, y) => Math.min(x, y),
};

function need(t: MaybeTensor): Tensor {
  if (t === undefined)
    throw new GraphError('NOT_DIFFERENTIABLE', 'internal: missing gradient for a single-output op');
  return t;
}

function int(value: number): AttrValue {
  return { kind: 'int', value };
}

function ints(value: readonly number[]): AttrValue {
  return { kind: 'ints', value };
}

function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

function checkShape(shape: readonly number[], what: string): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new GraphError(
      'INVALID_ARGUMENT',
      `${what}: expected positive integer dims, got ${JSON.stringify(shape)}`,
    );
  }
}

function resolveReshape(from: readonly number[], to: readonly number[]): number[] {
  const total = product(from);
  const unknown = to.filter((d) => d === -1).length;
  if (unknown > 1 || to.some((d) => !Number.isInteger(d) || (d <= 0 && d !== -1))) {
    throw new GraphError(
      'INVALID_ARGUMENT',
      `reshape: shape ${formatShape(to)} must be positive dims with at most one -1`,
    );
  }
  const known = to.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const resolved = to.map((d) => (d === -1 ? total / known : d));
  if (product(resolved) !== total || resolved.some((d) => !Number.isInteger(d))) {
    throw new GraphError(
      'SHAPE_MISMATCH',
      `reshape: cannot reshape ${formatShape(from)} to ${formatShape(to)}`,
    );
  }
  return resolved;
}

function dtypeOfArray(data: ConstantData): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof BigInt64Array) return 'int64';
  return 'bool';
}

function convertData(data: ConstantData, dtype: DType): ConstantData {
  switch (dtype) {
    case 'float32':
      return data instanceof Float32Array
        ? data.slice()
        : Float32Array.from(data as ArrayLike<number>, Number);
    case 'float64':
      return data instanceof Float64Array
        ? data.slice()
        : Float64Array.from(data as ArrayLike<number>, Number);
    case 'float16':
      return Uint16Array.from(data as ArrayLike<number>, (v) => toFloat16Bits(Number(v)));
    case 'int32':
      return Int32Array.from(data as ArrayLike<number>, Number);
    case 'int64':
      return data instanceof BigInt64Array
        ? data.slice()
        : BigInt64Array.from(data as ArrayLike<number>, (v) => BigInt(v));
    case 'bool':
      return Uint8Array.from(data as ArrayLike<number>, (v) => (Number(v) !== 0 ? 1 : 0));
  }
}
