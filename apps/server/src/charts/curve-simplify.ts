import simplify from 'simplify-js';

/**
 * A curve drawn on a log–log panel keeps only the points that shape it at the panel's size: a point
 * that lies within half a pixel of the line through its kept neighbours draws nothing of its own, yet
 * costs the page a row sent and parsed and a segment encoded, bounded and painted. A 10,000-run sweep's
 * loss charts overlay 240 curves of dozens of points each on 300-pixel panels.
 */

/** How far, in pixels, a dropped point may lie from the polyline drawn without it. */
export const CURVE_TOLERANCE_PX = 0.5;

/** A log–log panel: the scales' domains (at most as wide as the drawn ones) over its pixels. */
export interface LogLogFrame {
  x: readonly [number, number];
  y: readonly [number, number];
  width: number;
  height: number;
}

/**
 * The points of one curve (in x order) to draw on the frame: its first and last, and every point that
 * moves the line by more than the tolerance (Douglas–Peucker in pixel space, simplify-js), so spikes
 * stay. The frame's domains should be no wider than the scales' own: a narrower domain makes a pixel
 * smaller, and so only keeps more.
 */
export function simplifyOnFrame<P>(
  curve: readonly P[],
  at: (point: P) => { x: number; y: number },
  frame: LogLogFrame,
): P[] {
  if (curve.length <= 2) return [...curve];
  const toPixels = (domain: readonly [number, number], pixels: number) => {
    const low = Math.log10(domain[0]);
    const span = Math.log10(domain[1]) - low;
    return (value: number) => (span > 0 ? ((Math.log10(value) - low) / span) * pixels : 0);
  };
  const px = toPixels(frame.x, frame.width);
  const py = toPixels(frame.y, frame.height);
  const placed = curve.map((point, index) => {
    const { x, y } = at(point);
    return { x: px(x), y: py(y), index };
  });
  // highQuality: Douglas–Peucker alone, without the radial pass that drops near neighbours first.
  const kept = simplify(placed, CURVE_TOLERANCE_PX, true) as typeof placed;
  return kept.map((point) => curve[point.index]!);
}
