import { z } from 'zod';

const positive = z.number().positive();

/** What the narrowing rule narrows: one variant's Approach-2 exponent, or a compute ratio. */
const narrowTarget = z.discriminatedUnion('quantity', [
  z
    .strictObject({ quantity: z.literal('exponent'), variant: z.string().min(1) })
    .describe('the Approach-2 exponent a of N_opt ∝ C^a for one variant'),
  z
    .strictObject({
      quantity: z.literal('compute-ratio'),
      variant: z.string().min(1),
      baseline: z.string().min(1),
    })
    .describe(
      'the compute ratio C_baseline(L) / C_variant(L) at the middle of the shared loss range',
    ),
]);

/**
 * The `adaptive` block: which rules add runs, what they aim for, and what they may spend. Without it a
 * sweep is the plain grid.
 */
export const adaptiveSpecSchema = z
  .strictObject({
    bracket: z
      .boolean()
      .default(true)
      .describe('add sizes beyond the edge until every budget has its minimum inside'),
    overlap: z
      .strictObject({
        enabled: z.boolean().default(true),
        minWidth: positive
          .default(0.1)
          .describe('nats of loss range two variants must share for a compute ratio'),
        baseline: z
          .string()
          .min(1)
          .optional()
          .describe('compare every variant with this one (default arm, else the first variant)'),
      })
      .default({ enabled: true, minWidth: 0.1 })
      .describe('add budgets until the variants share a loss range'),
    narrow: z
      .strictObject({
        target: narrowTarget,
        width: positive.describe('stop when the 95% bootstrap interval is at most this wide'),
        resamples: z
          .int()
          .min(20)
          .max(2000)
          .default(200)
          .describe('bootstrap resamples for the interval'),
      })
      .optional()
      .describe(
        'with the allowance left, add the runs expected to shrink the target interval most',
      ),
    maxExtraRuns: z.int().nonnegative().default(32).describe('runs the rules may add in all'),
    maxExtraFlops: positive
      .optional()
      .describe('nominal compute (6·N·D) the added runs may use in all'),
    maxBudgetFlops: positive
      .optional()
      .describe('compute cap: no added budget above this (default 10x the largest planned budget)'),
    sizes: z
      .strictObject({ min: positive.optional(), max: positive.optional() })
      .optional()
      .describe('N bounds (under paramConvention) for added sizes'),
  })
  .describe('adaptive design: bracket every minimum, overlap the variants, narrow the target');

export type AdaptiveSpec = z.output<typeof adaptiveSpecSchema>;
