import { FAMILIES } from '@isoflop/planner';
import {
  getRun,
  listRuns,
  RUN_SORT_KEYS,
  RUN_STATES,
  runEvents,
  runMetrics,
  type RunSortKey,
  type RunState,
  type StoredMetric,
} from '@isoflop/store';
import type { FastifyInstance } from 'fastify';
import { ServerError } from '../../errors.js';
import { errorResponses } from '../api-schemas.js';
import { downsampleMinMax } from '../downsample-min-max.js';
import type { RouteContext } from '../route-context.js';
import { requireSweep } from './sweep-routes.js';

interface RunsQuery {
  family?: string;
  variant?: string;
  state?: RunState;
  budget?: number;
  q?: string;
  sort?: RunSortKey;
  desc?: boolean;
  limit: number;
  offset: number;
}

const runParams = {
  type: 'object',
  required: ['id', 'run'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 200 },
    run: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

/** The value a downsampler keeps extremes of: training loss for steps, the bound for evaluations. */
function metricValue(metric: StoredMetric): number {
  return (metric.kind === 'train' ? metric.loss : metric.valLoss) ?? Number.NaN;
}

/** A sweep's runs (paged, filtered), one run's metrics (complete, or downsampled on request) and events. */
export function runRoutes(context: RouteContext) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Params: { id: string }; Querystring: RunsQuery }>(
      '/api/sweeps/:id/runs',
      {
        schema: {
          summary:
            "A page of a sweep's runs, filtered, in grid order (family, budget, size) or sorted by a column",
          tags: ['runs'],
          params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              family: { type: 'string', enum: [...FAMILIES] },
              variant: { type: 'string', minLength: 1, maxLength: 200 },
              state: { type: 'string', enum: [...RUN_STATES] },
              budget: { type: 'number', exclusiveMinimum: 0, description: 'budget in FLOPs' },
              q: { type: 'string', maxLength: 200, description: 'text the run id contains' },
              sort: {
                type: 'string',
                enum: [...RUN_SORT_KEYS],
                description: 'column to sort by; runs without a value come last either way',
              },
              desc: { type: 'boolean', default: false },
              limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 100 },
              offset: { type: 'integer', minimum: 0, default: 0 },
            },
          },
          response: { 200: { $ref: 'RunPage#' }, ...errorResponses(400, 404) },
        },
      },
      async (request) => {
        requireSweep(context, request.params.id);
        const { family, variant, state, budget, q, sort, desc, limit, offset } = request.query;
        const page = listRuns(context.store, request.params.id, {
          limit,
          offset,
          ...(family === undefined ? {} : { family }),
          ...(variant === undefined ? {} : { variant }),
          ...(state === undefined ? {} : { state }),
          ...(budget === undefined ? {} : { budgetFlops: budget }),
          ...(q === undefined ? {} : { idContains: q }),
          ...(sort === undefined ? {} : { sort, desc: desc === true }),
        });
        return { ...page, limit, offset };
      },
    );

    app.get<{ Params: { id: string; run: string }; Querystring: { maxPoints?: number } }>(
      '/api/sweeps/:id/runs/:run/metrics',
      {
        schema: {
          summary: "A run's training and evaluation metrics; complete unless maxPoints is given",
          tags: ['runs'],
          params: runParams,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              maxPoints: {
                type: 'integer',
                minimum: 4,
                description:
                  'keep at most this many points per kind (min/max per bucket: spikes survive)',
              },
            },
          },
          response: { 200: { $ref: 'RunMetrics#' }, ...errorResponses(400, 404) },
        },
      },
      async (request) => {
        const { id, run } = request.params;
        requireSweep(context, id);
        if (!getRun(context.store, id, run)) {
          throw new ServerError('RUN_NOT_FOUND', `sweep '${id}' has no run '${run}'`);
        }
        const all = runMetrics(context.store, run);
        const { maxPoints } = request.query;
        if (maxPoints === undefined) {
          return { runId: run, downsampled: false, totalPoints: all.length, metrics: all };
        }
        const train = all.filter((m) => m.kind === 'train');
        const evals = all.filter((m) => m.kind === 'eval');
        const metrics = [
          ...downsampleMinMax(train, maxPoints, metricValue),
          ...downsampleMinMax(evals, maxPoints, metricValue),
        ];
        return {
          runId: run,
          downsampled: metrics.length < all.length,
          totalPoints: all.length,
          metrics,
        };
      },
    );

    app.get<{ Params: { id: string; run: string } }>(
      '/api/sweeps/:id/runs/:run/events',
      {
        schema: {
          summary:
            "One run's events (state changes, starts, decisions), oldest first, without per-step progress",
          tags: ['runs'],
          params: runParams,
          response: {
            200: {
              type: 'object',
              properties: {
                run: {
                  type: 'object',
                  additionalProperties: true,
                  description: 'the Run with its spec',
                },
                events: { type: 'array', items: { type: 'object', additionalProperties: true } },
              },
            },
            ...errorResponses(404),
          },
        },
      },
      async (request) => {
        const { id, run } = request.params;
        requireSweep(context, id);
        const detail = getRun(context.store, id, run);
        if (!detail) throw new ServerError('RUN_NOT_FOUND', `sweep '${id}' has no run '${run}'`);
        return { run: detail, events: runEvents(context.store, id, run) };
      },
    );
  };
}
