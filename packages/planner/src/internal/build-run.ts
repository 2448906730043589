import { runId } from '../run-id.js';
import type { PrimeOptions, RunSpec } from '../run-spec.js';
import type { BackboneShape } from '../shape-rule.js';
import { primeLength } from '../vocab.js';
import { variantSizes, type SweepContext, type Variant } from './sweep-context.js';

/** Achieved compute further than this from the target (after rounding to whole steps) is reported. */
export const FLOPS_TOLERANCE = 0.01;

/** Warmup when the spec names none: 1% of each run's steps. */
const DEFAULT_WARMUP_FRACTION = 0.01;

/** A trainable size: a shape, its N under the sweep's convention, and its batch size. */
export interface SizedShape {
  shape: BackboneShape;
  params: number;
  batchSize: number;
}

export type BuiltRun = { ok: true; run: RunSpec; warning?: string } | { ok: false; reason: string };

function variantOptions(ctx: SweepContext, variant: Variant): Pick<RunSpec, 'mdm' | 'prime'> {
  const { options } = variant;
  if (options.family === 'mdm') return { mdm: { eps: options.eps } };
  if (options.family === 'mdm-prime-v2') {
    const { base, shuffle, shuffleSeed, embedding, objective, eps } = options;
    const length = primeLength(base, ctx.vocabSize);
    const prime: PrimeOptions = { base, length, shuffle, shuffleSeed, embedding, objective, eps };
    return { prime };
  }
  return {};
}

function outsideWindow(
  ctx: SweepContext,
  variant: Variant,
  tokensPerParam: number,
): string | undefined {
  const sizes = variantSizes(ctx.spec, variant);
  if (sizes.count !== undefined || sizes.tokensPerParam === undefined) return undefined;
  const { min, max } = sizes.tokensPerParam;
  if ((min !== undefined && tokensPerParam < min) || (max !== undefined && tokensPerParam > max)) {
    return `D/N = ${tokensPerParam.toPrecision(3)} is outside sizes.tokensPerParam [${min ?? 0}, ${max ?? 'inf'}]`;
  }
  return undefined;
}

/**
 * One run of `variant` at budget C for a sized shape: D = C/(6N) rounded to whole steps of
 * batchSize·seqLen tokens. Refused, with the reason, when it cannot be trained (a cat-share width not
 * divisible by l, D/N outside the spec's window, less than one batch, warmup not shorter than the run).
 * The planner and the adaptive step both build runs here, so an added run is exactly the run the plan
 * would have had at that size, with the same id.
 */
export function buildRun(
  ctx: SweepContext,
  variant: Variant,
  budgetFlops: number,
  size: SizedShape,
  seed: number,
): BuiltRun {
  const { spec } = ctx;
  const options = variantOptions(ctx, variant);
  const { shape, params, batchSize } = size;
  if (options.prime?.embedding === 'cat-share' && shape.dModel % options.prime.length !== 0) {
    return {
      ok: false,
      reason: `cat-share needs dModel ${shape.dModel} divisible by the Prime length l = ${options.prime.length}`,
    };
  }
  const idealTokens = budgetFlops / (6 * params);
  const outside = outsideWindow(ctx, variant, idealTokens / params);
  if (outside !== undefined) return { ok: false, reason: outside };
  const tokensPerStep = batchSize * spec.seqLen;
  if (idealTokens < tokensPerStep) {
    return {
      ok: false,
      reason: `D = C/(6N) = ${Math.round(idealTokens)} tokens is less than one batch (${batchSize} x ${spec.seqLen} = ${tokensPerStep} tokens)`,
    };
  }
  const steps = Math.round(idealTokens / tokensPerStep);
  const warmupSteps =
    spec.optimizer.warmupSteps ??
    Math.round((spec.optimizer.warmupFraction ?? DEFAULT_WARMUP_FRACTION) * steps);
  if (warmupSteps >= steps) {
    return {
      ok: false,
      reason: `warmup of ${warmupSteps} steps is not shorter than the run (${steps} steps)`,
    };
  }
  const tokens = steps * tokensPerStep;
  const achievedFlops = 6 * params * tokens;
  const { lr, minLr, beta1, beta2, eps, weightDecay, gradClip } = spec.optimizer;
  const body: Omit<RunSpec, 'id' | 'sweepName'> = {
    family: variant.family,
    variant: variant.name,
    ...options,
    budgetFlops,
    achievedFlops,
    params,
    paramConvention: spec.paramConvention,
    exactParams: ctx.exactParamsOf(shape),
    tokens,
    steps,
    batchSize,
    shape: { ...shape, vocabSize: ctx.vocabSize, seqLen: spec.seqLen },
    optimizer: { lr, minLr, warmupSteps, beta1, beta2, eps, weightDecay, gradClip },
    data: spec.data,
    eval: spec.eval,
    device: spec.device,
    precision: spec.precision,
    seed,
    checkpointEvery: spec.checkpointEvery,
  };
  const run: RunSpec = {
    id: runId(body),
    sweepName: spec.name,
    ...body,
    // How the run executes, not what it computes: outside the id.
    ...(spec.stepsPerRun === undefined ? {} : { stepsPerRun: spec.stepsPerRun }),
  };
  const deviation = achievedFlops / budgetFlops - 1;
  if (Math.abs(deviation) <= FLOPS_TOLERANCE) return { ok: true, run };
  return {
    ok: true,
    run,
    warning: `achieved C = ${achievedFlops.toPrecision(4)} is ${(deviation * 100).toFixed(1)}% off the target ${budgetFlops.toPrecision(4)}: D/(batch x seqLen) = ${(idealTokens / tokensPerStep).toFixed(2)} steps rounds to ${steps}`,
  };
}
