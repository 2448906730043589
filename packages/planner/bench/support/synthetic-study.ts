// Synthetic IsoFLOP studies for the adaptive step's tests and bench: losses drawn from a known surface
// L(N, D) = E + A/N^alpha + B/D^beta (plus seeded noise), so every answer is known in closed form.
import { nameKey, streamRng } from '@isoflop/fit';
import {
  decideAdaptiveStep,
  planSweep,
  type AdaptiveStep,
  type ObservedRun,
  type RunSpec,
  type SweepSpec,
} from '@isoflop/planner';

export interface Surface {
  E: number;
  A: number;
  B: number;
  alpha: number;
  beta: number;
}

export function surfaceLoss(surface: Surface, params: number, tokens: number): number {
  const { E, A, B, alpha, beta } = surface;
  return E + A / params ** alpha + B / tokens ** beta;
}

/** The Approach-2 exponent the surface implies: N_opt ∝ C^(beta/(alpha+beta)). */
export function trueExponent(surface: Surface): number {
  return surface.beta / (surface.alpha + surface.beta);
}

/** N minimising L at C = 6ND. */
export function optimalParams(surface: Surface, budgetFlops: number): number {
  const { A, B, alpha, beta } = surface;
  const g = ((alpha * A) / (beta * B)) ** (1 / (alpha + beta));
  return g * (budgetFlops / 6) ** (beta / (alpha + beta));
}

/** A finished run: its loss from the surface, plus noise that depends only on (noiseSeed, run id). */
export function observe(
  run: RunSpec,
  surface: Surface,
  noise: number,
  noiseSeed: number,
): ObservedRun {
  const jitter = noise === 0 ? 0 : noise * streamRng(noiseSeed, nameKey(run.id)).nextNormal();
  return {
    runId: run.id,
    variant: run.variant,
    budgetFlops: run.budgetFlops,
    params: run.params,
    tokens: run.tokens,
    loss: surfaceLoss(surface, run.params, run.tokens) + jitter,
    seed: run.seed,
  };
}

export interface StudyOutcome {
  planned: RunSpec[];
  results: ObservedRun[];
  steps: AdaptiveStep[];
  /** Rounds that added runs. */
  rounds: number;
  settled: boolean;
}

/**
 * Train the plan, then call the step and train what it adds, round after round, until it settles or
 * `maxRounds` pass. `surfaces` gives each variant its own surface (default: `surface` for all).
 */
export function runStudy(
  spec: SweepSpec,
  surfaceOf: (variant: string) => Surface,
  options: { noise?: number; noiseSeed?: number; maxRounds?: number } = {},
): StudyOutcome {
  const { noise = 0, noiseSeed = 0, maxRounds = 50 } = options;
  const planned = [...planSweep(spec).runs];
  const results = planned.map((run) => observe(run, surfaceOf(run.variant), noise, noiseSeed));
  const steps: AdaptiveStep[] = [];
  let rounds = 0;
  for (let round = 0; round < maxRounds; round += 1) {
    const step = decideAdaptiveStep({ spec, planned, results });
    steps.push(step);
    if (step.add.length === 0) return { planned, results, steps, rounds, settled: step.settled };
    rounds += 1;
    for (const { run } of step.add) {
      planned.push(run);
      results.push(observe(run, surfaceOf(run.variant), noise, noiseSeed));
    }
  }
  return { planned, results, steps, rounds, settled: false };
}
