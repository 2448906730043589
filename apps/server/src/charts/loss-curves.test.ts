import { parse, View } from 'vega';
import { describe, expect, it } from 'vitest';
import type { CurvePoint } from './chart-data.js';
import { compileToVega } from './compile-vega.js';
import { lossCurvesSpec } from './loss-curves.js';

/** A run's curve point: tokens = 100·step, FLOPs = 6·N·tokens. */
function point(
  runId: string,
  series: CurvePoint['series'],
  step: number,
  loss: number,
): CurvePoint {
  const params = 1e6;
  return {
    runId,
    family: 'arm',
    budgetFlops: 1e15,
    params,
    step,
    tokens: step * 100,
    flops: 6 * params * step * 100,
    loss,
    series,
  };
}

interface Row {
  runId: string;
  series: string;
  x: number;
  loss: number;
  x2?: number;
  loss2?: number;
}

describe('loss curves', () => {
  // Two runs' points interleaved and out of step order, as the store's sample may hand them over.
  const points = [
    point('b', 'train', 3, 3.0),
    point('a', 'train', 2, 4.0),
    point('a', 'val', 2, 4.2),
    point('b', 'train', 1, 5.0),
    point('a', 'train', 1, 5.0),
    point('a', 'val', 4, 3.5),
    point('a', 'train', 4, 3.4),
  ];

  it('links each point of a curve to the next one of the same run and series, and the last to none', () => {
    const spec = lossCurvesSpec(points, 'tokens', { shown: 2, total: 2 }) as unknown as {
      datasets: { curves: Row[] };
    };
    const rows = spec.datasets.curves;
    expect(rows).toHaveLength(points.length);
    const segment = (runId: string, series: string, x: number) =>
      rows.find((row) => row.runId === runId && row.series === series && row.x === x);
    expect(segment('a', 'train', 100)).toMatchObject({ x2: 200, loss2: 4.0 });
    expect(segment('a', 'train', 200)).toMatchObject({ x2: 400, loss2: 3.4 });
    expect(segment('a', 'train', 400)).not.toHaveProperty('x2');
    expect(segment('a', 'val', 200)).toMatchObject({ x2: 400, loss2: 3.5 });
    expect(segment('a', 'val', 400)).not.toHaveProperty('x2');
    expect(segment('b', 'train', 100)).toMatchObject({ x2: 300, loss2: 3.0 });
    expect(segment('b', 'train', 300)).not.toHaveProperty('x2');
  });

  it('draws a segment per linked point and a dot per evaluated point', async () => {
    const spec = lossCurvesSpec(points, 'flops', { shown: 2, total: 2 });
    const view = new View(parse(compileToVega(spec)), { renderer: 'none' });
    try {
      await view.runAsync();
      const items: Record<string, number> = {};
      // Marks of the data (role 'mark'), not the axes' ticks and grid (rules too).
      const visit = (node: { marktype?: string; role?: string; items?: unknown[] }): void => {
        if (node.marktype && node.marktype !== 'group' && node.role === 'mark') {
          items[node.marktype] = (items[node.marktype] ?? 0) + (node.items?.length ?? 0);
        }
        for (const item of node.items ?? []) visit(item as typeof node);
      };
      visit((view.scenegraph() as unknown as { root: never }).root);
      // Training: a (3 points) and b (2), 2 + 1 segments; evaluated: a's 2 points, 1 segment.
      expect(items['rule']).toBe(4);
      expect(items['symbol']).toBe(2);
    } finally {
      view.finalize();
    }
  });
});
