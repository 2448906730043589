import { parse, View } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { compileToVega } from './compile-vega.js';

/**
 * A vega-lite spec as a standalone SVG document, rendered headless (vega's 'none' renderer needs no
 * canvas): the same spec the dashboard embeds, for reports and papers.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compileToVega(spec)), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
