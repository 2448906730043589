import {
  variantSizes,
  widthMultiple,
  type SweepContext,
  type Variant,
} from '../internal/sweep-context.js';
import { backbone, type BackboneShape } from '../shape-rule.js';

/** A legal shape and its N under the sweep's convention. */
export interface LadderSize {
  shape: BackboneShape;
  params: number;
}

export type LadderStep =
  | { ok: true; size: LadderSize }
  | {
      ok: false;
      code: 'smallest-legal-shape' | 'largest-legal-shape' | 'size-bound';
      message: string;
    };

/** Shapes whose N is within this of the best match compete on aspect ratio. */
const CLOSE_RATIO = 1.1;

interface LadderRule {
  headDim: number;
  multiple: number;
  aspectRatio: number;
  minLayers: number;
  maxLayers: number;
  ffnMultiplier: number;
}

/**
 * The shape rules a size added to `variant` must obey. Explicit `shapes` (the variant's own, else the
 * sweep's) carry their own head width and aspect ratio (the quickstart's heads are 6 wide, not the rule's
 * default 64): the ladder keeps them.
 */
export function ladderRule(ctx: SweepContext, variant: Variant): LadderRule {
  const { spec } = ctx;
  const shapes = variantSizes(spec, variant).shapes;
  let headDim = spec.shapeRule.headDim;
  let aspectRatio = spec.shapeRule.aspectRatio;
  if (shapes !== undefined) {
    const widths = new Set(shapes.map((s) => s.dModel / s.nHeads));
    if (widths.size === 1) headDim = [...widths][0] ?? headDim;
    const logAspect = shapes.reduce((sum, s) => sum + Math.log(s.dModel / s.nLayers), 0);
    aspectRatio = Math.exp(logAspect / shapes.length);
  }
  // Only this variant's own cat-share length binds: an added size is trained by this variant alone.
  const multiple = widthMultiple(headDim, variant.options, ctx.vocabSize);
  return {
    headDim,
    multiple,
    aspectRatio,
    minLayers: spec.shapeRule.minLayers,
    maxLayers: spec.shapeRule.maxLayers,
    ffnMultiplier: spec.shapeRule.ffnMultiplier,
  };
}

/**
 * The legal shape nearest (in log N) to `target` that lies strictly beyond `edge` in `direction`, and
 * within the spec's adaptive size bounds; among shapes within 10% of the nearest, the one closest to the
 * aspect ratio, then fewer layers. Legal: dModel a multiple of the head width (even, for RoPE) and of
 * every cat-share Prime length, whole heads, layers within the shape rule, N by the sweep's convention.
 */
export function nextSize(
  ctx: SweepContext,
  rule: LadderRule,
  edge: number,
  target: number,
  direction: 'down' | 'up',
): LadderStep {
  const bounds = ctx.spec.adaptive?.sizes;
  const beyond = (params: number) => (direction === 'down' ? params < edge : params > edge);
  const inBounds = (params: number) =>
    (bounds?.min === undefined || params >= bounds.min) &&
    (bounds?.max === undefined || params <= bounds.max);
  const candidates: { size: LadderSize; error: number; aspectError: number }[] = [];
  let beyondAny = false;
  for (let nLayers = rule.minLayers; nLayers <= rule.maxLayers; nLayers += 1) {
    const unitsFor = (n: number) => Math.sqrt(n / (12 * nLayers)) / rule.multiple;
    const ideal = unitsFor(target);
    // The widths around the target, and the first width beyond the edge (the target may not be legal).
    const edgeUnits = unitsFor(edge);
    const units = new Set(
      [
        Math.floor(ideal),
        Math.ceil(ideal),
        direction === 'down' ? Math.ceil(edgeUnits) - 1 : Math.floor(edgeUnits) + 1,
      ].filter((u) => u >= 1),
    );
    for (const unit of units) {
      const shape = backbone(unit * rule.multiple, nLayers, rule);
      const params = ctx.paramsOf(shape);
      if (!beyond(params)) continue;
      beyondAny = true;
      if (!inBounds(params)) continue;
      candidates.push({
        size: { shape, params },
        error: Math.abs(Math.log(params / target)),
        aspectError: Math.abs(Math.log(shape.dModel / nLayers / rule.aspectRatio)),
      });
    }
  }
  if (candidates.length === 0) {
    if (beyondAny) {
      return {
        ok: false,
        code: 'size-bound',
        message: `the next size ${direction === 'down' ? 'below' : 'above'} N = ${edge} lies outside adaptive.sizes [${bounds?.min ?? 0}, ${bounds?.max ?? 'inf'}]`,
      };
    }
    return {
      ok: false,
      code: direction === 'down' ? 'smallest-legal-shape' : 'largest-legal-shape',
      message:
        direction === 'down'
          ? `N = ${edge} is the smallest legal shape (dModel a multiple of ${rule.multiple}, at least ${rule.minLayers} layer(s))`
          : `N = ${edge} is the largest legal shape (at most ${rule.maxLayers} layers)`,
    };
  }
  const best = Math.min(...candidates.map((c) => c.error));
  const close = candidates.filter((c) => c.error <= best + Math.log(CLOSE_RATIO));
  close.sort(
    (p, q) =>
      p.aspectError - q.aspectError ||
      p.size.shape.nLayers - q.size.shape.nLayers ||
      p.size.shape.dModel - q.size.shape.dModel,
  );
  const chosen = close[0]!;
  return { ok: true, size: chosen.size };
}
