import onnxProto from 'onnx-proto';
import { GraphError } from './errors.js';

const { onnx } = onnxProto;
type ValueInfo = onnxProto.onnx.IValueInfoProto;
type NodeProto = onnxProto.onnx.INodeProto;

const INT64 = 7;
const BOOL = 9;
const FLOAT = 1;

/** The symbolic length of a block's per-step inputs and outputs: the Loop runs once per row. */
export const BLOCK_STEPS_DIM = 'block_steps';

/** Prefix of every name inside the loop body, so no body value shadows an outer one. */
const BODY = 'step/';

/** How a one-step graph becomes a Loop over a block of steps. */
export interface StepLoopPlan {
  /** State fed as `input` and returned updated as `output`: carried from step to step. */
  readonly carried: readonly { readonly input: string; readonly output: string }[];
  /**
   * A float scalar input that counts steps: the block's first value is fed, and it grows by one per
   * step (exact in float32 below 2^24).
   */
  readonly counter: string;
  /** Inputs that differ per step (the batch, the learning rate): fed as `[steps, ...]`, one row per step. */
  readonly perStep: readonly string[];
  /** Outputs collected per step (loss, gradient norm): returned as `[steps, ...]`. */
  readonly scanOutputs: readonly string[];
}

/**
 * Nests a one-step training graph as the body of an ONNX `Loop`, so one `run` trains a whole block of
 * steps while the carried state stays inside the runtime (on CUDA, on the device). The outer graph keeps
 * the step graph's names: carried inputs and outputs as they were, per-step inputs and scan outputs with a
 * leading `block_steps` dimension; the trip count is the number of rows fed, so one graph serves blocks of
 * any length. Each iteration runs exactly the step graph's nodes on its row, so a block equals that many
 * single steps.
 */
export function loopStepGraph(stepOnnx: Uint8Array, plan: StepLoopPlan): Uint8Array {
  const model = onnx.ModelProto.decode(stepOnnx);
  const graph = model.graph;
  if (graph === null || graph === undefined) {
    throw new GraphError('INVALID_ARGUMENT', 'loopStepGraph: stepOnnx: the model has no graph');
  }
  const graphInputs = graph.input ?? [];
  const inputs = new Map(graphInputs.map((v) => [v.name ?? '', v]));
  const outputs = new Map((graph.output ?? []).map((v) => [v.name ?? '', v]));
  const need = (map: Map<string, ValueInfo>, name: string, what: string): ValueInfo => {
    const value = map.get(name);
    if (value === undefined) {
      throw new GraphError(
        'INVALID_ARGUMENT',
        `loopStepGraph: plan.${what}: "${name}" is not ${what === 'scanOutputs' || what === 'carried.output' ? 'an output' : 'an input'} of the step graph`,
      );
    }
    return value;
  };
  const counter = need(inputs, plan.counter, 'counter');
  if (elemType(counter) !== FLOAT || dims(counter).length !== 0) {
    throw new GraphError(
      'INVALID_ARGUMENT',
      `loopStepGraph: plan.counter: "${plan.counter}" must be a float scalar`,
    );
  }
  const carried = plan.carried.map(({ input, output }) => ({
    input: need(inputs, input, 'carried.input'),
    output: need(outputs, output, 'carried.output'),
  }));
  const perStep = plan.perStep.map((name) => need(inputs, name, 'perStep'));
  const scans = plan.scanOutputs.map((name) => need(outputs, name, 'scanOutputs'));
  const placed = new Set([plan.counter, ...plan.carried.map((c) => c.input), ...plan.perStep]);
  const unplaced = [...inputs.keys()].filter((name) => !placed.has(name));
  const collected = new Set([...plan.carried.map((c) => c.output), ...plan.scanOutputs]);
  const dropped = [...outputs.keys()].filter((name) => !collected.has(name));
  if (unplaced.length > 0 || dropped.length > 0) {
    throw new GraphError(
      'INVALID_ARGUMENT',
      `loopStepGraph: plan: every step input must be carried, per-step or the counter, and every output carried or scanned; unplaced inputs [${unplaced.join(', ')}], outputs [${dropped.join(', ')}]`,
    );
  }

  const inner = (name: string): string => (name === '' ? '' : `${BODY}${name}`);
  const iteration = `${BODY}iteration`;
  const condIn = `${BODY}cond`;
  const condOut = `${BODY}cond.next`;
  const counterNext = `${BODY}${plan.counter}.next`;
  const one = `${BODY}one`;

  // The step graph's own nodes, renamed into the body; each per-step input is its row of the outer input.
  const bodyNodes: NodeProto[] = perStep.map((value) =>
    onnx.NodeProto.create({
      name: `${BODY}row_${nameOf(value)}`,
      opType: 'Gather',
      input: [nameOf(value), iteration],
      output: [inner(nameOf(value))],
      attribute: [onnx.AttributeProto.create({ name: 'axis', type: 2, i: 0 })],
    }),
  );
  for (const node of graph.node ?? []) {
    bodyNodes.push(
      onnx.NodeProto.create({
        ...node,
        name: inner(node.name ?? ''),
        input: (node.input ?? []).map(inner),
        output: (node.output ?? []).map(inner),
      }),
    );
  }
  bodyNodes.push(
    onnx.NodeProto.create({
      name: `${BODY}cond_Identity`,
      opType: 'Identity',
      input: [condIn],
      output: [condOut],
    }),
    onnx.NodeProto.create({
      name: `${BODY}counter_Add`,
      opType: 'Add',
      input: [inner(plan.counter), one],
      output: [counterNext],
    }),
  );
  const body = onnx.GraphProto.create({
    name: `${graph.name}_body`,
    node: bodyNodes,
    initializer: [
      ...(graph.initializer ?? []).map((init) =>
        onnx.TensorProto.create({ ...init, name: inner(init.name ?? '') }),
      ),
      onnx.TensorProto.create({ name: one, dims: [], dataType: FLOAT, floatData: [1] }),
    ],
    input: [
      tensorInfo(iteration, INT64, []),
      tensorInfo(condIn, BOOL, []),
      renamed(counter, inner(plan.counter)),
      ...carried.map(({ input }) => renamed(input, inner(nameOf(input)))),
    ],
    output: [
      tensorInfo(condOut, BOOL, []),
      renamed(counter, counterNext),
      ...carried.map(({ input, output }) => renamed(input, inner(nameOf(output)))),
      ...scans.map((value) => renamed(value, inner(nameOf(value)))),
    ],
  });

  const tripShape = 'loop.trip_shape';
  const tripCount = 'loop.trip_count';
  const squeezeAxes = 'loop.squeeze_axes';
  const firstPerStep = perStep[0];
  if (firstPerStep === undefined) {
    throw new GraphError(
      'INVALID_ARGUMENT',
      'loopStepGraph: plan.perStep: at least one per-step input gives the block its length',
    );
  }
  const loop = onnx.NodeProto.create({
    name: 'loop_Loop',
    opType: 'Loop',
    input: [tripCount, '', plan.counter, ...carried.map(({ input }) => nameOf(input))],
    output: [
      `${plan.counter}.final`,
      ...carried.map(({ output }) => nameOf(output)),
      ...scans.map(nameOf),
    ],
    attribute: [onnx.AttributeProto.create({ name: 'body', type: 5, g: body })],
  });
  const outer = onnx.GraphProto.create({
    name: `${graph.name}_block`,
    node: [
      onnx.NodeProto.create({
        name: 'loop_trip_Shape',
        opType: 'Shape',
        input: [nameOf(firstPerStep)],
        output: [tripShape],
        attribute: [onnx.AttributeProto.create({ name: 'end', type: 2, i: 1 })],
      }),
      onnx.NodeProto.create({
        name: 'loop_trip_Squeeze',
        opType: 'Squeeze',
        input: [tripShape, squeezeAxes],
        output: [tripCount],
      }),
      loop,
    ],
    initializer: [
      onnx.TensorProto.create({ name: squeezeAxes, dims: [1], dataType: INT64, int64Data: [0] }),
    ],
    input: graphInputs.map((value) =>
      plan.perStep.includes(nameOf(value)) ? blockInfo(value) : value,
    ),
    output: [...carried.map(({ output }) => output), ...scans.map(blockInfo)],
  });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ ...model, graph: outer })).finish();
}

function nameOf(value: ValueInfo): string {
  return value.name ?? '';
}

function elemType(value: ValueInfo): number {
  return value.type?.tensorType?.elemType ?? 0;
}

function dims(value: ValueInfo): onnxProto.onnx.TensorShapeProto.IDimension[] {
  return value.type?.tensorType?.shape?.dim ?? [];
}

function tensorInfo(name: string, type: number, shape: number[]): ValueInfo {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: type, shape: { dim: shape.map((d) => ({ dimValue: d })) } } },
  });
}

function renamed(value: ValueInfo, name: string): ValueInfo {
  return onnx.ValueInfoProto.create({ name, type: value.type });
}

/** The value's type with a leading `block_steps` dimension: one row per step of the block. */
function blockInfo(value: ValueInfo): ValueInfo {
  return onnx.ValueInfoProto.create({
    name: nameOf(value),
    type: {
      tensorType: {
        elemType: elemType(value),
        shape: { dim: [{ dimParam: BLOCK_STEPS_DIM }, ...dims(value)] },
      },
    },
  });
}
