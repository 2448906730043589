import { GraphError } from './errors.js';
import type { GraphBuilder } from './graph-builder.js';
import { paramInputName } from './internal/graph-core.js';
import type { ParamSpec, Tensor } from './tensor.js';

export interface AdamWConfig {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Decoupled weight decay, applied only to params declared with `decay: true`. */
  readonly weightDecay: number;
  /** Global-norm clipping threshold; 0 or absent disables clipping. */
  readonly gradClip?: number;
}

/** Feed and fetch names of the optimizer step; the trainer relies on these. */
export const ADAMW_NAMES = {
  lr: 'lr',
  step: 'step',
  gradNorm: 'gradNorm',
  param: paramInputName,
  paramNext: (name: string): string => `p.${name}.next`,
  m: (name: string): string => `m.${name}`,
  mNext: (name: string): string => `m.${name}.next`,
  v: (name: string): string => `v.${name}`,
  vNext: (name: string): string => `v.${name}.next`,
} as const;

export interface AdamWTensors {
  readonly lr: Tensor;
  readonly step: Tensor;
  /** L2 norm of all gradients before clipping. */
  readonly gradNorm: Tensor;
}

/**
 * Appends one AdamW step (torch.optim.AdamW semantics, plus torch-style global-norm clipping) to the
 * graph. Inputs: scalar `lr` and `step` (1-based, as a float so one graph serves every step), and
 * `m.<name>`, `v.<name>` per param. Outputs: `p.<name>.next`, `m.<name>.next`, `v.<name>.next`,
 * `gradNorm`.
 */
export function addAdamW(
  b: GraphBuilder,
  params: readonly ParamSpec[],
  grads: readonly Tensor[],
  config: AdamWConfig,
): AdamWTensors {
  validateConfig(config);
  if (params.length !== grads.length || params.length === 0) {
    throw new GraphError(
      'INVALID_ARGUMENT',
      `addAdamW: grads: expected one gradient per param (${params.length}), got ${grads.length}`,
    );
  }
  const lr = b.input(ADAMW_NAMES.lr, 'float', []);
  const step = b.input(ADAMW_NAMES.step, 'float', []);
  const gradNorm = b.sqrt(b.addN(grads.map((g) => b.squaredNorm(g))));
  b.output(ADAMW_NAMES.gradNorm, gradNorm);

  // torch clip_grad_norm_: scale = min(1, clip / (norm + 1e-6)); folded into the moment updates.
  const clip = config.gradClip ?? 0;
  const scale = clip > 0 ? b.minimum(b.div(clip, b.add(gradNorm, 1e-6)), 1) : undefined;
  const gCoef1 = scale === undefined ? b.scalar(1 - config.beta1) : b.mul(scale, 1 - config.beta1);
  const gCoef2 =
    scale === undefined ? b.scalar(1 - config.beta2) : b.mul(b.mul(scale, scale), 1 - config.beta2);

  // Bias corrections as scalars: m̂/(√v̂ + ε) = √bc2·m / (√v + ε·√bc2) / bc1.
  const bc1 = b.sub(1, b.exp(b.mul(step, Math.log(config.beta1))));
  const sqrtBc2 = b.sqrt(b.sub(1, b.exp(b.mul(step, Math.log(config.beta2)))));
  const epsHat = b.mul(sqrtBc2, config.eps);
  const stepSize = b.div(b.mul(lr, sqrtBc2), bc1);
  const decayFactor = b.sub(1, b.mul(lr, config.weightDecay));

  params.forEach((p, i) => {
    const g = grads[i] as Tensor;
    if (g.dtype !== p.tensor.dtype || g.shape.join() !== p.tensor.shape.join()) {
      throw new GraphError(
        'SHAPE_MISMATCH',
        `addAdamW: grads[${i}] does not match param ${p.name}`,
      );
    }
    const m = b.input(ADAMW_NAMES.m(p.name), p.tensor.dtype, p.tensor.shape);
    const v = b.input(ADAMW_NAMES.v(p.name), p.tensor.dtype, p.tensor.shape);
    const mNext = b.add(b.mul(m, config.beta1), b.mul(g, gCoef1));
    const vNext = b.add(b.mul(v, config.beta2), b.mul(b.mul(g, g), gCoef2));
    const update = b.mul(b.div(mNext, b.add(b.sqrt(vNext), epsHat)), stepSize);
    const decayed = p.decay && config.weightDecay > 0 ? b.mul(p.tensor, decayFactor) : p.tensor;
    b.output(ADAMW_NAMES.paramNext(p.name), b.sub(decayed, update));
    b.output(ADAMW_NAMES.mNext(p.name), mNext);
    b.output(ADAMW_NAMES.vNext(p.name), vNext);
  });
  return { lr, step, gradNorm };
}

function validateConfig(config: AdamWConfig): void {
  const check = (field: keyof AdamWConfig, ok: boolean, expected: string): void => {
    if (!ok) {
      throw new GraphError(
        'INVALID_ARGUMENT',
        `addAdamW: config.${field}: expected ${expected}, got ${String(config[field])}`,
      );
    }
  };
  check('beta1', config.beta1 > 0 && config.beta1 < 1, 'a number in (0, 1)');
  check('beta2', config.beta2 > 0 && config.beta2 < 1, 'a number in (0, 1)');
  check('eps', config.eps > 0, 'a positive number');
  check(
    'weightDecay',
    config.weightDecay >= 0 && Number.isFinite(config.weightDecay),
    'a finite number ≥ 0',
  );
  check(
    'gradClip',
    config.gradClip === undefined || config.gradClip >= 0,
    'a number ≥ 0 or absent',
  );
}
