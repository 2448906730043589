import {
  getSweep,
  lastSweepEventId,
  listSweeps,
  sweepBudgets,
  sweepVariants,
} from '@isoflop/store';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { ServerError } from '../../errors.js';
import { errorResponses, sweepIdParams } from '../api-schemas.js';
import { previewPlan } from '../plan-preview.js';
import type { RouteContext } from '../route-context.js';
import type { SweepCoordinator } from '../sweep-coordinator.js';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

function requireCoordinator(coordinator: SweepCoordinator | undefined): SweepCoordinator {
  if (!coordinator) {
    throw new ServerError(
      'NO_COORDINATOR',
      'this server has no coordinator (read-only): set REDIS_URL and restart `isoflop serve`',
    );
  }
  return coordinator;
}

/** The spec text of a submit or preview request and its format, from the content type. */
function specBody(request: FastifyRequest): { text: string; format: 'json' | 'yaml' } {
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const body: unknown = request.body;
  if (typeof body !== 'string' || body.trim() === '') {
    throw new ServerError(
      'INVALID_REQUEST',
      'body: expected a sweep spec as a JSON object (application/json) or YAML text (application/yaml)',
    );
  }
  return { text: body, format: contentType === 'application/json' ? 'json' : 'yaml' };
}

export function requireSweep(
  context: RouteContext,
  sweepId: string,
): NonNullable<ReturnType<typeof getSweep>> {
  const sweep = getSweep(context.store, sweepId);
  if (!sweep) throw new ServerError('SWEEP_NOT_FOUND', `no sweep with id '${sweepId}'`);
  return sweep;
}

/** Sweeps: submit a spec (or preview its plan), list, read one, cancel. */
export function sweepRoutes(context: RouteContext, guardMutation: onRequestHookHandler[]) {
  return async (app: FastifyInstance): Promise<void> => {
    // The planner parses the spec text itself, JSON or YAML, with its own bounds on size, nesting and
    // aliases. text/plain is not a spec type: it is what a cross-site form or no-cors fetch may send
    // without a preflight, so it is refused (415) like any other type.
    app.removeContentTypeParser(['application/json', 'text/plain']);
    app.addContentTypeParser(
      ['application/json', ...YAML_TYPES],
      { parseAs: 'string' },
      (_request, body, done) => done(null, body),
    );

    app.post(
      '/api/sweeps',
      {
        onRequest: guardMutation,
        schema: {
          summary: 'Submit a sweep spec (YAML or JSON); answers with the sweep id and its plan',
          tags: ['sweeps'],
          response: {
            201: { $ref: 'SubmittedSweep#' },
            ...errorResponses(400, 401, 409, 413, 415),
          },
        },
      },
      async (request, reply) => {
        const coordinator = requireCoordinator(context.coordinator);
        const { text, format } = specBody(request);
        const submitted = await coordinator.submit(text, format);
        return reply.status(201).send(submitted);
      },
    );

    app.post(
      '/api/sweeps/preview',
      {
        schema: {
          summary:
            'Plan a sweep spec without submitting it: run count, compute, sizes per budget, wall time',
          description:
            'Validates and plans like POST /api/sweeps (same errors with field paths) but stores and ' +
            'enqueues nothing. The wall time is estimated from the compute rate of finished runs and ' +
            'the workers connected now, or null with a reason.',
          tags: ['sweeps'],
          response: { 200: { $ref: 'PlanPreview#' }, ...errorResponses(400, 413, 415) },
        },
      },
      async (request) => {
        const { text, format } = specBody(request);
        const workers = (await context.coordinator?.workerCount?.()) ?? null;
        return previewPlan(context.store, text, format, workers);
      },
    );

    app.get(
      '/api/sweeps',
      {
        schema: {
          summary: 'All sweeps, newest first, with run counts per state',
          tags: ['sweeps'],
          response: {
            200: {
              type: 'object',
              properties: { sweeps: { type: 'array', items: { $ref: 'SweepSummary#' } } },
            },
          },
        },
      },
      async () => ({ sweeps: listSweeps(context.store) }),
    );

    app.get<{ Params: { id: string } }>(
      '/api/sweeps/:id',
      {
        schema: {
          summary: 'One sweep with its spec and run counts per state',
          tags: ['sweeps'],
          params: sweepIdParams,
          response: { 200: { $ref: 'SweepDetail#' }, ...errorResponses(404) },
        },
      },
      async (request) => ({
        ...requireSweep(context, request.params.id),
        lastEventId: lastSweepEventId(context.store, request.params.id),
        variants: sweepVariants(context.store, request.params.id),
        budgets: sweepBudgets(context.store, request.params.id),
      }),
    );

    app.post<{ Params: { id: string } }>(
      '/api/sweeps/:id/cancel',
      {
        onRequest: guardMutation,
        schema: {
          summary: 'Cancel the unfinished runs of a sweep',
          tags: ['sweeps'],
          params: sweepIdParams,
          response: { 202: { $ref: 'SweepSummary#' }, ...errorResponses(401, 404, 409) },
        },
      },
      async (request, reply) => {
        const coordinator = requireCoordinator(context.coordinator);
        requireSweep(context, request.params.id);
        await coordinator.cancel(request.params.id);
        return reply.status(202).send(requireSweep(context, request.params.id));
      },
    );
  };
}
