import type { TopLevelSpec } from 'vega-lite';
import { LOSS_TITLE, type familyColor } from './chart-style.js';

/**
 * Spec pieces that several charts share, so the compute axis, the loss axis and the frontier layers read
 * the same in every chart that shows them.
 */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/**
 * A log axis of FLOPs: orders of magnitude ("1e+13"), whatever the range (vega's default switches
 * between written-out numbers and exponents along one axis), and labels that would touch dropped.
 */
export const FLOPS_AXIS = { format: '.0e', labelOverlap: 'greedy', labelSeparation: 6 } as const;

/**
 * A log axis of counts (parameters, tokens) in SI units ("700k", "20M"), the end labels kept inside the
 * panel: written out, eight-digit labels crowded the axis and a panel's last ran into its neighbour's first.
 */
export const COUNT_AXIS = {
  format: '~s',
  labelOverlap: 'greedy',
  labelSeparation: 6,
  labelFlush: true,
} as const;

/** Compute C on a log x axis; `domain` pins the range (nice off, so the pin holds). */
export function computeX(domain?: number[]) {
  return {
    field: 'c',
    type: 'quantitative',
    scale: { type: 'log', ...(domain ? { domain, nice: false } : {}) },
    title: 'compute C (FLOPs)',
    axis: FLOPS_AXIS,
  } as const;
}

export const LOSS_Y = {
  field: 'loss',
  type: 'quantitative',
  scale: { zero: false },
  title: LOSS_TITLE,
} as const;

type Layer = Extract<TopLevelSpec, { layer: unknown }>['layer'][number];
type Encoding = Record<string, unknown>;

/**
 * A frontier against C per family: Approach 2's power law (solid), Approach 3 (dashed), and the Approach-2
 * points of kind `pointKind` with their lo–hi interval as a rule.
 */
export function frontierLayers(options: {
  x: ReturnType<typeof computeX>;
  y: {
    readonly field: string;
    readonly type: 'quantitative';
    readonly title: string | null;
  } & Encoding;
  pointKind: string;
  tooltip: Encoding[];
  color: ReturnType<typeof familyColor>;
  lineOpacity?: number;
}): Layer[] {
  const { x, y, pointKind, tooltip, color, lineOpacity } = options;
  const opacity = lineOpacity === undefined ? {} : { opacity: lineOpacity };
  const points = `datum.kind === '${pointKind}'`;
  return [
    {
      transform: [{ filter: "datum.kind === 'a2-law'" }],
      mark: { type: 'line', strokeWidth: 2, ...opacity, clip: true },
      encoding: { x, y, color, order: { field: 'c' } },
    },
    {
      transform: [{ filter: "datum.kind === 'a3'" }],
      mark: { type: 'line', strokeWidth: 1.5, strokeDash: [6, 4], ...opacity, clip: true },
      encoding: { x, y, color, order: { field: 'c' } },
    },
    {
      transform: [{ filter: points }],
      mark: { type: 'rule', strokeWidth: 1.5 },
      encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color },
    },
    {
      transform: [{ filter: points }],
      mark: { type: 'point', filled: true, size: 55, stroke: '#ffffff', strokeWidth: 0.8 },
      encoding: { x, y, color, tooltip },
    },
  ];
}
