export type GraphErrorCode =
  | 'SHAPE_MISMATCH'
  | 'DTYPE_MISMATCH'
  | 'INVALID_ARGUMENT'
  | 'DUPLICATE_NAME'
  | 'FOREIGN_TENSOR'
  | 'NOT_DIFFERENTIABLE';

/** Every bad call into the builder throws this, naming the argument and what was expected. */
export class GraphError extends Error {
  override readonly name = 'GraphError';
  readonly code: GraphErrorCode;

  constructor(code: GraphErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
