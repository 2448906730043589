import { describe, expect, it } from 'vitest';
import { selectCurveRuns, type CurveCandidate } from './curve-runs.js';

function grid(families: string[], budgets: number[], sizes: number): CurveCandidate[] {
  const runs: CurveCandidate[] = [];
  for (const family of families)
    for (const budgetFlops of budgets)
      for (let s = 0; s < sizes; s++) {
        runs.push({
          id: `${family}-${budgetFlops}-${s}`,
          family,
          budgetFlops,
          params: 1e6 * 2 ** s,
          state: 'done',
        });
      }
  return runs;
}

describe('selectCurveRuns', () => {
  it('keeps every run of a sweep that fits', () => {
    const runs = grid(['arm'], [1e15], 5);
    expect(selectCurveRuns(runs, 10)).toEqual(runs.map((run) => run.id));
  });

  it('takes running runs first, then spreads the rest over groups and sizes', () => {
    const runs = grid(['arm', 'mdm'], [1e15, 1e16, 1e17], 64);
    runs[100]!.state = 'running';
    const chosen = selectCurveRuns(runs, 25);
    expect(chosen).toHaveLength(25);
    expect(chosen[0]).toBe(runs[100]!.id);
    expect(new Set(chosen).size).toBe(25);
    const perGroup = new Map<string, number[]>();
    for (const id of chosen.slice(1)) {
      const run = runs.find((r) => r.id === id)!;
      const key = `${run.family}|${run.budgetFlops}`;
      perGroup.set(key, [...(perGroup.get(key) ?? []), run.params]);
    }
    expect(perGroup.size).toBe(6);
    for (const sizes of perGroup.values()) {
      expect(sizes.length).toBe(4);
      // Spread over the group's sizes: the smallest and the middle of the range are both covered.
      expect(Math.min(...sizes)).toBe(1e6);
      expect(Math.max(...sizes)).toBeGreaterThan(1e6 * 2 ** 40);
    }
  });
});
