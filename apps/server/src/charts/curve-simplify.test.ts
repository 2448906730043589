import { scale as vegaScale } from 'vega';
import { describe, expect, it } from 'vitest';
import { CURVE_TOLERANCE_PX, simplifyOnFrame, type LogLogFrame } from './curve-simplify.js';

interface Point {
  x: number;
  y: number;
}

const FRAME: LogLogFrame = { x: [1e8, 1e12], y: [2, 12], width: 300, height: 220 };
const at = (p: Point) => p;

/** Distance from a point to the segment a–b, all in pixels. */
function toSegment(p: Point, a: Point, b: Point): number {
  const [dx, dy] = [b.x - a.x, b.y - a.y];
  const t =
    dx === 0 && dy === 0
      ? 0
      : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

describe('simplifyOnFrame', () => {
  it('draws a power law, a straight line on log–log axes, from its two ends', () => {
    const curve = Array.from({ length: 100 }, (_, i) => ({
      x: 1e9 * 1.05 ** i,
      y: 3 * (1.05 ** i) ** -0.2,
    }));
    expect(simplifyOnFrame(curve, at, FRAME)).toEqual([curve[0], curve[99]]);
  });

  it("moves no dropped point more than half of one of vega's pixels from the line, and keeps spikes", () => {
    let seed = 11;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let trial = 0; trial < 20; trial++) {
      const noise = [0, 0.002, 0.02, 0.2][trial % 4]!;
      const curve = Array.from({ length: 200 }, (_, i) => {
        const x = 1e8 * 10 ** ((4 * (i + 1)) / 200);
        return { x, y: 2.5 + 8 * Math.exp(-i / 30) + noise * (random() - 0.5) };
      });
      curve[120] = { x: curve[120]!.x, y: curve[120]!.y * 1.5 }; // a loss spike
      const kept = simplifyOnFrame(curve, at, FRAME);
      expect(kept[0]).toBe(curve[0]);
      expect(kept.at(-1)).toBe(curve.at(-1));
      expect(kept).toContain(curve[120]);
      if (noise === 0) expect(kept.length).toBeLessThan(40);
      // vega-lite's own scales for the panel: the frame's domains rounded outwards, onto its pixels.
      const x = vegaScale('log')()
        .domain([...FRAME.x])
        .range([0, FRAME.width])
        .nice();
      const y = vegaScale('log')()
        .domain([...FRAME.y])
        .range([FRAME.height, 0]);
      const pixel = (p: Point) => ({ x: x(p.x) as number, y: y(p.y) as number });
      let segment = 0;
      for (const point of curve) {
        while (kept[segment + 1] && kept[segment + 1]!.x < point.x) segment++;
        const [a, b] = [kept[segment]!, kept[segment + 1] ?? kept[segment]!];
        expect(toSegment(pixel(point), pixel(a), pixel(b))).toBeLessThanOrEqual(CURVE_TOLERANCE_PX);
      }
    }
  });

  it('keeps curves of one or two points as they are', () => {
    const two = [
      { x: 1e9, y: 3 },
      { x: 1e10, y: 2.9 },
    ];
    expect(simplifyOnFrame(two, at, FRAME)).toEqual(two);
    expect(simplifyOnFrame(two.slice(0, 1), at, FRAME)).toEqual(two.slice(0, 1));
  });
});
