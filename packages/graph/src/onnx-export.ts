import onnxProto from 'onnx-proto';
import { ONNX_DATA_TYPE, type DType } from './dtype.js';
import type { AttrValue, IrGraph, IrValue } from './internal/ir.js';
import { liveNodes } from './internal/live-nodes.js';

const { onnx } = onnxProto;

/** ORT 1.30 implements opset 21 for every op we emit; IR 10 is the matching IR version. */
export const ONNX_OPSET = 21;
export const ONNX_IR_VERSION = 10;

const ATTR_TYPE = { float: 1, int: 2, string: 3, ints: 7 } as const;

/**
 * Serialises a builder snapshot as an ONNX ModelProto: only nodes some output needs, constants as
 * initializers, every declared input kept (so the feed contract does not depend on the loss).
 */
export function encodeOnnxModel(graph: IrGraph, name: string): Uint8Array {
  const { nodes, needed } = liveNodes(graph);
  const names = new Map<number, string>();
  for (const input of graph.inputs) names.set(input.id, input.name);
  for (const id of graph.constants.keys()) names.set(id, `c${id}`);
  const produced = new Set(nodes.flatMap((n) => n.outputs));
  const renamed = new Set<number>();
  const identities: { input: number; output: string }[] = [];
  for (const out of graph.outputs) {
    // A node result becomes the output itself; anything else (an input, a constant, a value
    // already exported under another name) goes through an Identity.
    if (produced.has(out.id) && !renamed.has(out.id)) {
      names.set(out.id, out.name);
      renamed.add(out.id);
    } else {
      identities.push({ input: out.id, output: out.name });
    }
  }
  const nameOf = (id: number): string => (id < 0 ? '' : (names.get(id) ?? `t${id}`));

  const nodeProtos = nodes.map((n, i) =>
    onnx.NodeProto.create({
      name: `n${i}_${n.opType}`,
      opType: n.opType,
      input: trimOptional(n.inputs.map(nameOf)),
      output: n.outputs.map(nameOf),
      attribute: Object.entries(n.attrs).map(([attrName, v]) => encodeAttr(attrName, v)),
    }),
  );
  identities.forEach(({ input, output }, i) =>
    nodeProtos.push(
      onnx.NodeProto.create({
        name: `out${i}_Identity`,
        opType: 'Identity',
        input: [nameOf(input)],
        output: [output],
      }),
    ),
  );

  const initializers = [...graph.constants.values()]
    .filter((c) => needed.has(c.id))
    .map((c) =>
      onnx.TensorProto.create({
        name: nameOf(c.id),
        dims: [...c.shape],
        dataType: ONNX_DATA_TYPE[c.dtype],
        rawData: new Uint8Array(c.data.buffer, c.data.byteOffset, c.data.byteLength),
      }),
    );

  const model = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    producerName: '@isoflop/graph',
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    graph: onnx.GraphProto.create({
      name,
      node: nodeProtos,
      initializer: initializers,
      input: graph.inputs.map((v) => valueInfo(v.name, v)),
      output: graph.outputs.map((v) => valueInfo(v.name, v)),
    }),
  });
  return onnx.ModelProto.encode(model).finish();
}

function valueInfo(
  name: string,
  v: Pick<IrValue, 'dtype' | 'shape'>,
): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: ONNX_DATA_TYPE[v.dtype as DType],
        shape: { dim: v.shape.map((d) => ({ dimValue: d })) },
      },
    },
  });
}

function encodeAttr(name: string, v: AttrValue): InstanceType<typeof onnx.AttributeProto> {
  switch (v.kind) {
    case 'int':
      return onnx.AttributeProto.create({ name, type: ATTR_TYPE.int, i: v.value });
    case 'ints':
      return onnx.AttributeProto.create({ name, type: ATTR_TYPE.ints, ints: [...v.value] });
    case 'float':
      return onnx.AttributeProto.create({ name, type: ATTR_TYPE.float, f: v.value });
    case 'string':
      return onnx.AttributeProto.create({
        name,
        type: ATTR_TYPE.string,
        s: new TextEncoder().encode(v.value),
      });
  }
}

/** Trailing omitted optional inputs are dropped; inner ones stay as ''. */
function trimOptional(inputs: string[]): string[] {
  let end = inputs.length;
  while (end > 0 && inputs[end - 1] === '') end--;
  return inputs.slice(0, end);
}
