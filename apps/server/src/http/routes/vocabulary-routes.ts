import { FAMILIES } from '@isoflop/planner';
import {
  RUN_STATES,
  SWEEP_STATES,
  sweepVariants,
  TERMINAL_RUN_STATES,
  UNFINISHED_RUN_STATES,
} from '@isoflop/store';
import type { FastifyInstance } from 'fastify';
import { CHARTS } from '../../charts/chart-registry.js';
import { errorResponses } from '../api-schemas.js';
import type { RouteContext } from '../route-context.js';
import { requireSweep } from './sweep-routes.js';

/**
 * The names the page shows and filters by, from the contracts that define them (the models' families,
 * the store's run states, the chart registry), so that no front end keeps a copy that can drift.
 */
export function vocabularyRoutes(context: RouteContext) {
  return async (app: FastifyInstance): Promise<void> => {
    const vocabulary = {
      families: [...FAMILIES],
      runStates: [...RUN_STATES],
      terminalRunStates: [...TERMINAL_RUN_STATES],
      unfinishedRunStates: [...UNFINISHED_RUN_STATES],
      sweepStates: [...SWEEP_STATES],
      charts: CHARTS.map((chart) => chart.name),
    };
    app.get<{ Querystring: { sweep?: string } }>(
      '/api/vocabulary',
      {
        schema: {
          summary: 'Families, run and sweep states, and chart names, in display order',
          description:
            'terminalRunStates: a run in one of these has finished (done, failed, diverged, ' +
            'cancelled); unfinishedRunStates: it may still train.',
          tags: ['vocabulary'],
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { sweep: { type: 'string', minLength: 1, maxLength: 200 } },
          },
          response: { 200: { $ref: 'Vocabulary#' }, ...errorResponses(400, 404) },
        },
      },
      async (request) => {
        const { sweep } = request.query;
        if (sweep === undefined) return vocabulary;
        requireSweep(context, sweep);
        return { ...vocabulary, variants: sweepVariants(context.store, sweep) };
      },
    );
  };
}
