import { FAMILIES } from '@isoflop/planner';
import {
  RUN_STATES,
  SWEEP_STATES,
  TERMINAL_RUN_STATES,
  UNFINISHED_RUN_STATES,
} from '@isoflop/store';
import type { FastifyInstance } from 'fastify';
import { CHARTS } from '../../charts/chart-registry.js';

/**
 * The names the page shows and filters by, from the contracts that define them (the models' families,
 * the store's run states, the chart registry), so that no front end keeps a copy that can drift.
 */
export function vocabularyRoutes() {
  return async (app: FastifyInstance): Promise<void> => {
    const vocabulary = {
      families: [...FAMILIES],
      runStates: [...RUN_STATES],
      terminalRunStates: [...TERMINAL_RUN_STATES],
      unfinishedRunStates: [...UNFINISHED_RUN_STATES],
      sweepStates: [...SWEEP_STATES],
      charts: CHARTS.map((chart) => chart.name),
    };
    app.get(
      '/api/vocabulary',
      {
        schema: {
          summary: 'Families, run and sweep states, and chart names, in display order',
          description:
            'terminalRunStates: a run in one of these has finished (done, failed, diverged, ' +
            'cancelled); unfinishedRunStates: it may still train.',
          tags: ['vocabulary'],
          response: { 200: { $ref: 'Vocabulary#' } },
        },
      },
      async () => vocabulary,
    );
  };
}
