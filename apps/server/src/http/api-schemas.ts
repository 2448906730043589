import { RUN_STATES, SWEEP_STATES } from '@isoflop/store';
import { FAMILIES } from '@isoflop/planner';

/**
 * JSON Schemas of every route's parameters and responses: Fastify validates requests and serialises
 * responses with them, and @fastify/swagger publishes them at /docs. Response schemas list every
 * property on purpose, since the serialiser drops what a schema does not name.
 */

const nullableNumber = { type: ['number', 'null'] } as const;
const nullableInteger = { type: ['integer', 'null'] } as const;
const nullableString = { type: ['string', 'null'] } as const;

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: {
      type: 'string',
      description: 'a stable error code, e.g. INVALID_SPEC or SWEEP_NOT_FOUND',
    },
    message: { type: 'string' },
    issues: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;

const runCounts = {
  type: 'object',
  description: 'number of runs in each state',
  additionalProperties: { type: 'integer' },
} as const;

const sweepSummaryProperties = {
  id: { type: 'string' },
  name: { type: 'string' },
  state: { type: 'string', enum: [...SWEEP_STATES] },
  runCount: { type: 'integer' },
  runs: runCounts,
  createdAt: { type: 'integer', description: 'ms since the epoch' },
  updatedAt: { type: 'integer' },
  finishedAt: nullableInteger,
} as const;

export const sweepSummarySchema = {
  $id: 'SweepSummary',
  type: 'object',
  properties: sweepSummaryProperties,
} as const;

export const sweepDetailSchema = {
  $id: 'SweepDetail',
  type: 'object',
  properties: {
    ...sweepSummaryProperties,
    specText: { type: 'string', description: 'the spec as submitted' },
    specFormat: { type: 'string', enum: ['yaml', 'json'] },
    spec: { type: 'object', additionalProperties: true, description: 'the validated spec' },
    dropped: { type: 'array', items: { type: 'object', additionalProperties: true } },
    lastEventId: {
      type: 'integer',
      description: "id of the sweep's newest event: stream from here with /events?lastEventId=",
    },
    variants: {
      type: 'array',
      items: { type: 'string' },
      description: "the variants (spec keys) of the sweep's runs, by family",
    },
    budgets: {
      type: 'array',
      items: { type: 'number' },
      description: "the budgets (FLOPs) of the sweep's runs, smallest first",
    },
  },
} as const;

const runProperties = {
  id: { type: 'string' },
  sweepId: { type: 'string' },
  family: { type: 'string', enum: [...FAMILIES] },
  variant: { type: 'string', description: 'the spec key the run was planned from' },
  budgetFlops: { type: 'number' },
  achievedFlops: { type: 'number' },
  params: { type: 'number' },
  exactParams: { type: 'number' },
  tokens: { type: 'number' },
  steps: { type: 'integer' },
  batchSize: { type: 'integer' },
  dModel: { type: 'integer' },
  nLayers: { type: 'integer' },
  nHeads: { type: 'integer' },
  seqLen: { type: 'integer' },
  state: { type: 'string', enum: [...RUN_STATES] },
  attempts: { type: 'integer' },
  worker: nullableString,
  error: nullableString,
  divergedStep: nullableInteger,
  lastStep: nullableInteger,
  queuedAt: nullableInteger,
  startedAt: nullableInteger,
  finishedAt: nullableInteger,
  wallSeconds: nullableNumber,
  valLoss: { ...nullableNumber, description: 'the valid bound: ARM exact NLL, MDM NELBO, Prime K' },
  valLossStdErr: nullableNumber,
  primeObjective: {
    ...nullableNumber,
    description: 'MDM-Prime-v2 J: an objective, not a likelihood bound',
  },
  primeObjectiveStdErr: nullableNumber,
  finalTrainLoss: nullableNumber,
  trainedSteps: nullableInteger,
  trainedTokens: nullableNumber,
  tokensPerSecond: nullableNumber,
} as const;

export const runSchema = { $id: 'Run', type: 'object', properties: runProperties } as const;

export const runPageSchema = {
  $id: 'RunPage',
  type: 'object',
  properties: {
    total: { type: 'integer', description: 'runs matching the filter, across all pages' },
    limit: { type: 'integer' },
    offset: { type: 'integer' },
    runs: { type: 'array', items: { $ref: 'Run#' } },
  },
} as const;

export const metricsSchema = {
  $id: 'RunMetrics',
  type: 'object',
  properties: {
    runId: { type: 'string' },
    downsampled: { type: 'boolean' },
    totalPoints: { type: 'integer', description: 'stored points before downsampling' },
    metrics: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          kind: { type: 'string', enum: ['train', 'eval'] },
          step: { type: 'integer' },
          tokens: { type: 'number' },
          loss: nullableNumber,
          lr: nullableNumber,
          tokensPerSecond: nullableNumber,
          gradNorm: nullableNumber,
          valLoss: nullableNumber,
          valLossStdErr: nullableNumber,
          primeObjective: nullableNumber,
          primeObjectiveStdErr: nullableNumber,
          recordedAt: { type: 'integer' },
        },
      },
    },
  },
} as const;

export const fitResponseSchema = {
  $id: 'SweepFit',
  type: 'object',
  properties: {
    sweepId: { type: 'string' },
    computedAt: { type: 'integer' },
    runCount: { type: 'integer', description: 'finished runs the fit was computed from' },
    fingerprint: { type: 'string', description: 'hash of the rows the fit was computed from' },
    document: {
      type: 'object',
      additionalProperties: true,
      description: 'the fit document, the same JSON as `isoflop fit --json`',
    },
  },
} as const;

export const submitResponseSchema = {
  $id: 'SubmittedSweep',
  type: 'object',
  properties: {
    sweepId: { type: 'string' },
    created: {
      type: 'boolean',
      description: 'false when the same spec was stored before: it resumes',
    },
    plan: {
      type: 'object',
      additionalProperties: true,
      description: 'the planner output: sweepName, runs (RunSpec[]), dropped sizes',
    },
  },
} as const;

const numberArray = { type: 'array', items: { type: 'number' } } as const;

export const planPreviewSchema = {
  $id: 'PlanPreview',
  type: 'object',
  properties: {
    sweepId: { type: 'string', description: 'the id the sweep would get' },
    sweepName: { type: 'string' },
    exists: {
      type: 'boolean',
      description: 'this spec was submitted before: submitting resumes it',
    },
    runCount: { type: 'integer' },
    totalFlops: { type: 'number', description: "sum of the runs' achieved compute" },
    budgets: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          budgetFlops: { type: 'number' },
          runs: { type: 'integer' },
          flops: { type: 'number' },
          variants: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                variant: { type: 'string' },
                params: { ...numberArray, description: 'model sizes N, ascending' },
              },
            },
          },
        },
      },
    },
    dropped: { type: 'integer', description: 'sizes the planner did not turn into runs' },
    warnings: { type: 'array', items: { type: 'string' } },
    estimate: {
      type: 'object',
      properties: {
        wallSeconds: { ...nullableNumber, description: 'null when unknown: see reason' },
        workers: { ...nullableInteger, description: 'workers connected to the queue now' },
        flopsPerSecond: {
          ...nullableNumber,
          description: "one worker's compute rate over this store's newest finished runs",
        },
        tokensPerSecond: nullableNumber,
        measuredRuns: { type: 'integer' },
        reason: nullableString,
      },
    },
  },
} as const;

export const vocabularySchema = {
  $id: 'Vocabulary',
  type: 'object',
  properties: {
    families: { type: 'array', items: { type: 'string', enum: [...FAMILIES] } },
    runStates: { type: 'array', items: { type: 'string', enum: [...RUN_STATES] } },
    terminalRunStates: { type: 'array', items: { type: 'string', enum: [...RUN_STATES] } },
    unfinishedRunStates: { type: 'array', items: { type: 'string', enum: [...RUN_STATES] } },
    sweepStates: { type: 'array', items: { type: 'string', enum: [...SWEEP_STATES] } },
    charts: { type: 'array', items: { type: 'string' }, description: 'chart names, page order' },
    variants: {
      type: 'array',
      items: { type: 'string' },
      description: "with ?sweep=ID: the variants (spec keys) of that sweep's runs",
    },
  },
} as const;

export const sweepIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export const SHARED_SCHEMAS = [
  errorSchema,
  sweepSummarySchema,
  sweepDetailSchema,
  runSchema,
  runPageSchema,
  metricsSchema,
  fitResponseSchema,
  submitResponseSchema,
  planPreviewSchema,
  vocabularySchema,
];

/** The error responses a route can give, by status, for the docs and the serialiser. */
export function errorResponses(...statuses: number[]): Record<number, { $ref: string }> {
  return Object.fromEntries(statuses.map((status) => [status, { $ref: 'Error#' }]));
}
