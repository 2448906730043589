import { backward } from './autodiff.js';
import { isFloatDType, type DType, type FloatDType } from './dtype.js';
import { GraphError } from './errors.js';
import { GraphCore, type GraphStats } from './internal/graph-core.js';
import type { IrGraph } from './internal/ir.js';
import { LOWERINGS, type OpTarget } from './lowering.js';
import * as elementwise from './ops/elementwise.js';
import type { Operand } from './ops/elementwise.js';
import * as linalg from './ops/linalg.js';
import type { MatMulOptions } from './ops/linalg.js';
import * as nn from './ops/nn.js';
import * as reduce from './ops/reduce.js';
import * as shapeOps from './ops/shape.js';
import type { ParamSpec, Tensor } from './tensor.js';

export interface GraphBuilderOptions {
  /** Float dtype of params, float inputs declared as 'float', and number operands' default. */
  readonly dtype?: FloatDType;
  /** Graph name written into the ONNX model. */
  readonly name?: string;
  /** The provider the graph will run on (default 'cpu'); picks lowerings, never results. */
  readonly target?: OpTarget;
}

/**
 * Static-shape tensor-graph builder. Forward ops emit ONNX nodes; each op also records a gradient
 * rule on a tape so `backward` can emit the reverse pass into the same graph. Identical nodes are
 * shared (common subexpressions), and nodes no output needs are dropped on export. A facade: the
 * graph lives in `internal/graph-core.ts`, the ops with their gradient rules in `ops/`, the
 * reverse-mode engine in `autodiff.ts`.
 */
export class GraphBuilder {
  readonly dtype: FloatDType;
  readonly name: string;
  readonly target: OpTarget;
  private readonly core: GraphCore;

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
    this.core = new GraphCore(this, this.dtype, LOWERINGS[this.target]);
  }

  // ---- declarations ------------------------------------------------------------------------
  /** A graph input fed at run time; dtype 'float' means the builder's float dtype. */
  input(name: string, dtype: DType | 'float', shape: readonly number[]): Tensor {
    return this.core.input(name, dtype, shape);
  }
  /** A trainable parameter, fed as input `p.<name>`; decay defaults to true for rank ≥ 2. */
  param(name: string, shape: readonly number[], options: { decay?: boolean } = {}): Tensor {
    return this.core.param(name, shape, options);
  }
  get params(): readonly ParamSpec[] {
    return this.core.params;
  }
  /** A constant tensor stored as an initializer; dtype defaults from the array type. */
  constant(
    data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array,
    shape: readonly number[],
    dtype?: DType,
  ): Tensor {
    return this.core.constant(data, shape, dtype);
  }
  /** Float constant in the builder's dtype (or `dtype`) from plain numbers. */
  floatConstant(
    values: ArrayLike<number>,
    shape: readonly number[],
    dtype: FloatDType = this.dtype,
  ): Tensor {
    return this.core.constant(Float64Array.from(values), shape, dtype);
  }
  /** A scalar constant; shared across the graph. */
  scalar(value: number, dtype: DType = this.dtype): Tensor {
    return this.core.scalar(value, dtype);
  }
  /** Zeros of `shape` as one Expand of a scalar (no large initializer). */
  zeros(shape: readonly number[], dtype: DType = this.dtype): Tensor {
    return this.core.zeros(shape, dtype);
  }
  /** Names a tensor as a graph output. */
  output(name: string, tensor: Tensor): void {
    this.core.output(name, tensor);
  }

  // ---- elementwise (ops/elementwise.ts) ----------------------------------------------------
  add(a: Operand, b: Operand): Tensor {
    return elementwise.add(this.core, a, b);
  }
  sub(a: Operand, b: Operand): Tensor {
    return elementwise.sub(this.core, a, b);
  }
  mul(a: Operand, b: Operand): Tensor {
    return elementwise.mul(this.core, a, b);
  }
  div(a: Operand, b: Operand): Tensor {
    return elementwise.div(this.core, a, b);
  }
  /** Elementwise maximum; the gradient goes to `a` where a ≥ b, else to `b`. */
  maximum(a: Operand, b: Operand): Tensor {
    return elementwise.maximum(this.core, a, b);
  }
  /** Elementwise minimum; the gradient goes to `a` where a ≤ b, else to `b`. */
  minimum(a: Operand, b: Operand): Tensor {
    return elementwise.minimum(this.core, a, b);
  }
  /** Elementwise sum of same-dtype tensors (broadcasting) in one node. */
  addN(xs: readonly Tensor[]): Tensor {
    return elementwise.addN(this.core, xs);
  }
  neg(x: Tensor): Tensor {
    return elementwise.neg(this.core, x);
  }
  exp(x: Tensor): Tensor {
    return elementwise.exp(this.core, x);
  }
  log(x: Tensor): Tensor {
    return elementwise.log(this.core, x);
  }
  sqrt(x: Tensor): Tensor {
    return elementwise.sqrt(this.core, x);
  }
  reciprocal(x: Tensor): Tensor {
    return elementwise.reciprocal(this.core, x);
  }
  sigmoid(x: Tensor): Tensor {
    return elementwise.sigmoid(this.core, x);
  }
  tanh(x: Tensor): Tensor {
    return elementwise.tanh(this.core, x);
  }
  square(x: Tensor): Tensor {
    return elementwise.square(this.core, x);
  }
  /** x ** exponent for a constant exponent. */
  pow(x: Tensor, exponent: number): Tensor {
    return elementwise.pow(this.core, x, exponent);
  }
  /** cond ? a : b with numpy broadcasting over all three. */
  where(cond: Tensor, a: Operand, b: Operand): Tensor {
    return elementwise.where(this.core, cond, a, b);
  }
  cast(x: Tensor, dtype: DType): Tensor {
    return elementwise.cast(this.core, x, dtype);
  }
  equal(a: Operand, b: Operand): Tensor {
    return elementwise.equal(this.core, a, b);
  }
  less(a: Operand, b: Operand): Tensor {
    return elementwise.less(this.core, a, b);
  }
  lessOrEqual(a: Operand, b: Operand): Tensor {
    return elementwise.lessOrEqual(this.core, a, b);
  }
  greater(a: Operand, b: Operand): Tensor {
    return elementwise.greater(this.core, a, b);
  }
  greaterOrEqual(a: Operand, b: Operand): Tensor {
    return elementwise.greaterOrEqual(this.core, a, b);
  }
  /** Logical not of a bool tensor. */
  not(x: Tensor): Tensor {
    return elementwise.not(this.core, x);
  }

  // ---- linear algebra (ops/linalg.ts) ------------------------------------------------------
  /** Batched matmul with numpy batch broadcasting; `transposeB` computes a·bᵀ (x·Wᵀ). */
  matmul(a: Tensor, b: Tensor, options: MatMulOptions = {}): Tensor {
    return linalg.matmul(this.core, a, b, options);
  }

  // ---- reductions (ops/reduce.ts) ----------------------------------------------------------
  /** Sum over `axes` (all axes when omitted). */
  reduceSum(x: Tensor, axes?: readonly number[], keepdims = false): Tensor {
    return reduce.reduceSum(this.core, x, axes, keepdims);
  }
  reduceMean(x: Tensor, axes?: readonly number[], keepdims = false): Tensor {
    return reduce.reduceMean(this.core, x, axes, keepdims);
  }
  /** Max over `axes`; the gradient goes to every position equal to the max. */
  reduceMax(x: Tensor, axes?: readonly number[], keepdims = false): Tensor {
    return reduce.reduceMax(this.core, x, axes, keepdims);
  }
  /** Σ x² over `axes` in one node. */
  reduceSumSquare(x: Tensor, axes?: readonly number[], keepdims = false): Tensor {
    return reduce.reduceSumSquare(this.core, x, axes, keepdims);
  }
  /** Σ x² over every element, a scalar. */
  squaredNorm(x: Tensor): Tensor {
    return reduce.squaredNorm(this.core, x);
  }

  // ---- shape (ops/shape.ts) ----------------------------------------------------------------
  /** Reshape to a static shape; one -1 is inferred. */
  reshape(x: Tensor, shape: readonly number[]): Tensor {
    return shapeOps.reshape(this.core, x, shape);
  }
  /** Permute axes; reverses them when `perm` is omitted. */
  transpose(x: Tensor, perm?: readonly number[]): Tensor {
    return shapeOps.transpose(this.core, x, perm);
  }
  concat(xs: readonly Tensor[], axis: number): Tensor {
    return shapeOps.concat(this.core, xs, axis);
  }
  /** x[starts:ends] along `axes` (default 0..n-1), step 1; negative indices count from the end. */
  slice(
    x: Tensor,
    starts: readonly number[],
    ends: readonly number[],
    axes?: readonly number[],
  ): Tensor {
    return shapeOps.slice(this.core, x, starts, ends, axes);
  }
  /** x in reverse order along `axis` (torch.flip). */
  reverse(x: Tensor, axis: number): Tensor {
    return shapeOps.reverse(this.core, x, axis);
  }
  split(x: Tensor, sizes: readonly number[], axis: number): Tensor[] {
    return shapeOps.split(this.core, x, sizes, axis);
  }
  unsqueeze(x: Tensor, axes: readonly number[]): Tensor {
    return shapeOps.unsqueeze(this.core, x, axes);
  }
  squeeze(x: Tensor, axes: readonly number[]): Tensor {
    return shapeOps.squeeze(this.core, x, axes);
  }
  /** Broadcast to `shape` (numpy rules). */
  expand(x: Tensor, shape: readonly number[]): Tensor {
    return shapeOps.expand(this.core, x, shape);
  }

  // ---- softmax family, lookup and composites (ops/nn.ts) -----------------------------------
  softmax(x: Tensor, axis = -1): Tensor {
    return nn.softmax(this.core, x, axis);
  }
  logSoftmax(x: Tensor, axis = -1): Tensor {
    return nn.logSoftmax(this.core, x, axis);
  }
  /** log Σ exp(x) along `axis`, stabilised by the max; add a −1e6 mask first for subsets. */
  logsumexp(x: Tensor, axis = -1, keepdims = false): Tensor {
    return nn.logsumexp(this.core, x, axis, keepdims);
  }
  /** Rows of `table` picked by integer `indices` (embedding lookup). */
  gather(table: Tensor, indices: Tensor): Tensor {
    return nn.gather(this.core, table, indices);
  }
  /** x / sqrt(mean(x², last axis) + eps) · gain. */
  rmsNorm(x: Tensor, gain: Tensor, eps: number): Tensor {
    return nn.rmsNorm(this.core, x, gain, eps);
  }
  /** SwiGLU gate: silu(gate) · up. */
  swiglu(gate: Tensor, up: Tensor): Tensor {
    return nn.swiglu(this.core, gate, up);
  }
  /** Per-position weighted softmax cross-entropy w · (logsumexp(logits) − logits[target]). */
  crossEntropy(logits: Tensor, targets: Tensor, weights?: Tensor): Tensor {
    return nn.crossEntropy(this.core, logits, targets, weights);
  }

  // ---- autodiff and export -----------------------------------------------------------------
  /**
   * Emits the gradient of scalar `loss` with respect to each of `tensors` (usually params), in
   * order. Fan-out contributions are summed by one Sum node; an unused tensor gets zeros.
   */
  backward(loss: Tensor, tensors: readonly Tensor[]): Tensor[] {
    return backward(this.core, loss, tensors);
  }
  /** A snapshot of the graph as plain data (nodes in topological order). */
  toIr(): IrGraph {
    return this.core.toIr();
  }
  /** ONNX ModelProto bytes (opset 21, IR 10), unused nodes removed. */
  toOnnxBytes(): Uint8Array {
    return this.core.toOnnxBytes(this.name);
  }
  /** Node and constant counts after dead-code elimination. */
  stats(): GraphStats {
    return this.core.stats();
  }
}
