import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Operator kinds: what each costs per element differs, and only the first is counted as model FLOPs. */
export const KERNEL_KINDS: Record<string, readonly string[]> = {
  matmul: ['MatMul', 'FusedMatMul', 'Gemm'],
  reduction: ['ReduceSum', 'ReduceMean', 'ReduceSumSquare', 'ReduceMax', 'Softmax', 'LogSoftmax'],
  data_movement: [
    'Transpose',
    'Slice',
    'Split',
    'Concat',
    'Reshape',
    'Expand',
    'Gather',
    'GatherElements',
    'ScatterND',
    'ScatterElements',
    'Unsqueeze',
    'Squeeze',
    'Cast',
  ],
};

export function kernelKind(opType: string): string {
  for (const [kind, ops] of Object.entries(KERNEL_KINDS)) if (ops.includes(opType)) return kind;
  return 'elementwise';
}

/** One event of ONNX Runtime's CPU profile (Chrome trace format). */
export interface ProfileEvent {
  cat: string;
  name: string;
  ts: number;
  dur: number;
  args?: {
    op_name?: string;
    input_type_shape?: Record<string, number[]>[];
    output_type_shape?: Record<string, number[]>[];
  };
}

/** A kernel's run: its operator, first input and first output shape, and duration in µs. */
export interface KernelRun {
  opType: string;
  input: number[];
  output: number[];
  us: number;
}

/** The profile ORT wrote into `dir` (the session's `profileFilePrefix` directory). */
export function readProfile(dir: string): ProfileEvent[] {
  const file = readdirSync(dir).find((name) => name.endsWith('.json'));
  if (file === undefined) throw new Error(`ORT wrote no profile into ${dir}`);
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as ProfileEvent[];
}

/**
 * The kernels of every session run after the first `skipRuns` (warm-up), and those runs' total time in µs.
 */
export function timedKernels(
  events: readonly ProfileEvent[],
  skipRuns: number,
): { kernels: KernelRun[]; runUs: number; runs: number } {
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run');
  const firstTimed = runs[skipRuns]?.ts ?? Number.POSITIVE_INFINITY;
  const first = (records: Record<string, number[]>[] | undefined): number[] =>
    Object.values(records?.[0] ?? {})[0] ?? [];
  const kernels = events
    .filter((e) => e.ts >= firstTimed && e.cat === 'Node' && e.name.endsWith('_kernel_time'))
    .map((e) => ({
      opType: e.args?.op_name ?? '',
      input: first(e.args?.input_type_shape),
      output: first(e.args?.output_type_shape),
      us: e.dur,
    }));
  const timed = runs.slice(skipRuns);
  return { kernels, runUs: timed.reduce((sum, e) => sum + e.dur, 0), runs: timed.length };
}

/**
 * 2·M·N·K of a MatMul, FusedMatMul or Gemm kernel from its shapes alone: the output is [..., M, N], and K
 * is whichever of the first operand's last two dims is not M (the operand may be transposed; when both
 * equal M, K = M either way).
 */
export function matmulFlops(kernel: KernelRun): { flops: number; k: number } {
  const { input, output } = kernel;
  const m = output[output.length - 2] ?? 1;
  const rows = input[input.length - 2] ?? 1;
  const k = rows === m ? (input[input.length - 1] ?? 1) : rows;
  return { flops: 2 * output.reduce((a, b) => a * b, 1) * k, k };
}
