import { evaluateAkima, type FitDocument } from '@isoflop/fit';
import type { TopLevelSpec } from 'vega-lite';
import { drawnVariants, type ChartRun } from './chart-data.js';
import { COUNT_AXIS, LOSS_Y, VEGA_LITE_SCHEMA } from './chart-encodings.js';
import { HIGHLIGHT_PARAMS, highlightOpacity } from './chart-highlight.js';
import { BUDGET_COLOR, CHART_CONFIG, budgetLabel, familyPanels, logSpace } from './chart-style.js';
import { mergeCoincidentPoints, runPointRows } from './coincident-points.js';

const PARABOLA_POINTS = 48;
/** One family's panel, in pixels. */
const WIDTH = 300;
const HEIGHT = 240;

/** The interval selection over the runs' points, by the name the page listens to. */
const BRUSH_PARAM = 'brush';

/**
 * IsoFLOP curves: each finished run's final bound against N, one colour per budget, with each budget's
 * fitted curve (the quadratic in log10 N, or with the akima estimator the Akima interpolation through
 * each size's best loss) and its minimum (the Approach-2 N_opt) marked, one panel per family.
 * Fitted curves come straight from the fit document's coefficients and knots: exact at any sweep size.
 */
export function isoflopCurvesSpec(
  runs: readonly ChartRun[],
  fit: FitDocument | undefined,
): TopLevelSpec {
  const runRows = runs.flatMap((run) =>
    run.valLoss === null || !Number.isFinite(run.valLoss)
      ? []
      : [
          {
            kind: 'run',
            family: run.family,
            budgetFlops: run.budgetFlops,
            budgetLabel: budgetLabel(run.budgetFlops),
            params: run.params,
            loss: run.valLoss,
            runId: run.id,
          },
        ],
  );
  // Seeds of one size and budget on one spot of a panel (its own loss axis) are drawn once.
  const rows: Record<string, unknown>[] = runPointRows(
    mergeCoincidentPoints(runRows, {
      x: { value: (row) => row.params, scale: 'log', pixels: WIDTH },
      y: { value: (row) => row.loss, scale: 'linear', pixels: HEIGHT },
      group: (row) => row.budgetLabel,
      domainGroup: (row) => row.family,
      rank: (row) => row.loss,
    }),
  );
  for (const [family, familyFit] of Object.entries(fit?.families ?? {})) {
    for (const budget of familyFit.approach2?.budgets ?? []) {
      const common = {
        family,
        budgetFlops: budget.budget,
        budgetLabel: budgetLabel(budget.budget),
      };
      const [low, high] = budget.n_range;
      if (budget.parabola) {
        const { c2, c1, c0 } = budget.parabola;
        // A little beyond the fitted sizes, so the curvature shows on both sides of the outer points.
        for (const n of logSpace(low / 1.25, high * 1.25, PARABOLA_POINTS)) {
          const x = Math.log10(n);
          rows.push({ ...common, kind: 'parabola', params: n, loss: c2 * x * x + c1 * x + c0 });
        }
      } else if (budget.knots) {
        // An interpolation says nothing beyond its end points.
        const sizes = logSpace(low, high, PARABOLA_POINTS);
        const logLoss = evaluateAkima(
          budget.knots.n.map(Math.log),
          budget.knots.loss.map(Math.log),
          sizes.map(Math.log),
          new Float64Array(sizes.length),
        );
        sizes.forEach((n, i) =>
          rows.push({ ...common, kind: 'akima', params: n, loss: Math.exp(logLoss[i]!) }),
        );
      }
      rows.push({ ...common, kind: 'minimum', params: budget.n_opt, loss: budget.loss_opt });
    }
  }
  const x = {
    field: 'params',
    type: 'quantitative',
    scale: { type: 'log' },
    title: 'parameters N',
    axis: COUNT_AXIS,
  } as const;
  const y = LOSS_Y;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: 'IsoFLOP curves',
      subtitle: fit
        ? `final bound against N per budget, ${estimatorCurves(fit)} in log N, minima marked ◆`
        : 'final bound against N per budget (fit pending)',
    },
    config: CHART_CONFIG,
    params: [...HIGHLIGHT_PARAMS],
    datasets: { isoflop: rows },
    data: { name: 'isoflop' },
    ...familyPanels(drawnVariants(fit, runs)),
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: WIDTH,
      height: HEIGHT,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'parabola' || datum.kind === 'akima'" }],
          mark: { type: 'line', strokeWidth: 1.5, clip: true },
          encoding: {
            x,
            y,
            color: BUDGET_COLOR,
            opacity: highlightOpacity(0.8, ['budgetLabel']),
            detail: { field: 'budgetLabel' },
            order: { field: 'params' },
          },
        },
        {
          transform: [{ filter: "datum.kind === 'run'" }],
          // Dragging over a panel selects its runs: the page overlays their curves.
          params: [{ name: BRUSH_PARAM, select: { type: 'interval', encodings: ['x', 'y'] } }],
          mark: { type: 'point', filled: true, size: 36 },
          encoding: {
            x,
            y,
            color: BUDGET_COLOR,
            opacity: highlightOpacity(0.9, ['budgetLabel', 'runIds']),
            tooltip: [
              { field: 'runId', title: 'run' },
              { field: 'runsHere', title: 'runs on this spot' },
              { field: 'budgetLabel', title: 'budget' },
              { field: 'params', title: 'N', format: '.3s' },
              { field: 'loss', title: 'bound', format: '.4f' },
            ],
          },
        },
        {
          transform: [{ filter: "datum.kind === 'minimum'" }],
          mark: {
            type: 'point',
            shape: 'diamond',
            filled: true,
            size: 110,
            stroke: '#1f232b',
            strokeWidth: 1,
          },
          encoding: {
            x,
            y,
            color: BUDGET_COLOR,
            opacity: highlightOpacity(1, ['budgetLabel']),
            tooltip: [
              { field: 'budgetLabel', title: 'budget' },
              { field: 'params', title: 'N_opt', format: '.3s' },
              { field: 'loss', title: 'L_opt', format: '.4f' },
            ],
          },
        },
      ],
    },
  };
}

/** What the fitted curves are, from the estimator the fit used. */
function estimatorCurves(fit: FitDocument): string {
  const estimator = Object.values(fit.families).find((f) => f.approach2)?.approach2?.estimator;
  return estimator === 'akima' ? 'Akima interpolations' : 'fitted quadratics';
}
