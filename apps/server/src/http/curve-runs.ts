/** What the choice of curves needs to know about a run. */
export interface CurveCandidate {
  id: string;
  family: string;
  budgetFlops: number;
  params: number;
  state: string;
}

/** Van der Corput base 2: 0, 1/2, 1/4, 3/4, ... Any prefix is spread evenly over [0, 1). */
function vanDerCorput(index: number): number {
  let value = 0;
  let weight = 0.5;
  for (let n = index; n > 0; n >>= 1, weight /= 2) if (n & 1) value += weight;
  return value;
}

/** Positions 0..count-1 in an order whose every prefix spreads evenly over the range. */
function spreadOrder(count: number): number[] {
  const order: number[] = [];
  const seen = new Set<number>();
  for (let t = 0; order.length < count; t++) {
    const position = Math.floor(vanDerCorput(t) * count);
    if (!seen.has(position)) {
      seen.add(position);
      order.push(position);
    }
  }
  return order;
}

/**
 * The runs whose curves a sweep-wide loss chart draws, at most `max`: every run when they fit; otherwise
 * the running ones first (they are what a live chart is watched for), then the others taken in turn from
 * each (family, budget) group, spread evenly over each group's sizes, so every group keeps its shape.
 */
export function selectCurveRuns(runs: readonly CurveCandidate[], max: number): string[] {
  if (runs.length <= max) return runs.map((run) => run.id);
  const chosen = runs
    .filter((run) => run.state === 'running')
    .slice(0, max)
    .map((run) => run.id);
  const taken = new Set(chosen);
  const groups = new Map<string, CurveCandidate[]>();
  for (const run of runs) {
    if (taken.has(run.id)) continue;
    const key = `${run.family}|${run.budgetFlops}`;
    const group = groups.get(key) ?? [];
    group.push(run);
    groups.set(key, group);
  }
  const queues = [...groups.values()].map((group) => {
    const bySize = [...group].sort((a, b) => a.params - b.params || a.id.localeCompare(b.id));
    return spreadOrder(bySize.length).map((position) => bySize[position]!.id);
  });
  for (let round = 0; chosen.length < max; round++) {
    let added = false;
    for (const queue of queues) {
      const id = queue[round];
      if (id === undefined || chosen.length >= max) continue;
      chosen.push(id);
      added = true;
    }
    if (!added) break;
  }
  return chosen;
}
