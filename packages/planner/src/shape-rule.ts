export interface ShapeRule {
  /** Width of each attention head; nHeads = dModel / headDim. */
  headDim: number;
  /** Target dModel / nLayers. */
  aspectRatio: number;
  minLayers: number;
  maxLayers: number;
  /** SwiGLU hidden width = ffnMultiplier · dModel, rounded. */
  ffnMultiplier: number;
}

export interface BackboneShape {
  dModel: number;
  nLayers: number;
  nHeads: number;
  ffnHidden: number;
}

/** N of a backbone under the sweep's convention (the exact count comes from @isoflop/models). */
export type ParamCounter = (shape: BackboneShape) => number;

export type ShapeChoice =
  { ok: true; shape: BackboneShape; params: number } | { ok: false; reason: string };

/** Largest tolerated ratio between the chosen shape's N and the target N. */
const MAX_PARAM_RATIO = 1.5;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * dModel must be a multiple of this: of headDim (whole heads), and of the Prime length l when Prime
 * uses `cat-share` (l pieces of width d/l). One multiple serves every family, so all families of a
 * sweep train the same shapes.
 */
export function dModelMultiple(headDim: number, primeCatShareLength?: number): number {
  if (primeCatShareLength === undefined) return headDim;
  return (headDim * primeCatShareLength) / gcd(headDim, primeCatShareLength);
}

export function backbone(
  dModel: number,
  nLayers: number,
  rule: Pick<ShapeRule, 'headDim' | 'ffnMultiplier'>,
): BackboneShape {
  return {
    dModel,
    nLayers,
    nHeads: dModel / rule.headDim,
    ffnHidden: Math.round(rule.ffnMultiplier * dModel),
  };
}

/** The paper's convention, which the layer count estimate uses for both conventions. */
export function paperParams(dModel: number, nLayers: number): number {
  return 12 * dModel * dModel * nLayers;
}

/** Candidates whose N is within this of the target compete on aspect ratio alone. */
const CLOSE_PARAM_RATIO = 1.1;

/**
 * Pick (dModel, nLayers, nHeads) for a target N, deterministically:
 * 1. candidates: for every layer count in [minLayers, maxLayers], the two multiples of `multiple`
 *    around the width sqrt(N / (12·L)) that the paper convention suggests;
 * 2. among candidates whose N (under `countParams`) is within 10% of the target, the one whose
 *    dModel/nLayers is closest to aspectRatio (in log) wins;
 * 3. otherwise the candidate closest to the target N in log wins, if within 1.5x; else the target is
 *    refused, naming the nearest shape.
 * Ties go to fewer layers, then the narrower width.
 */
export function shapeForParams(
  targetParams: number,
  rule: ShapeRule,
  multiple: number,
  countParams: ParamCounter,
): ShapeChoice {
  const candidates: { shape: BackboneShape; params: number; error: number; aspectError: number }[] =
    [];
  for (let nLayers = rule.minLayers; nLayers <= rule.maxLayers; nLayers += 1) {
    const idealUnits = Math.sqrt(targetParams / (12 * nLayers)) / multiple;
    const units = new Set([
      Math.max(1, Math.floor(idealUnits)),
      Math.max(1, Math.ceil(idealUnits)),
    ]);
    for (const unit of units) {
      const shape = backbone(unit * multiple, nLayers, rule);
      const params = countParams(shape);
      candidates.push({
        shape,
        params,
        error: Math.abs(Math.log(params / targetParams)),
        aspectError: Math.abs(Math.log(shape.dModel / nLayers / rule.aspectRatio)),
      });
    }
  }
  const argmin = <T>(items: T[], key: (item: T) => number): T | undefined =>
    items.reduce<T | undefined>(
      (best, item) => (best === undefined || key(item) < key(best) ? item : best),
      undefined,
    );
  const close = candidates.filter((c) => c.error <= Math.log(CLOSE_PARAM_RATIO));
  const best =
    close.length > 0 ? argmin(close, (c) => c.aspectError) : argmin(candidates, (c) => c.error);
  if (best === undefined || best.error > Math.log(MAX_PARAM_RATIO)) {
    const nearest = best
      ? `; nearest is dModel ${best.shape.dModel} x ${best.shape.nLayers} layers with N = ${best.params}`
      : '';
    return {
      ok: false,
      reason: `no shape with dModel a multiple of ${multiple} and ${rule.minLayers}-${rule.maxLayers} layers within ${MAX_PARAM_RATIO}x of N = ${Math.round(targetParams)}${nearest}`,
    };
  }
  return { ok: true, shape: best.shape, params: best.params };
}
