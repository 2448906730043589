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
