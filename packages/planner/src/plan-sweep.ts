import { countParams } from '@isoflop/models';
import { logSpaced } from './internal/log-spaced.js';
import { paperBatchMultiplier, paperGrid } from './paper-grid.js';
import { runId } from './run-id.js';
import type { DroppedSize, Family, Plan, PlanWarning, PrimeOptions, RunSpec } from './run-spec.js';
import { FAMILIES } from './run-spec.js';
import {
  dModelMultiple,
  paperParams,
  shapeForParams,
  type BackboneShape,
  type ParamCounter,
} from './shape-rule.js';
import type { SweepSpec } from './sweep-spec.js';
import { primeLength, vocabSizeOf } from './vocab.js';

/** Achieved compute further than this from the target (after rounding to whole steps) is reported. */
export const FLOPS_TOLERANCE = 0.01;

/** Warmup when the spec names none: 1% of each run's steps. */
const DEFAULT_WARMUP_FRACTION = 0.01;

type SizeCandidate =
  | { ok: true; shape: BackboneShape; params: number; batchSize: number }
  | { ok: false; params: number; reason: string };

interface SweepContext {
  spec: SweepSpec;
  vocabSize: number;
  primeLength: number | undefined;
  multiple: number;
  paramsOf: ParamCounter;
  exactParamsOf: ParamCounter;
}

function budgetsOf(spec: SweepSpec): number[] {
  return Array.isArray(spec.budgets)
    ? spec.budgets
    : logSpaced(spec.budgets.min, spec.budgets.max, spec.budgets.count);
}

function contextOf(spec: SweepSpec): SweepContext {
  const vocabSize = vocabSizeOf(spec.data);
  const prime = spec.families['mdm-prime-v2'];
  const length = prime === undefined ? undefined : primeLength(prime.base, vocabSize);
  const exactParamsOf: ParamCounter = (shape) =>
    countParams({ ...shape, vocabSize, seqLen: spec.seqLen }).exactNonEmbedding;
  return {
    spec,
    vocabSize,
    primeLength: length,
    multiple: dModelMultiple(
      spec.shapeRule.headDim,
      prime?.embedding === 'cat-share' ? length : undefined,
    ),
    paramsOf:
      spec.paramConvention === 'paper'
        ? (shape) => paperParams(shape.dModel, shape.nLayers)
        : exactParamsOf,
    exactParamsOf,
  };
}

function fixedShapes(ctx: SweepContext, family: Family): SizeCandidate[] {
  const { spec } = ctx;
  if (spec.sizes.preset === 'paper') {
    return paperGrid(family).map((size) => {
      const shape: BackboneShape = {
        dModel: size.dModel,
        nLayers: size.nLayers,
        nHeads: size.nHeads,
        ffnHidden: Math.round(spec.shapeRule.ffnMultiplier * size.dModel),
      };
      return {
        ok: true,
        shape,
        params: ctx.paramsOf(shape),
        batchSize: spec.batchSize * paperBatchMultiplier(size),
      };
    });
  }
  return (spec.sizes.shapes ?? []).map((explicit) => {
    const shape: BackboneShape = {
      dModel: explicit.dModel,
      nLayers: explicit.nLayers,
      nHeads: explicit.nHeads,
      ffnHidden: explicit.ffnHidden ?? Math.round(spec.shapeRule.ffnMultiplier * explicit.dModel),
    };
    return {
      ok: true,
      shape,
      params: ctx.paramsOf(shape),
      batchSize: explicit.batchSize ?? spec.batchSize,
    };
  });
}

function ruleShapes(ctx: SweepContext, budget: number): SizeCandidate[] {
  const { sizes } = ctx.spec;
  const count = sizes.count ?? 0;
  // The schema guarantees min and max whenever count is set.
  let targets: number[];
  if (sizes.params !== undefined) {
    targets = logSpaced(sizes.params.min ?? 0, sizes.params.max ?? 0, count);
  } else {
    const ratio = sizes.tokensPerParam ?? {};
    // D/N = C/(6N²), so N = sqrt(C / (6·D/N)): the most tokens per parameter gives the smallest model.
    targets = logSpaced(
      Math.sqrt(budget / (6 * (ratio.max ?? 0))),
      Math.sqrt(budget / (6 * (ratio.min ?? 0))),
      count,
    );
  }
  const seen = new Map<string, number>();
  return targets.map((target) => {
    const choice = shapeForParams(target, ctx.spec.shapeRule, ctx.multiple, ctx.paramsOf);
    if (!choice.ok) return { ok: false, params: Math.round(target), reason: choice.reason };
    const key = `${choice.shape.dModel}x${choice.shape.nLayers}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      return {
        ok: false,
        params: Math.round(target),
        reason: `target N = ${Math.round(target)} gives the same shape (dModel ${choice.shape.dModel} x ${choice.shape.nLayers} layers) as target N = ${Math.round(earlier)}`,
      };
    }
    seen.set(key, target);
    return { ok: true, shape: choice.shape, params: choice.params, batchSize: ctx.spec.batchSize };
  });
}

function familyOptions(ctx: SweepContext, family: Family): Pick<RunSpec, 'mdm' | 'prime'> {
  const { families } = ctx.spec;
  if (family === 'mdm' && families.mdm !== undefined) return { mdm: { ...families.mdm } };
  const prime = families['mdm-prime-v2'];
  if (family === 'mdm-prime-v2' && prime !== undefined && ctx.primeLength !== undefined) {
    const options: PrimeOptions = { ...prime, length: ctx.primeLength };
    return { prime: options };
  }
  return {};
}

function outsideWindow(ctx: SweepContext, tokensPerParam: number): string | undefined {
  const { sizes } = ctx.spec;
  if (sizes.count !== undefined || sizes.tokensPerParam === undefined) return undefined;
  const { min, max } = sizes.tokensPerParam;
  if ((min !== undefined && tokensPerParam < min) || (max !== undefined && tokensPerParam > max)) {
    return `D/N = ${tokensPerParam.toPrecision(3)} is outside sizes.tokensPerParam [${min ?? 0}, ${max ?? 'inf'}]`;
  }
  return undefined;
}

/**
 * Expand a validated sweep spec into runs: for every family, budget C and size N, D = C/(6N) tokens,
 * rounded to whole steps of batchSize·seqLen tokens. Sizes that cannot be trained at a budget (less
 * than one batch, outside the tokens-per-parameter window, no valid shape, warmup not shorter than the
 * run) are listed in `dropped` with the reason. Pure: no I/O, same spec in, same plan out.
 */
export function planSweep(spec: SweepSpec): Plan {
  const ctx = contextOf(spec);
  const runs: RunSpec[] = [];
  const dropped: DroppedSize[] = [];
  const warnings: PlanWarning[] = [];
  const budgets = budgetsOf(spec);

  for (const family of FAMILIES) {
    if (spec.families[family] === undefined) continue;
    const options = familyOptions(ctx, family);
    for (const budgetFlops of budgets) {
      const candidates =
        spec.sizes.count === undefined ? fixedShapes(ctx, family) : ruleShapes(ctx, budgetFlops);
      for (const candidate of candidates) {
        const drop = (reason: string) =>
          dropped.push({ family, budgetFlops, params: candidate.params, reason });
        if (!candidate.ok) {
          drop(candidate.reason);
          continue;
        }
        const { shape, params, batchSize } = candidate;
        if (options.prime?.embedding === 'cat-share' && shape.dModel % options.prime.length !== 0) {
          drop(
            `cat-share needs dModel ${shape.dModel} divisible by the Prime length l = ${options.prime.length}`,
          );
          continue;
        }
        const idealTokens = budgetFlops / (6 * params);
        const outside = outsideWindow(ctx, idealTokens / params);
        if (outside !== undefined) {
          drop(outside);
          continue;
        }
        const tokensPerStep = batchSize * spec.seqLen;
        if (idealTokens < tokensPerStep) {
          drop(
            `D = C/(6N) = ${Math.round(idealTokens)} tokens is less than one batch (${batchSize} x ${spec.seqLen} = ${tokensPerStep} tokens)`,
          );
          continue;
        }
        const steps = Math.round(idealTokens / tokensPerStep);
        const warmupSteps =
          spec.optimizer.warmupSteps ??
          Math.round((spec.optimizer.warmupFraction ?? DEFAULT_WARMUP_FRACTION) * steps);
        if (warmupSteps >= steps) {
          drop(`warmup of ${warmupSteps} steps is not shorter than the run (${steps} steps)`);
          continue;
        }
        const tokens = steps * tokensPerStep;
        const achievedFlops = 6 * params * tokens;
        const { lr, minLr, beta1, beta2, eps, weightDecay, gradClip } = spec.optimizer;
        for (const seed of spec.seeds) {
          const body: Omit<RunSpec, 'id' | 'sweepName'> = {
            family,
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
          const id = runId(body);
          runs.push({
            id,
            sweepName: spec.name,
            ...body,
            // How the run executes, not what it computes: outside the id.
            ...(spec.stepsPerRun === undefined ? {} : { stepsPerRun: spec.stepsPerRun }),
          });
          const deviation = achievedFlops / budgetFlops - 1;
          if (Math.abs(deviation) > FLOPS_TOLERANCE) {
            warnings.push({
              runId: id,
              message: `achieved C = ${achievedFlops.toPrecision(4)} is ${(deviation * 100).toFixed(1)}% off the target ${budgetFlops.toPrecision(4)}: D/(batch x seqLen) = ${(idealTokens / tokensPerStep).toFixed(2)} steps rounds to ${steps}`,
            });
          }
        }
      }
    }
  }
  return { sweepName: spec.name, runs, dropped, warnings };
}
