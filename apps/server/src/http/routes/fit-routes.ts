import { fitFingerprint, runsCsv, sweepExport } from '@isoflop/orchestrator';
import { latestFit } from '@isoflop/store';
import type { FastifyInstance } from 'fastify';
import { ServerError } from '../../errors.js';
import { errorResponses, sweepIdParams } from '../api-schemas.js';
import type { RouteContext } from '../route-context.js';
import { requireSweep } from './sweep-routes.js';

/** The current fit of a sweep, and the sweep's export (fit + runs table) as JSON or CSV. */
export function fitRoutes(context: RouteContext) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Params: { id: string } }>(
      '/api/sweeps/:id/fit',
      {
        schema: {
          summary: "The sweep's newest fit (recomputed by the coordinator whenever a run finishes)",
          tags: ['fits'],
          params: sweepIdParams,
          response: { 200: { $ref: 'SweepFit#' }, ...errorResponses(404) },
        },
      },
      async (request) => {
        const sweepId = request.params.id;
        requireSweep(context, sweepId);
        const fit = latestFit(context.store, sweepId);
        if (!fit) {
          throw new ServerError(
            'FIT_NOT_READY',
            `sweep '${sweepId}' has no fit yet: no run has finished`,
          );
        }
        return {
          sweepId,
          computedAt: fit.createdAt,
          runCount: fit.runCount,
          fingerprint: fitFingerprint(fit.data),
          document: fit.document,
        };
      },
    );

    app.get<{ Params: { id: string }; Querystring: { format: 'json' | 'csv' } }>(
      '/api/sweeps/:id/export',
      {
        schema: {
          summary: 'The fit document and the runs table (json), or the runs table alone (csv)',
          tags: ['fits'],
          params: sweepIdParams,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { format: { type: 'string', enum: ['json', 'csv'], default: 'json' } },
          },
          response: {
            200: {
              description: 'application/json: {sweep, fit, runs}; text/csv: one row per run',
              content: {
                'application/json': { schema: { type: 'object', additionalProperties: true } },
                'text/csv': { schema: { type: 'string' } },
              },
            },
            ...errorResponses(400, 404),
          },
        },
      },
      async (request, reply) => {
        requireSweep(context, request.params.id);
        const exported = sweepExport(context.store, request.params.id);
        if (request.query.format === 'csv') {
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="${exported.sweep.id}-runs.csv"`)
            .send(runsCsv(exported.runs));
        }
        return reply.type('application/json').send(JSON.stringify(exported));
      },
    );
  };
}
