import type { IrGraph } from './internal/ir.js';
import { liveNodes } from './internal/live-nodes.js';

/**
 * FLOPs of every MatMul the exported graph executes (2·m·k·n per product, batch included):
 * forward and backward together, the numerator of a matmul-utilisation figure.
 */
export function countMatMulFlops(graph: IrGraph): number {
  let flops = 0;
  for (const node of liveNodes(graph).nodes) {
    if (node.opType !== 'MatMul') continue;
    const a = graph.values.get(node.inputs[0] ?? -1);
    const y = graph.values.get(node.outputs[0] ?? -1);
    if (a === undefined || y === undefined) continue;
    const k = a.shape[a.shape.length - 1] ?? 0;
    flops += 2 * k * y.shape.reduce((p, d) => p * d, 1);
  }
  return flops;
}
