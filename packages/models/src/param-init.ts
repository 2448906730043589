import { Rng } from './rng.js';

/** How a parameter starts: scaled normal (weights, embeddings) or ones (norm gains). */
export type ParamInit = { kind: 'normal'; std: number } | { kind: 'ones' };

export interface ModelParam {
  /** Param name; the graph input is `p.<name>` (see `ADAMW_NAMES`). */
  name: string;
  shape: number[];
  /** AdamW applies weight decay (matrices and embeddings, not gains). */
  decay: boolean;
  init: ParamInit;
}

/**
 * Initial values for every parameter, a pure function of (seed, parameter index): GPT-2/Megatron
 * scaled normal, std 0.02, with 0.02/√(2·n_layers) for the projections that write into the residual
 * stream; gains start at one.
 */
export function initParamValues(
  params: readonly ModelParam[],
  seed: number,
): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  params.forEach((p, index) => {
    const size = p.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (p.init.kind === 'ones') {
      values.fill(1);
    } else {
      const rng = new Rng(seed, index);
      for (let i = 0; i < size; i++) values[i] = p.init.std * rng.nextNormal();
    }
    out.set(p.name, values);
  });
  return out;
}
