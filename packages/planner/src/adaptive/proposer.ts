import { buildRun } from '../internal/build-run.js';
import type { SweepContext, Variant } from '../internal/sweep-context.js';
import type { RunSpec } from '../run-spec.js';
import type { AdaptiveLimit, AdaptiveReason, AddedRun, ObservedRun } from './adaptive-types.js';
import { runKey } from './observed-groups.js';
import type { LadderSize } from './size-ladder.js';

/**
 * Collects what one decision step adds, holding every rule to the spec's allowance (maximum extra runs
 * and compute) and never adding a run the sweep already has.
 */
export class Proposer {
  readonly added: AddedRun[] = [];
  readonly limits: AdaptiveLimit[] = [];
  private readonly known = new Set<string>();
  private runsLeft: number;
  private flopsLeft: number;

  constructor(
    private readonly ctx: SweepContext,
    base: readonly RunSpec[],
    planned: readonly RunSpec[],
    results: readonly ObservedRun[],
  ) {
    const baseKeys = new Set(base.map((r) => runKey(r.variant, r.budgetFlops, r.params, r.seed)));
    const extra = new Map<string, number>();
    const note = (key: string, id: string, flops: number) => {
      this.known.add(key);
      this.known.add(id);
      if (!baseKeys.has(key)) extra.set(key, flops);
    };
    for (const r of planned) {
      note(runKey(r.variant, r.budgetFlops, r.params, r.seed), r.id, 6 * r.params * r.tokens);
    }
    for (const r of results) {
      note(runKey(r.variant, r.budgetFlops, r.params, r.seed), r.runId, 6 * r.params * r.tokens);
    }
    const adaptive = ctx.spec.adaptive;
    const spent = [...extra.values()].reduce((sum, flops) => sum + flops, 0);
    this.runsLeft = (adaptive?.maxExtraRuns ?? 0) - extra.size;
    this.flopsLeft = (adaptive?.maxExtraFlops ?? Number.POSITIVE_INFINITY) - spent;
  }

  get allowanceLeft(): { runs: number; flops: number } {
    return { runs: this.runsLeft, flops: this.flopsLeft };
  }

  limit(limit: AdaptiveLimit): void {
    this.limits.push(limit);
  }

  /**
   * Add the runs of `size` at `budgetFlops` (one per seed of the spec, or the given seeds). All or
   * nothing: 'refused', with a limit recorded, when a run cannot be trained or the allowance is spent;
   * 'known' when the sweep has every one of them already.
   */
  propose(
    variant: Variant,
    budgetFlops: number,
    size: LadderSize,
    reason: AdaptiveReason,
    seeds: readonly number[] = this.ctx.spec.seeds,
  ): 'added' | 'known' | 'refused' {
    const runs: RunSpec[] = [];
    for (const seed of seeds) {
      const built = buildRun(
        this.ctx,
        variant,
        budgetFlops,
        { ...size, batchSize: this.ctx.spec.batchSize },
        seed,
      );
      if (!built.ok) {
        this.limit({
          rule: reason.rule,
          code: 'untrainable',
          variant: variant.name,
          budgetFlops,
          message: `N = ${size.params} at C = ${budgetFlops.toPrecision(3)}: ${built.reason}`,
        });
        return 'refused';
      }
      const key = runKey(variant.name, budgetFlops, built.run.params, seed);
      if (this.known.has(built.run.id) || this.known.has(key)) continue;
      runs.push(built.run);
    }
    if (runs.length === 0) return 'known';
    const flops = runs.reduce((sum, r) => sum + 6 * r.params * r.tokens, 0);
    if (runs.length > this.runsLeft) {
      this.limit({
        rule: reason.rule,
        code: 'max-extra-runs',
        variant: variant.name,
        budgetFlops,
        message: `adding N = ${size.params} at C = ${budgetFlops.toPrecision(3)} would pass adaptive.maxExtraRuns (${this.ctx.spec.adaptive?.maxExtraRuns ?? 0})`,
      });
      return 'refused';
    }
    if (flops > this.flopsLeft) {
      this.limit({
        rule: reason.rule,
        code: 'max-extra-compute',
        variant: variant.name,
        budgetFlops,
        message: `adding N = ${size.params} at C = ${budgetFlops.toPrecision(3)} would pass adaptive.maxExtraFlops (${this.ctx.spec.adaptive?.maxExtraFlops?.toPrecision(3)})`,
      });
      return 'refused';
    }
    this.runsLeft -= runs.length;
    this.flopsLeft -= flops;
    for (const run of runs) {
      this.known.add(run.id);
      this.known.add(runKey(run.variant, run.budgetFlops, run.params, run.seed));
      this.added.push({ run, reason });
    }
    return 'added';
  }
}
