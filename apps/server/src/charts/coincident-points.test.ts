import { scale as vegaScale } from 'vega';
import { describe, expect, it } from 'vitest';
import { mergeCoincidentPoints, runPointRows, type CoincidenceRule } from './coincident-points.js';

interface Point {
  runId: string;
  family: string;
  params: number;
  loss: number;
}

const RULE: CoincidenceRule<Point> = {
  x: { value: (p) => p.params, scale: 'log', pixels: 300 },
  y: { value: (p) => p.loss, scale: 'linear', pixels: 240 },
  group: (p) => p.family,
  rank: (p) => p.loss,
};

const point = (runId: string, params: number, loss: number, family = 'arm'): Point => ({
  runId,
  family,
  params,
  loss,
});

/** Two corners that fix the extent: 1e6..1e8 over 300 px, loss 3..4 over 240 px. */
const FRAME = [point('low', 1e6, 3), point('high', 1e8, 4)];

describe('mergeCoincidentPoints', () => {
  it('draws seeds on the same spot once, as the lowest loss, keeping every run', () => {
    const seeds = [
      point('s1', 1e7, 3.5002),
      point('s0', 1e7, 3.5),
      point('s2', 1e7 * 1.0001, 3.5001),
    ];
    const merged = mergeCoincidentPoints([...FRAME, ...seeds], RULE);
    expect(merged).toHaveLength(3);
    const spot = merged.find((p) => p.members.length > 1)!;
    expect(spot.row.runId).toBe('s0');
    expect(spot.members.map((p) => p.runId)).toEqual(['s0', 's2', 's1']);
  });

  it('keeps points a pixel apart, and points of another colour on the same spot', () => {
    // One pixel of loss is 1/240; of log10 N, 2/300.
    const apart = [point('a', 1e7, 3.5), point('b', 1e7, 3.5 + 1 / 240)];
    const beside = [
      point('c', 1e7, 3.5 + 2 / 240),
      point('d', 1e7 * 10 ** (1.2 / 150), 3.5 + 2 / 240),
    ];
    const other = [point('e', 1e7, 3.5, 'mdm')];
    const merged = mergeCoincidentPoints([...FRAME, ...apart, ...beside, ...other], RULE);
    expect(merged.map((p) => p.members.length)).toEqual(Array(7).fill(1));
  });

  it('places rows on a fixed domain, and each domain group on its own extent', () => {
    const fixed: CoincidenceRule<Point> = {
      ...RULE,
      y: { ...RULE.y, domain: [0, 1000] },
    };
    // On 0..1000 over 240 px, 3.5 and 4 share a cell; on the rows' own 3..4 they are 120 px apart.
    const rows = [...FRAME, point('a', 1e7, 3.5), point('b', 1e7, 4)];
    expect(mergeCoincidentPoints(rows, fixed).some((p) => p.members.length === 2)).toBe(true);
    expect(mergeCoincidentPoints(rows, RULE).every((p) => p.members.length === 1)).toBe(true);
    // MDM's panel spans 30..40: 0.01 apart is a quarter of a pixel there, 2.4 px in ARM's 3..4; and
    // rows of two panels never merge, even where their cells have the same numbers.
    const panels = { ...RULE, group: () => 'one colour', domainGroup: (p: Point) => p.family };
    const wide = [point('m0', 1e6, 30, 'mdm'), point('m1', 1e8, 40, 'mdm')];
    const pairs = [point('a0', 1e7, 3.5), point('a1', 1e7, 3.51)];
    const mdmPair = [point('m2', 1e7, 35, 'mdm'), point('m3', 1e7, 35.01, 'mdm')];
    const merged = mergeCoincidentPoints([...FRAME, ...wide, ...pairs, ...mdmPair], panels);
    expect(merged.filter((p) => p.members.length === 2).map((p) => p.row.runId)).toEqual(['m2']);
  });

  it('leaves alone the rows a scale cannot place', () => {
    const rows = [...FRAME, point('zero', 0, 3.5), point('zero2', 0, 3.5), point('nan', 1e7, NaN)];
    expect(mergeCoincidentPoints(rows, RULE).map((p) => p.members.length)).toEqual([1, 1, 1, 1, 1]);
  });

  it("moves no run by more than half of one of vega's pixels", () => {
    // A sweep's worth of seeds: 3 families, 64 sizes, 12 seeds with noise at several scales.
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const rows: Point[] = [];
    for (const family of ['arm', 'mdm', 'prime'])
      for (let size = 0; size < 64; size++)
        for (let s = 0; s < 12; s++) {
          const params = 1e6 * 1.07 ** size;
          const noise = (random() - 0.5) * [0, 1e-4, 1e-2][s % 3]!;
          rows.push(
            point(`${family}-${size}-${s}`, params, 3 + 1e3 / params ** 0.5 + noise, family),
          );
        }
    const merged = mergeCoincidentPoints(rows, RULE);
    expect(merged.length).toBeLessThan(rows.length / 2);
    expect(merged.reduce((n, p) => n + p.members.length, 0)).toBe(rows.length);
    // vega-lite's scales for these axes: the same extents, rounded outwards (nice), onto the pixels.
    const extent = (values: number[]) => [Math.min(...values), Math.max(...values)];
    const x = vegaScale('log')()
      .domain(extent(rows.map((p) => p.params)))
      .range([0, 300])
      .nice();
    const y = vegaScale('linear')()
      .domain(extent(rows.map((p) => p.loss)))
      .range([240, 0])
      .nice();
    for (const { row, members } of merged) {
      for (const member of members) {
        expect(member.family).toBe(row.family);
        expect(Math.abs(x(member.params) - x(row.params))).toBeLessThanOrEqual(0.5);
        expect(Math.abs(y(member.loss) - y(row.loss))).toBeLessThanOrEqual(0.5);
      }
    }
  });

  it('sends each merged point with its runs, best first', () => {
    const rows = runPointRows(
      mergeCoincidentPoints([...FRAME, point('b', 1e7, 3.6), point('a', 1e7, 3.6)], RULE),
    );
    expect(rows.map((row) => [row.runId, row.runIds, row.runsHere])).toEqual([
      ['low', ['low'], 1],
      ['high', ['high'], 1],
      ['b', ['b', 'a'], 2],
    ]);
  });
});
