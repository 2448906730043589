import type { GraphBuilder, Tensor } from '@isoflop/graph';
import type { ModelParam, ParamInit } from '../param-init.js';

/** A GraphBuilder plus the init and decay facts of every parameter declared through it. */
export class GraphContext {
  readonly params: ModelParam[] = [];

  constructor(readonly b: GraphBuilder) {}

  param(name: string, shape: number[], init: ParamInit): Tensor {
    const decay = init.kind === 'normal';
    const t = this.b.param(name, shape, { decay });
    this.params.push({ name, shape, decay, init });
    return t;
  }

  /**
   * A float constant in the builder's dtype. Typed arrays of the target type are copied natively; the
   * builder's generic `floatConstant` converts element by element, which takes seconds for a 2048²
   * causal mask.
   */
  floatConstant(values: Float64Array, shape: number[]): Tensor {
    switch (this.b.dtype) {
      case 'float64':
        return this.b.constant(values, shape);
      case 'float32':
        return this.b.constant(new Float32Array(values), shape);
      default:
        return this.b.floatConstant(values, shape);
    }
  }
}
