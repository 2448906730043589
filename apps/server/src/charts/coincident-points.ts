/**
 * Run points that would be drawn on the same spot of a chart, drawn once. A 10,000-run sweep repeats
 * each (family, budget, size) over seeds: on a 300-pixel panel most of its points land within a pixel of
 * another of the same colour, and each costs the page as much as a visible one (its row sent, parsed,
 * encoded, bounded and painted). Points merge only within half a pixel of the plot, on the same panel,
 * colour and shape, so the chart looks the same; the merged point keeps every run it stands for.
 */

/** One axis of a panel as the points are placed on it. */
export interface PlotAxis<Row> {
  value: (row: Row) => number;
  scale: 'linear' | 'log';
  /** The axis's length in pixels (the spec's width or height). */
  pixels: number;
  /**
   * The scale's domain where the chart fixes it. Without it, the extent of the rows that share the
   * domain: no wider than the scale's own (which also holds the chart's other layers and is rounded
   * outwards), so a cell is at most half of a drawn pixel.
   */
  domain?: readonly [number, number];
}

export interface CoincidenceRule<Row> {
  x: PlotAxis<Row>;
  y: PlotAxis<Row>;
  /** Rows of different groups never merge: their panel, colour or shape differ. */
  group: (row: Row) => string;
  /**
   * Rows that share a scale's domain (a panel with an independent scale); all of them by default. Rows
   * of different domain groups never merge.
   */
  domainGroup?: (row: Row) => string;
  /** Lower first: the member a merged point stands for (drawn, hovered, opened, shown in its tooltip). */
  rank: (row: Row) => number;
}

/** A point to draw: the row it is drawn as, and every row on its spot, that row first. */
export interface MergedPoint<Row> {
  row: Row;
  members: Row[];
}

/** Cells per pixel along each axis: a merge moves no point by more than this share of a pixel. */
const CELLS_PER_PIXEL = 2;

/**
 * The points to draw, in the order of their first row: each row whose spot holds no other row of its
 * group stays alone; rows that share a half-pixel cell become one point. Rows a scale cannot place
 * (non-finite, or not positive on a log axis) stay alone.
 */
export function mergeCoincidentPoints<Row>(
  rows: readonly Row[],
  rule: CoincidenceRule<Row>,
): MergedPoint<Row>[] {
  const placeX = axisPlacer(rows, rule.x, rule.domainGroup);
  const placeY = axisPlacer(rows, rule.y, rule.domainGroup);
  const cells = new Map<string, Row[]>();
  const points: Row[][] = [];
  for (const row of rows) {
    const cx = placeX(row);
    const cy = placeY(row);
    if (cx === undefined || cy === undefined) {
      points.push([row]);
      continue;
    }
    const key = `${rule.domainGroup?.(row) ?? ''}\u0000${rule.group(row)}\u0000${cx}\u0000${cy}`;
    const cell = cells.get(key);
    if (cell) cell.push(row);
    else {
      const members = [row];
      cells.set(key, members);
      points.push(members);
    }
  }
  return points.map((members) => {
    const sorted =
      members.length === 1 ? members : [...members].sort((a, b) => rule.rank(a) - rule.rank(b));
    return { row: sorted[0]!, members: sorted };
  });
}

/** The cell index of a row along one axis, or undefined where the scale cannot place it. */
function axisPlacer<Row>(
  rows: readonly Row[],
  axis: PlotAxis<Row>,
  domainGroup: ((row: Row) => string) | undefined,
): (row: Row) => number | undefined {
  const position = (value: number): number | undefined => {
    if (!Number.isFinite(value)) return undefined;
    if (axis.scale === 'linear') return value;
    return value > 0 ? Math.log10(value) : undefined;
  };
  const fixed = axis.domain && extentOf(axis.domain.map(position));
  const extents = new Map<string, [number, number] | undefined>();
  if (!fixed) {
    const byGroup = new Map<string, (number | undefined)[]>();
    for (const row of rows) {
      const key = domainGroup?.(row) ?? '';
      const positions = byGroup.get(key) ?? [];
      positions.push(position(axis.value(row)));
      byGroup.set(key, positions);
    }
    for (const [key, positions] of byGroup) extents.set(key, extentOf(positions));
  }
  return (row) => {
    const at = position(axis.value(row));
    const extent = fixed ?? extents.get(domainGroup?.(row) ?? '');
    if (at === undefined || !extent) return undefined;
    const [low, high] = extent;
    const span = high - low;
    return span > 0 ? Math.floor(((at - low) / span) * axis.pixels * CELLS_PER_PIXEL) : 0;
  };
}

function extentOf(positions: readonly (number | undefined)[]): [number, number] | undefined {
  let low = Infinity;
  let high = -Infinity;
  for (const at of positions) {
    if (at === undefined) continue;
    low = Math.min(low, at);
    high = Math.max(high, at);
  }
  return low <= high ? [low, high] : undefined;
}

/** What a merged run point carries beside its own fields: every run on its spot, best first. */
export type RunsHere = {
  runIds: string[];
  runsHere: number;
};

/** The rows to send for merged run points: the representative's fields, and the runs it stands for. */
export function runPointRows<Row extends { runId: string }>(
  points: readonly MergedPoint<Row>[],
): (Row & RunsHere)[] {
  return points.map(({ row, members }) => ({
    ...row,
    runIds: members.map((member) => member.runId),
    runsHere: members.length,
  }));
}
