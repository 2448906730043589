import type { FastifyInstance } from 'fastify';
import { ESTIMATORS, type Approach2Estimator } from '@isoflop/fit';
import { dataVersion, sweepRunPoints, type CurveRange, type RunPoint } from '@isoflop/store';
import type { TopLevelSpec } from 'vega-lite';
import { chartByName, CHARTS, type ChartDefinition } from '../../charts/chart-registry.js';
import { compileToVega } from '../../charts/compile-vega.js';
import { renderSvg } from '../../charts/render-svg.js';
import { ServerError } from '../../errors.js';
import { errorResponses } from '../api-schemas.js';
import { loadChartInputs } from '../chart-inputs.js';
import type { RouteContext } from '../route-context.js';
import { VersionedCache } from '../versioned-cache.js';
import { requireSweep } from './sweep-routes.js';

/** NAME.json (vega-lite), NAME.vega.json (compiled to vega) or NAME.svg. */
const CHART_FILE = /^([a-z][a-z0-9-]*)\.(json|vega\.json|svg)$/;

/** The `?xmin=&xmax=` of a loss chart, checked: both or neither, in order, on a chart with an x range. */
function visibleRange(
  chart: ChartDefinition,
  xmin: number | undefined,
  xmax: number | undefined,
): CurveRange | undefined {
  if (xmin === undefined && xmax === undefined) return undefined;
  if (chart.rangeAxis === undefined) {
    const ranged = CHARTS.filter((c) => c.rangeAxis !== undefined).map((c) => c.name);
    throw new ServerError(
      'INVALID_REQUEST',
      `xmin: chart '${chart.name}' has no x range to narrow; charts with one: ${ranged.join(', ')}`,
    );
  }
  if (xmin === undefined || xmax === undefined) {
    throw new ServerError(
      'INVALID_REQUEST',
      `${xmin === undefined ? 'xmin' : 'xmax'}: expected it with ${xmin === undefined ? 'xmax' : 'xmin'}`,
    );
  }
  if (!(xmin < xmax)) {
    throw new ServerError(
      'INVALID_REQUEST',
      `xmax: expected more than xmin (${xmin}), got ${xmax}`,
    );
  }
  return { axis: chart.rangeAxis, min: xmin, max: xmax };
}

/**
 * Chart specs (vega-lite JSON; compiled to vega, as the page embeds them) and the same charts rendered to
 * SVG (for papers).
 */
export function chartRoutes(context: RouteContext) {
  /** Built specs as the JSON the page is sent, by sweep, chart and query. */
  const specs = new VersionedCache<string>(64);
  /** Each sweep's run points, which all but the loss charts are drawn from. */
  const runPoints = new VersionedCache<RunPoint[]>(4);
  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Params: { id: string } }>(
      '/api/sweeps/:id/charts',
      {
        schema: {
          summary: "The names of a sweep's charts, in dashboard order",
          tags: ['charts'],
          params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
          response: {
            200: {
              type: 'object',
              properties: {
                charts: { type: 'array', items: { type: 'string' } },
                needs: {
                  type: 'object',
                  description:
                    'per chart, what it is drawn from: runs, training curves, the fit (what a new event can change)',
                  additionalProperties: {
                    type: 'object',
                    properties: {
                      runs: { type: 'boolean' },
                      curves: { type: 'boolean' },
                      fit: { type: 'boolean' },
                    },
                  },
                },
              },
            },
            ...errorResponses(404),
          },
        },
      },
      async (request) => {
        requireSweep(context, request.params.id);
        return {
          charts: CHARTS.map((chart) => chart.name),
          needs: Object.fromEntries(CHARTS.map((chart) => [chart.name, chart.needs])),
        };
      },
    );

    app.get<{
      Params: { id: string; file: string };
      Querystring: { compare?: Approach2Estimator; xmin?: number; xmax?: number };
    }>(
      '/api/sweeps/:id/charts/:file',
      {
        schema: {
          summary:
            'One chart as a vega-lite spec with its data inlined (NAME.json), the same spec compiled ' +
            'to vega (NAME.vega.json, what the dashboard embeds) or rendered (NAME.svg)',
          description: `NAME is one of: ${CHARTS.map((chart) => chart.name).join(', ')}`,
          tags: ['charts'],
          params: {
            type: 'object',
            required: ['id', 'file'],
            properties: {
              id: { type: 'string' },
              file: { type: 'string', pattern: CHART_FILE.source },
            },
          },
          querystring: {
            type: 'object',
            properties: {
              compare: {
                type: 'string',
                enum: [...ESTIMATORS],
                description:
                  "frontier: also draw Approach 2's power laws by this estimator over the same runs",
              },
              xmin: {
                type: 'number',
                minimum: 0,
                description:
                  'loss charts: the visible x range (tokens or FLOPs), with xmax; every point in it, ' +
                  'min/max-downsampled per run',
              },
              xmax: { type: 'number', minimum: 0 },
            },
          },
          response: {
            200: {
              description:
                'application/json (vega-lite, or vega for NAME.vega.json) or image/svg+xml',
              content: {
                'application/json': { schema: { type: 'object', additionalProperties: true } },
                'image/svg+xml': { schema: { type: 'string' } },
              },
            },
            ...errorResponses(400, 404),
          },
        },
      },
      async (request, reply) => {
        const { id, file } = request.params;
        const [, name = '', format] = CHART_FILE.exec(file) ?? [];
        const chart = chartByName(name);
        if (!chart) {
          throw new ServerError(
            'CHART_NOT_FOUND',
            `no chart '${name}': charts are ${CHARTS.map((c) => c.name).join(', ')}`,
          );
        }
        requireSweep(context, id);
        const { compare, xmin, xmax } = request.query;
        const range = visibleRange(chart, xmin, xmax);
        const version = dataVersion(context.store);
        const compiled = format === 'vega.json';
        const json = specs.get(
          JSON.stringify([id, chart.name, compiled, compare, range?.min, range?.max]),
          version,
          () => {
            const inputs = loadChartInputs(context.store, id, chart, {
              compare,
              range,
              runPoints: () => runPoints.get(id, version, () => sweepRunPoints(context.store, id)),
            });
            const spec = chart.build(inputs);
            return JSON.stringify(compiled ? compileToVega(spec) : spec);
          },
        );
        // From a copy: vega marks the data objects it ingests, and the cached spec is shared.
        if (format === 'svg') {
          const copy = JSON.parse(json) as TopLevelSpec;
          return reply.type('image/svg+xml; charset=utf-8').send(await renderSvg(copy));
        }
        return reply.type('application/json').send(json);
      },
    );
  };
}
