import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * A vega-lite spec as a standalone SVG document, rendered headless (vega's 'none' renderer needs no
 * canvas): the same spec the dashboard embeds, for reports and papers.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
