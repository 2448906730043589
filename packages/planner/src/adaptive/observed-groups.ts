import type { RunSpec } from '../run-spec.js';
import type { ObservedRun } from './adaptive-types.js';

/** One size of one (variant, budget): the mean loss over its finished seeds. */
export interface ObservedSize {
  params: number;
  tokens: number;
  loss: number;
  /** Standard error of that mean, when every run reported one. */
  lossStdErr?: number;
  seeds: number;
}

/** The runs of one variant at one budget, as the rules judge them. */
export interface ObservedGroup {
  variant: string;
  budgetFlops: number;
  /** Sizes with at least one result, smallest first. */
  sizes: ObservedSize[];
  /** Planned runs of this group that have no result yet: a group with any is not judged. */
  pending: number;
}

export function runKey(variant: string, budgetFlops: number, params: number, seed: number): string {
  return `${variant}|${budgetFlops}|${params}|${seed}`;
}

export function groupKey(variant: string, budgetFlops: number): string {
  return `${variant}|${budgetFlops}`;
}

/**
 * Results and pending runs by (variant, budget). A planned run is finished when a result carries its id,
 * or (for results trained elsewhere, which carry no planned id) its variant, budget, N and seed.
 */
export function observedGroups(
  planned: readonly RunSpec[],
  results: readonly ObservedRun[],
): Map<string, ObservedGroup> {
  const groups = new Map<string, ObservedGroup>();
  const groupOf = (variant: string, budgetFlops: number) => {
    const key = groupKey(variant, budgetFlops);
    let group = groups.get(key);
    if (group === undefined) {
      group = { variant, budgetFlops, sizes: [], pending: 0 };
      groups.set(key, group);
    }
    return group;
  };
  const finishedIds = new Set<string>();
  const finishedKeys = new Set<string>();
  const bySize = new Map<
    string,
    {
      group: ObservedGroup;
      params: number;
      tokens: number;
      sum: number;
      count: number;
      /** Sum of the runs' squared standard errors; NaN once a run reported none. */
      variance: number;
    }
  >();
  for (const result of results) {
    finishedIds.add(result.runId);
    finishedKeys.add(runKey(result.variant, result.budgetFlops, result.params, result.seed));
    if (!Number.isFinite(result.loss)) continue;
    const key = `${groupKey(result.variant, result.budgetFlops)}|${result.params}`;
    let entry = bySize.get(key);
    if (entry === undefined) {
      entry = {
        group: groupOf(result.variant, result.budgetFlops),
        params: result.params,
        tokens: result.tokens,
        sum: 0,
        count: 0,
        variance: 0,
      };
      bySize.set(key, entry);
    }
    entry.sum += result.loss;
    entry.count += 1;
    entry.variance += result.lossStdErr === undefined ? NaN : result.lossStdErr ** 2;
  }
  for (const entry of bySize.values()) {
    entry.group.sizes.push({
      params: entry.params,
      tokens: entry.tokens,
      loss: entry.sum / entry.count,
      ...(Number.isNaN(entry.variance)
        ? {}
        : { lossStdErr: Math.sqrt(entry.variance) / entry.count }),
      seeds: entry.count,
    });
  }
  for (const run of planned) {
    const finished =
      finishedIds.has(run.id) ||
      finishedKeys.has(runKey(run.variant, run.budgetFlops, run.params, run.seed));
    if (!finished) groupOf(run.variant, run.budgetFlops).pending += 1;
  }
  for (const group of groups.values()) group.sizes.sort((p, q) => p.params - q.params);
  return groups;
}
