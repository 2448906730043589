import type { DType } from './dtype.js';

/**
 * A symbolic value in a GraphBuilder: static dtype and shape, no data. Only the builder that made
 * it can use it (checked by `owner`).
 */
export class Tensor {
  constructor(
    readonly owner: object,
    readonly id: number,
    readonly dtype: DType,
    readonly shape: readonly number[],
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
}

/** A trainable parameter: graph input `p.<name>`; `decay` says whether AdamW applies weight decay. */
export interface ParamSpec {
  readonly name: string;
  readonly tensor: Tensor;
  readonly decay: boolean;
}
