import type { Mark, Spec } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { CHART_CONFIG } from './chart-style.js';
import { compileToVega } from './compile-vega.js';

/** Every mark of a vega spec, groups' marks included, by name. */
function marksOf(node: Spec | Mark): Map<string, Mark> {
  const found = new Map<string, Mark>();
  for (const mark of 'marks' in node ? (node.marks ?? []) : []) {
    if (mark.name) found.set(mark.name, mark);
    for (const [name, inner] of marksOf(mark)) found.set(name, inner);
  }
  return found;
}

function withoutMarks(mark: Mark): Record<string, unknown> {
  return Object.fromEntries(Object.entries(mark).filter(([key]) => key !== 'marks'));
}

/** Points with tooltips in one layer, a line without in another, faceted: as the charts are built. */
const SPEC: TopLevelSpec = {
  data: { values: [{ family: 'arm', n: 1e6, loss: 3.2, runId: 'r1' }] },
  facet: { column: { field: 'family' } },
  spec: {
    layer: [
      {
        mark: 'point',
        encoding: {
          x: { field: 'n', type: 'quantitative' },
          y: { field: 'loss', type: 'quantitative' },
          tooltip: [{ field: 'runId' }, { field: 'loss', format: '.4f' }],
        },
      },
      {
        mark: 'line',
        encoding: {
          x: { field: 'n', type: 'quantitative' },
          y: { field: 'loss', type: 'quantitative' },
        },
      },
    ],
  },
  config: CHART_CONFIG,
};

describe('compileToVega', () => {
  it("moves each mark's tooltip from its update set to its hover set, and leaves the rest as compiled", () => {
    const before = marksOf(compile(SPEC).spec);
    const after = marksOf(compileToVega(SPEC));
    expect([...after.keys()]).toEqual([...before.keys()]);
    let moved = 0;
    for (const [name, mark] of after) {
      const original = before.get(name)!;
      expect(mark.encode?.update ?? {}).not.toHaveProperty('tooltip');
      const tooltip = original.encode?.update?.tooltip;
      if (tooltip) {
        moved += 1;
        expect(mark.encode?.hover?.tooltip).toEqual(tooltip);
        expect(mark.encode?.update).toEqual(
          Object.fromEntries(
            Object.entries(original.encode!.update!).filter(([key]) => key !== 'tooltip'),
          ),
        );
      } else {
        // A group's own marks are compared on their own.
        expect(withoutMarks(mark)).toEqual(withoutMarks(original));
      }
    }
    expect(moved).toBe(1);
  });

  it("builds no per-item ARIA description for the marks under the charts' config", () => {
    for (const mark of marksOf(compileToVega(SPEC)).values()) {
      expect(mark.encode?.update ?? {}).not.toHaveProperty('description');
    }
  });
});
