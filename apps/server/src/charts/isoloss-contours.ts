import type { FitDocument } from '@isoflop/fit';
import type { TopLevelSpec } from 'vega-lite';
import { drawnVariants, type ChartRun } from './chart-data.js';
import { finite } from './chart-format.js';
import { computeX, COUNT_AXIS, VEGA_LITE_SCHEMA } from './chart-encodings.js';
import { HIGHLIGHT_PARAMS, highlightOpacity } from './chart-highlight.js';
import { CHART_CONFIG, familyPanels, logSpace } from './chart-style.js';
import { mergeCoincidentPoints, runPointRows } from './coincident-points.js';

const FRONTIER_POINTS = 40;
/** One family's panel, in pixels. */
const WIDTH = 300;
const HEIGHT = 260;
const C_MARGIN = 10;
const N_MARGIN = 3;

/**
 * Isoloss contours of each family's fitted law L(N, D) = E + A/N^α + B/D^β over (C, N), with the law's
 * compute-optimal N_opt(C) through them and the sweep's runs as grey points. The contours are the fit
 * document's own (solved exactly for D at each N), so the chart adds no numerics of its own.
 */
export function isolossContoursSpec(
  runs: readonly ChartRun[],
  fit: FitDocument | undefined,
): TopLevelSpec {
  const fitted = runs.filter((run) => run.valLoss !== null && run.flops > 0);
  const flops = fitted.map((run) => run.flops);
  const params = fitted.map((run) => run.params);
  // The view spans the runs with a margin; the fit's contours reach far beyond and are cut to it.
  const cDomain: [number, number] | undefined =
    fitted.length > 0 ? [Math.min(...flops) / C_MARGIN, Math.max(...flops) * C_MARGIN] : undefined;
  const nDomain: [number, number] | undefined =
    fitted.length > 0
      ? [Math.min(...params) / N_MARGIN, Math.max(...params) * N_MARGIN]
      : undefined;
  const inView = (c: number, n: number) =>
    cDomain !== undefined &&
    nDomain !== undefined &&
    c >= cDomain[0] &&
    c <= cDomain[1] &&
    n >= nDomain[0] &&
    n <= nDomain[1];
  // A size's seeds share its (C, N): each spot of a panel is drawn once.
  const runRows = fitted.map((run) => ({
    kind: 'run',
    family: run.family,
    c: run.flops,
    n: run.params,
    loss: run.valLoss ?? NaN,
    runId: run.id,
  }));
  const rows: Record<string, unknown>[] = runPointRows(
    mergeCoincidentPoints(runRows, {
      x: { value: (row) => row.c, scale: 'log', pixels: WIDTH, domain: cDomain },
      y: { value: (row) => row.n, scale: 'log', pixels: HEIGHT, domain: nDomain },
      group: (row) => row.family,
      rank: (row) => row.loss,
    }),
  );
  for (const [family, familyFit] of Object.entries(fit?.families ?? {})) {
    const a3 = familyFit.approach3;
    if (!a3) continue;
    for (const contour of a3.contours ?? []) {
      const levelLabel = contour.loss.toFixed(3);
      const visible = contour.points.filter((point) => inView(point.c, point.n));
      visible.forEach((point, index) => {
        rows.push({
          kind: 'contour',
          family,
          c: point.c,
          n: point.n,
          loss: contour.loss,
          levelLabel,
          index,
        });
      });
      // Each contour's least-compute point lies on the frontier, where the labels do not collide.
      const nose = visible.reduce<(typeof visible)[number] | undefined>(
        (best, p) => (!best || p.c < best.c ? p : best),
        undefined,
      );
      if (nose)
        rows.push({
          kind: 'contour-label',
          family,
          c: nose.c,
          n: nose.n,
          loss: contour.loss,
          levelLabel,
        });
    }
    if (cDomain && finite(a3.G) && finite(a3.a)) {
      for (const c of logSpace(cDomain[0], cDomain[1], FRONTIER_POINTS)) {
        const n = a3.G * (c / 6) ** a3.a;
        if (inView(c, n)) rows.push({ kind: 'frontier', family, c, n });
      }
    }
  }
  const x = computeX(cDomain);
  const y = {
    field: 'n',
    type: 'quantitative',
    scale: { type: 'log', ...(nDomain ? { domain: nDomain, nice: false } : {}) },
    title: 'parameters N',
    axis: COUNT_AXIS,
  } as const;
  const levelColor = {
    field: 'loss',
    type: 'quantitative',
    title: 'fitted loss',
    scale: { scheme: 'plasma', reverse: true },
  } as const;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: 'Isoloss contours of the fitted law',
      subtitle: fit
        ? 'Approach 3: L(N, D) = E + A/N^α + B/D^β, D = C/(6N) · black: compute-optimal N_opt(C) · grey: runs'
        : 'fit pending',
    },
    config: CHART_CONFIG,
    params: [...HIGHLIGHT_PARAMS],
    datasets: { isoloss: rows },
    data: { name: 'isoloss' },
    ...familyPanels(drawnVariants(fit, runs)),
    resolve: { scale: { x: 'shared', y: 'shared' } },
    spec: {
      width: WIDTH,
      height: HEIGHT,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'contour'" }],
          mark: { type: 'line', strokeWidth: 1.6, clip: true },
          encoding: {
            x,
            y,
            color: levelColor,
            detail: { field: 'levelLabel' },
            order: { field: 'index' },
          },
        },
        {
          transform: [{ filter: "datum.kind === 'contour-label'" }],
          mark: { type: 'text', align: 'right', baseline: 'bottom', dx: -4, dy: -2, fontSize: 9.5 },
          encoding: { x, y, text: { field: 'levelLabel' }, color: levelColor },
        },
        {
          transform: [{ filter: "datum.kind === 'frontier'" }],
          mark: { type: 'line', color: '#1f232b', strokeWidth: 2, clip: true },
          encoding: { x, y, order: { field: 'c' } },
        },
        {
          transform: [{ filter: "datum.kind === 'run'" }],
          mark: { type: 'point', filled: true, size: 22, color: '#7d8593' },
          encoding: {
            x,
            y,
            opacity: highlightOpacity(0.75, ['runIds']),
            tooltip: [
              { field: 'runId', title: 'run' },
              { field: 'runsHere', title: 'runs on this spot' },
              { field: 'n', title: 'N', format: '.3s' },
              { field: 'c', title: 'C', format: '.2e' },
              { field: 'loss', title: 'bound', format: '.4f' },
            ],
          },
        },
      ],
    },
  };
}
