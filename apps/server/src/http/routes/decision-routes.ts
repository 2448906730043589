import type { FastifyInstance } from 'fastify';
import { listDecisions } from '@isoflop/orchestrator';
import { errorResponses, sweepIdParams } from '../api-schemas.js';
import type { RouteContext } from '../route-context.js';
import { requireSweep } from './sweep-routes.js';

/** What the adaptive step decided for a sweep: the runs it added and why, the limits it reached. */
export function decisionRoutes(context: RouteContext) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Params: { id: string } }>(
      '/api/sweeps/:id/decisions',
      {
        schema: {
          summary:
            "The adaptive step's decisions in the order taken: added runs with rule, code and reason; limits; settling",
          tags: ['sweeps'],
          params: sweepIdParams,
          response: {
            200: {
              type: 'object',
              required: ['decisions'],
              properties: {
                decisions: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['type', 'at'],
                    additionalProperties: true,
                    properties: {
                      type: { type: 'string', enum: ['add', 'limit', 'settled'] },
                      at: { type: 'integer' },
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
        return { decisions: listDecisions(context.store, request.params.id) };
      },
    );
  };
}
