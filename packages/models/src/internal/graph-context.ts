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
}
