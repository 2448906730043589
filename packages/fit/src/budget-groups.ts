/** Rows sharing one compute budget. */
export interface BudgetGroup {
  /** The group's budget: the declared budget, or the geometric mean of its members' C. */
  budget: number;
  /** Indices of the member rows. */
  members: number[];
}

/**
 * Groups rows into IsoFLOP budgets. Rows that declare a budget are grouped by it exactly; the others by
 * C, starting a new group whenever C exceeds the group's smallest C by more than `relativeTolerance`
 * (CSVs carry rounded C, and achieved compute differs from the target after rounding steps).
 */
export function groupBudgets(
  rows: readonly { c: number; budget?: number | undefined }[],
  relativeTolerance: number,
): BudgetGroup[] {
  const declared = new Map<number, number[]>();
  const undeclared: number[] = [];
  rows.forEach((row, i) => {
    if (row.budget === undefined) undeclared.push(i);
    else declared.set(row.budget, [...(declared.get(row.budget) ?? []), i]);
  });
  const groups: BudgetGroup[] = [...declared].map(([budget, members]) => ({ budget, members }));
  undeclared.sort((p, q) => rows[p]!.c - rows[q]!.c);
  let current: number[] = [];
  const close = () => {
    if (current.length === 0) return;
    const compute = current.map((i) => rows[i]!.c);
    const logMean = compute.reduce((total, c) => total + Math.log(c), 0) / compute.length;
    // Identical C values stay exact (exp∘log would move 1e17 by an ulp).
    const budget = compute.every((c) => c === compute[0]) ? compute[0]! : Math.exp(logMean);
    groups.push({ budget, members: current });
    current = [];
  };
  for (const i of undeclared) {
    const first = current[0];
    if (first !== undefined && rows[i]!.c > rows[first]!.c * (1 + relativeTolerance)) close();
    current.push(i);
  }
  close();
  return groups.sort((p, q) => p.budget - q.budget);
}
