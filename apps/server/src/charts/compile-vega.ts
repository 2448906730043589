import type { Mark, Spec } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * A chart's vega-lite spec compiled to vega, data and all: what the SVG renderer draws and what the
 * dashboard embeds, so the page does not compile each chart again (at 10,000 runs that compile was a
 * third of a second of the page's thread, its code still cold).
 */
export function compileToVega(spec: TopLevelSpec): Spec {
  return tooltipsOnHover(compile(spec).spec);
}

/**
 * Tooltips evaluated for the item under the pointer only. vega-lite encodes a tooltip with the rest of
 * an item's update set, so every item formats its tooltip's numbers when drawn: at 10,000 points that
 * was a tenth of a chart's drawing, for tooltips nobody reads. Vega runs a mark's hover set for the
 * item the pointer enters (the page embeds with hover on) before it shows the tooltip, so the same
 * tooltip shows when needed. The SVG route draws no tooltips.
 */
function tooltipsOnHover<T extends Spec | Mark>(node: T): T {
  const marks = 'marks' in node && node.marks ? node.marks.map(tooltipsOnHover) : undefined;
  const update = 'encode' in node ? node.encode?.update : undefined;
  if (!update || !('tooltip' in update)) return marks ? { ...node, marks } : node;
  const { tooltip, ...rest } = update;
  return {
    ...node,
    ...(marks && { marks }),
    encode: { ...node.encode, update: rest, hover: { ...node.encode?.hover, tooltip } },
  };
}
