import { contextOf } from '../internal/sweep-context.js';
import { planSweep } from '../plan-sweep.js';
import type { RunSpec } from '../run-spec.js';
import type { SweepSpec } from '../sweep-spec.js';
import type { AdaptiveStep, AdaptiveStepInput } from './adaptive-types.js';
import { bracketRule } from './bracket-rule.js';
import { observedGroups } from './observed-groups.js';
import { narrowRule } from './narrow-rule.js';
import { overlapRule } from './overlap-rule.js';
import { Proposer } from './proposer.js';

/**
 * The pure decision step: given the spec, every run planned so far and the finished results, the runs
 * to add next, each with its reason, and the limits that stopped a rule. Same inputs, same output;
 * added runs are built like planned ones, so their ids are stable and a restart never duplicates them.
 *
 * Pending runs (planned, no result yet) hold back judgement: a (variant, budget) with any pending run is
 * not judged by the bracket rule, and the overlap and narrow rules wait until no run is pending and every
 * budget is bracketed (or limited), because they read fits the pending runs would change. So the step
 * can be called after every landed result: it adds nothing until a group is complete.
 * Without an `adaptive` block the step adds nothing.
 */
/**
 * The spec's own plan, by spec object: the coordinator calls the step after every result with the same
 * spec, and planning a large sweep costs more than the step itself.
 */
const basePlans = new WeakMap<SweepSpec, RunSpec[]>();

function basePlan(spec: SweepSpec): RunSpec[] {
  let runs = basePlans.get(spec);
  if (runs === undefined) {
    runs = planSweep(spec).runs;
    basePlans.set(spec, runs);
  }
  return runs;
}

export function decideAdaptiveStep(input: AdaptiveStepInput): AdaptiveStep {
  const { spec, planned, results } = input;
  const groups = [...observedGroups(planned, results).values()];
  const pending = groups.some((g) => g.pending > 0);
  if (spec.adaptive === undefined) return { add: [], limits: [], settled: !pending };
  const ctx = contextOf(spec);
  const proposer = new Proposer(ctx, basePlan(spec), planned, results);
  // Plan order: variants as the plan lists them, budgets ascending.
  const order = new Map(ctx.variants.map((v, i) => [v.name, i]));
  groups.sort(
    (p, q) =>
      (order.get(p.variant) ?? 0) - (order.get(q.variant) ?? 0) || p.budgetFlops - q.budgetFlops,
  );
  if (spec.adaptive.bracket) bracketRule(ctx, groups, proposer);
  // Overlap and narrowing read the minima: they wait until every budget is finished and bracketed (or
  // stopped by a limit), so they never act on a minimum the next bracket run would move.
  if (proposer.added.length === 0 && !pending) overlapRule(ctx, groups, proposer);
  if (proposer.added.length === 0 && !pending) narrowRule(ctx, results, proposer);
  return {
    add: proposer.added,
    limits: proposer.limits,
    settled: proposer.added.length === 0 && !pending,
  };
}
