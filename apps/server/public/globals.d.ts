// The vega browser builds that index.html loads as classic scripts before the modules run.
declare global {
  const vega: typeof import('vega');
  const vegaLite: typeof import('vega-lite');
  const vegaEmbed: typeof import('vega-embed').default;
}
export {};
