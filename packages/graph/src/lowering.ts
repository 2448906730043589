/**
 * The ONNX Runtime execution provider a graph is built for. ORT runs a node its provider has no kernel
 * for on the CPU, with copies to and from the device around it; WebGPU has no LogSoftmax and no Sum
 * kernel (nor an int64 Expand), so for it those ops are written as ops it has.
 */
export type OpTarget = 'cpu' | 'webgpu' | 'cuda';

/**
 * Every provider-specific choice of the builder, so that op methods never test the provider: each
 * choice picks between lowerings that compute the same values.
 */
export interface Lowering {
  /** Sum of several tensors (addN, backward's fan-in) as one Sum node; else a balanced tree of Adds. */
  readonly sumNode: boolean;
  /** LogSoftmax as its own node; else x − logsumexp(x). */
  readonly logSoftmaxNode: boolean;
  /**
   * The full sum of squares in two stages, rows first: for providers whose reductions run one
   * workgroup per output, where one scalar output would leave the device to a single workgroup.
   */
  readonly rowsFirstSquaredNorm: boolean;
  /**
   * Without transposed MatMul kernels a transposed operand is copied: then op(a)·op(b) is emitted as
   * (op'(b)·op'(a))ᵀ where that copies fewer elements.
   */
  readonly cheaperTransposedMatMul: boolean;
  /**
   * How a broadcast gradient is summed over its leading rows: `gemm` as ones[1, N]·g[N, rest] (one
   * multithreaded GEMM, except for float16), `staged-reduce` as rows moved innermost and summed in two
   * ReduceSum stages (for reductions of one workgroup per output and one-row MatMuls that barely
   * parallelise).
   */
  readonly leadingRowSum: 'gemm' | 'staged-reduce';
}

const CPU: Lowering = {
  sumNode: true,
  logSoftmaxNode: true,
  rowsFirstSquaredNorm: false,
  cheaperTransposedMatMul: false,
  leadingRowSum: 'gemm',
};

/** The lowering of each provider; CUDA has every kernel the CPU lowering uses. */
export const LOWERINGS: Readonly<Record<OpTarget, Lowering>> = {
  cpu: CPU,
  cuda: CPU,
  webgpu: {
    sumNode: false,
    logSoftmaxNode: false,
    rowsFirstSquaredNorm: true,
    cheaperTransposedMatMul: true,
    leadingRowSum: 'staged-reduce',
  },
};
