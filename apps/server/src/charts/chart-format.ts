import type { Interval } from '@isoflop/fit';

/** A fitted figure for a label: "0.523" or "0.523 [0.48, 0.56]" with its interval; "–" when undefined. */
export function figure(value: number | null | undefined, interval?: Interval, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const text = value.toPrecision(digits);
  if (!interval || !interval.every((bound) => Number.isFinite(bound))) return text;
  return `${text} [${interval[0].toPrecision(2)}, ${interval[1].toPrecision(2)}]`;
}

/** Whether a stored number is usable (JSON turns NaN into null). */
export function finite(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
