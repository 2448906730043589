import { describe, expect, it } from 'vitest';
import { groupBudgets } from './budget-groups.js';

describe('groupBudgets', () => {
  it('groups rounded C values within the tolerance and keeps distinct budgets apart', () => {
    const rows = [{ c: 1.0e18 }, { c: 3.01e18 }, { c: 1.02e18 }, { c: 2.97e18 }, { c: 0.99e18 }];
    const groups = groupBudgets(rows, 0.05);
    expect(groups.map((g) => g.members.sort())).toEqual([
      [0, 2, 4],
      [1, 3],
    ]);
    expect(groups[0]!.budget).toBeCloseTo(Math.cbrt(1.0e18 * 1.02e18 * 0.99e18), -10);
  });

  it('groups by declared budget exactly, whatever the achieved C', () => {
    const rows = [
      { c: 1.1e18, budget: 1e18 },
      { c: 0.93e18, budget: 1e18 },
      { c: 1.05e18, budget: 1.06e18 },
    ];
    const groups = groupBudgets(rows, 0.5);
    expect(groups).toEqual([
      { budget: 1e18, members: [0, 1] },
      { budget: 1.06e18, members: [2] },
    ]);
  });
});
