import { GraphError } from '../errors.js';

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** numpy broadcasting of two static shapes. */
export function broadcastShapes(
  a: readonly number[],
  b: readonly number[],
  what: string,
): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new GraphError(
        'SHAPE_MISMATCH',
        `${what}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast`,
      );
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

export function normalizeAxis(axis: number, rank: number, what: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw new GraphError(
      'INVALID_ARGUMENT',
      `${what}: axis ${axis} is out of range for rank ${rank}`,
    );
  }
  return a;
}

export function normalizeAxes(axes: readonly number[], rank: number, what: string): number[] {
  const out = axes.map((a) => normalizeAxis(a, rank, what)).sort((x, y) => x - y);
  for (let i = 1; i < out.length; i++) {
    if (out[i] === out[i - 1]) {
      throw new GraphError('INVALID_ARGUMENT', `${what}: axis ${out[i]} is repeated`);
    }
  }
  return out;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function product(shape: readonly number[]): number {
  return shape.reduce((x, y) => x * y, 1);
}

/** `shape` with every axis of `axes` kept as 1 (a reduction's keepdims shape). */
export function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

export function checkShape(shape: readonly number[], what: string): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new GraphError(
      'INVALID_ARGUMENT',
      `${what}: expected positive integer dims, got ${JSON.stringify(shape)}`,
    );
  }
}

/** The static shape `to` names for `from`'s elements, its one -1 inferred. */
export function resolveReshape(from: readonly number[], to: readonly number[]): number[] {
  const total = product(from);
  const unknown = to.filter((d) => d === -1).length;
  if (unknown > 1 || to.some((d) => !Number.isInteger(d) || (d <= 0 && d !== -1))) {
    throw new GraphError(
      'INVALID_ARGUMENT',
      `reshape: shape ${formatShape(to)} must be positive dims with at most one -1`,
    );
  }
  const known = to.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const resolved = to.map((d) => (d === -1 ? total / known : d));
  if (product(resolved) !== total || resolved.some((d) => !Number.isInteger(d))) {
    throw new GraphError(
      'SHAPE_MISMATCH',
      `reshape: cannot reshape ${formatShape(from)} to ${formatShape(to)}`,
    );
  }
  return resolved;
}
