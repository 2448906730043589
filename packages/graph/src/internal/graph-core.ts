import { isFloatDType, type DType, type FloatDType } from '../dtype.js';
import { GraphError } from '../errors.js';
import type { Lowering } from '../lowering.js';
import { encodeOnnxModel } from '../onnx-export.js';
import { Tensor, type ParamSpec } from '../tensor.js';
import { convertData, dtypeOfArray } from './constant-data.js';
import { fromFloat16Bits } from './float16.js';
import type {
  AttrValue,
  ConstantData,
  IrConstant,
  IrGraph,
  IrNode,
  IrValue,
  IrValueType,
} from './ir.js';
import { liveNodes } from './live-nodes.js';
import { checkShape, formatShape, product } from './shape.js';
import { need, Tape, type MaybeTensor } from './tape.js';

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
 * The graph under construction, which every op group writes into: value ids, nodes (identical ones
 * shared), constants (small ones shared), the names of inputs and outputs, the gradient tape, and the
 * checks that a tensor belongs here and has the dtype an op needs.
 */
export class GraphCore {
  readonly tape = new Tape();
  private nextId = 0;
  private readonly nodes: IrNode[] = [];
  private readonly valueTypes = new Map<number, IrValueType>();
  private readonly constantTable = new Map<number, IrConstant>();
  private readonly inputValues: IrValue[] = [];
  private readonly outputValues: IrValue[] = [];
  private readonly usedNames = new Set<string>();
  private readonly paramSpecs: ParamSpec[] = [];
  private readonly nodeCache = new Map<string, Tensor[]>();
  private readonly constantCache = new Map<string, Tensor>();

  /** `owner` is what the tensors made here name as theirs: the public builder. */
  constructor(
    private readonly owner: object,
    readonly dtype: FloatDType,
    readonly lowering: Lowering,
  ) {}

  // ---- declarations ------------------------------------------------------------------------

  input(name: string, dtype: DType | 'float', shape: readonly number[]): Tensor {
    this.claimName(name, 'input name');
    const resolved = dtype === 'float' ? this.dtype : dtype;
    checkShape(shape, `input ${name}: shape`);
    const t = this.newTensor(resolved, shape);
    this.inputValues.push({ name, id: t.id, dtype: resolved, shape: [...shape] });
    return t;
  }

  param(name: string, shape: readonly number[], options: { decay?: boolean }): Tensor {
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

  output(name: string, tensor: Tensor): void {
    this.own(tensor, `output ${name}`);
    this.claimName(name, 'output name');
    this.outputValues.push({ name, id: tensor.id, dtype: tensor.dtype, shape: tensor.shape });
  }

  // ---- constants ---------------------------------------------------------------------------

  constant(data: ConstantData, shape: readonly number[], dtype?: DType): Tensor {
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

  scalar(value: number, dtype: DType): Tensor {
    const key = `s|${dtype}|${Object.is(value, -0) ? '-0' : String(value)}`;
    const hit = this.constantCache.get(key);
    if (hit) return hit;
    const t = this.addConstant(dtype, [], convertData(Float64Array.of(value), dtype));
    this.constantCache.set(key, t);
    return t;
  }

  /** The value of a float scalar constant, or undefined for any other tensor. */
  scalarValue(t: Tensor): number | undefined {
    const c = this.constantTable.get(t.id);
    if (c === undefined || c.shape.length !== 0 || !isFloatDType(c.dtype)) return undefined;
    const raw = Number(c.data[0]);
    return c.dtype === 'float16' ? fromFloat16Bits(raw) : raw;
  }

  /** Zeros of `shape` as one Expand of a scalar (no large initializer). */
  zeros(shape: readonly number[], dtype: DType): Tensor {
    const zero = this.scalar(0, dtype);
    if (shape.length === 0) return zero;
    return this.emit1('Expand', [zero, this.int64s(shape)], { dtype, shape });
  }

  /** A ones initializer of `shape`, shared across the graph. */
  ones(shape: readonly number[], dtype: DType): Tensor {
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

  /** An int64 vector (shapes, axes, pads), shared across the graph. */
  int64s(values: readonly number[]): Tensor {
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

  // ---- emission ----------------------------------------------------------------------------

  emit1(
    opType: string,
    inputs: readonly MaybeTensor[],
    out: IrValueType,
    attrs: Record<string, AttrValue> = {},
  ): Tensor {
    const [t] = this.emit(opType, inputs, [out], attrs);
    return need(t);
  }

  /** Appends a node unless an identical one exists (same op, inputs, attributes). */
  emit(
    opType: string,
    inputs: readonly MaybeTensor[],
    outs: readonly IrValueType[],
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

  private newTensor(dtype: DType, shape: readonly number[]): Tensor {
    const t = new Tensor(this.owner, this.nextId++, dtype, [...shape]);
    this.valueTypes.set(t.id, { dtype, shape: t.shape });
    return t;
  }

  private claimName(name: string, what: string): void {
    if (name.length === 0) throw new GraphError('INVALID_ARGUMENT', `${what}: must not be empty`);
    if (this.usedNames.has(name))
      throw new GraphError('DUPLICATE_NAME', `${what}: ${JSON.stringify(name)} is already used`);
    this.usedNames.add(name);
  }

  // ---- checks ------------------------------------------------------------------------------

  own(t: Tensor, what: string): void {
    if (!(t instanceof Tensor) || t.owner !== this.owner) {
      throw new GraphError(
        'FOREIGN_TENSOR',
        `${what}: tensor does not belong to this GraphBuilder`,
      );
    }
  }

  requireFloat(t: Tensor, what: string): void {
    this.own(t, what);
    if (!isFloatDType(t.dtype))
      throw new GraphError('DTYPE_MISMATCH', `${what}: expected a float tensor, got ${t.dtype}`);
  }

  sameDType(a: Tensor, b: Tensor, what: string): void {
    this.own(b, what);
    if (a.dtype !== b.dtype)
      throw new GraphError('DTYPE_MISMATCH', `${what}: dtypes differ (${a.dtype} vs ${b.dtype})`);
  }

  // ---- export ------------------------------------------------------------------------------

  toIr(): IrGraph {
    return {
      nodes: [...this.nodes],
      values: new Map(this.valueTypes),
      constants: new Map(this.constantTable),
      inputs: [...this.inputValues],
      outputs: [...this.outputValues],
    };
  }

  toOnnxBytes(graphName: string): Uint8Array {
    if (this.outputValues.length === 0) {
      throw new GraphError('INVALID_ARGUMENT', 'toOnnxBytes: the graph has no outputs');
    }
    return encodeOnnxModel(this.toIr(), graphName);
  }

  stats(): GraphStats {
    const { nodes, needed } = liveNodes(this.toIr());
    const byOp: Record<string, number> = {};
    for (const n of nodes) byOp[n.opType] = (byOp[n.opType] ?? 0) + 1;
    const constants = [...this.constantTable.keys()].filter((id) => needed.has(id)).length;
    return { nodes: nodes.length, constants, byOp };
  }
}
