import type { IrGraph, IrNode } from './ir.js';

/** Dead-code elimination: the nodes some graph output needs, and every value id they read. */
export function liveNodes(graph: IrGraph): { nodes: IrNode[]; needed: Set<number> } {
  const needed = new Set(graph.outputs.map((o) => o.id));
  const kept: IrNode[] = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i];
    if (node === undefined || !node.outputs.some((o) => needed.has(o))) continue;
    kept.push(node);
    for (const id of node.inputs) needed.add(id);
  }
  kept.reverse();
  return { nodes: kept, needed };
}
