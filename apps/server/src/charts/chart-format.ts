import type { Interval } from '@isoflop/fit';

/**
 * A fitted figure for a label: "0.523" or, with its interval, "0.523 [0.481, 0.562]": the bounds to the
 * value's decimal places, so a reader compares like with like and a value outside its (percentile
 * bootstrap) interval shows as such rather than rounding into it. "–" when undefined.
 */
export function figure(value: number | null | undefined, interval?: Interval, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const text = value.toPrecision(digits);
  if (!interval || !interval.every((bound) => Number.isFinite(bound))) return text;
  const decimals = decimalsOf(text);
  const bound =
    decimals === undefined
      ? (x: number) => x.toPrecision(digits)
      : (x: number) => x.toFixed(decimals);
  return `${text} [${bound(interval[0])}, ${bound(interval[1])}]`;
}

/** The decimal places a printed number shows; undefined where it is in exponent form. */
function decimalsOf(text: string): number | undefined {
  if (/e/i.test(text)) return undefined;
  const point = text.indexOf('.');
  return point < 0 ? 0 : text.length - point - 1;
}

/** Whether a stored number is usable (JSON turns NaN into null). */
export function finite(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
