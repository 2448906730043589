import { readFile } from 'node:fs/promises';
import { TrainerError } from '@isoflop/trainer';
import { BENCH_NAME, emit } from './emit.js';

/** The targets: fp32 MFU at its shape (d1024, L12, T1024, B8, V8192), and mixed over fp32. */
export const TARGETS = { fp32Mfu: 0.85, mixedSpeedup: 2 } as const;

/**
 * The CUDA targets (issue 20): our tokens/s over PyTorch's on the same GPU and shape, per precision and the
 * PyTorch mode it is held against.
 */
export const CUDA_TARGETS: readonly { precision: string; torchMode: string; target: number }[] = [
  { precision: 'fp32', torchMode: 'fp32', target: 1.0 },
  { precision: 'tf32', torchMode: 'tf32', target: 0.8 },
  { precision: 'mixed', torchMode: 'bf16', target: 0.6 },
];

interface Line {
  metric: string;
  value: number;
  [key: string]: unknown;
}

/**
 * Reads the JSON lines of the separate gpu-check processes of one device run (remote.sh's logs, one or
 * several when the run was split over calls) and prints
 * what needs several of them: our tokens/s over PyTorch's per mode, the mixed path's speedup, and each
 * issue target with whether it was met. Lines of other benches and other text are ignored.
 */
export async function summarize(files: readonly string[]): Promise<void> {
  const texts: string[] = [];
  for (const file of files) {
    try {
      texts.push(await readFile(file, 'utf8'));
    } catch (error) {
      throw new TrainerError('INVALID_OPTIONS', `summary: cannot read ${file}`, {
        path: 'summary',
        cause: error,
      });
    }
  }
  const lines = texts
    .join('\n')
    .split('\n')
    .flatMap((row) => {
      try {
        const value = JSON.parse(row) as Partial<Line> & { bench?: unknown };
        return value.bench === BENCH_NAME && typeof value.value === 'number' ? [value as Line] : [];
      } catch {
        return [];
      }
    });
  // A/B runs tag their lines with the ORT options they changed; untagged lines ran the trainer's own.
  const variant = (line: Line): Record<string, string> =>
    line['ort_options'] === undefined ? {} : { ort_options: String(line['ort_options']) };
  const sameVariant = (a: Line, b: Line) => a['ort_options'] === b['ort_options'];
  const pick = (metric: string, phase: string) =>
    lines.filter((line) => line.metric === metric && line['phase'] === phase);
  const ours = pick('tokens_per_second', 'throughput');
  const torch = pick('tokens_per_second', 'torch');
  const common = { phase: 'summary' };
  for (const line of ours) {
    for (const reference of torch.filter((t) => t['shape'] === line['shape'])) {
      emit('tokens_per_second_ratio', line.value / reference.value, 'ratio', {
        ...common,
        shape: String(line['shape']),
        device: String(line['device']),
        precision: String(line['precision']),
        ...variant(line),
        torch_mode: String(reference['mode']),
        reference: `PyTorch ${String(reference['mode'])} tokens/s, same shape and GPU`,
      });
    }
  }
  for (const { precision, torchMode, target } of CUDA_TARGETS) {
    for (const line of ours.filter((l) => l['device'] === 'cuda' && l['precision'] === precision)) {
      const reference = torch.find((t) => t['shape'] === line['shape'] && t['mode'] === torchMode);
      if (reference === undefined) continue;
      const ratio = line.value / reference.value;
      emit('cuda_target', ratio, 'ratio', {
        ...common,
        shape: String(line['shape']),
        precision,
        steps_per_run: Number(line['steps_per_run'] ?? 1),
        torch_mode: torchMode,
        reference: `PyTorch ${torchMode} tokens/s, same shape and GPU`,
        target,
        met: ratio >= target,
      });
    }
  }
  for (const line of ours.filter((l) => l['precision'] === 'mixed')) {
    const fp32 = ours.find(
      (l) =>
        l['precision'] === 'fp32' &&
        l['shape'] === line['shape'] &&
        l['device'] === line['device'] &&
        sameVariant(l, line),
    );
    if (fp32 === undefined) continue;
    const speedup = line.value / fp32.value;
    emit('mixed_speedup', speedup, 'ratio', {
      ...common,
      shape: String(line['shape']),
      device: String(line['device']),
      ...variant(line),
      reference: 'tokens/s of the mixed path over the fp32 path, same ORT options',
      target: TARGETS.mixedSpeedup,
      met: speedup >= TARGETS.mixedSpeedup,
    });
  }
  for (const line of pick('mfu', 'throughput').filter((l) => l['precision'] === 'fp32')) {
    emit('fp32_mfu', line.value, 'ratio', {
      ...common,
      shape: String(line['shape']),
      device: String(line['device']),
      ...variant(line),
      reference: String(line['reference']),
      target: TARGETS.fp32Mfu,
      met: line.value >= TARGETS.fp32Mfu,
    });
  }
  // The prototype stated its ratios against the square-product peak of the `peak` phase (4096²); that
  // peak comes from another process, so this ratio is printed beside the same-process MFU, not instead.
  const squarePeaks = pick('matmul_peak', 'peak');
  for (const line of pick('model_flops_per_second', 'throughput')) {
    const dtype = line['precision'] === 'mixed' ? 'float16' : 'float32';
    const peak = squarePeaks.find((p) => p['device'] === line['device'] && p['dtype'] === dtype);
    if (peak === undefined) continue;
    emit('mfu_square_peak', line.value / peak.value, 'ratio', {
      ...common,
      shape: String(line['shape']),
      device: String(line['device']),
      precision: String(line['precision']),
      ...variant(line),
      reference: `${dtype} matmul peak [${String(peak['m'])}]², peak phase (another process)`,
    });
  }
  const comparisons = pick('loss_max_rel_diff', 'compare');
  emit(
    'comparisons_out_of_tolerance',
    comparisons.filter((line) => line['within_tolerance'] !== true).length,
    'count',
    { ...common, comparisons: comparisons.length },
  );
  const failed = lines.filter((line) => line.metric === 'exit_status' && line.value !== 0);
  emit('failed_experiments', failed.length, 'count', {
    ...common,
    experiments: failed.map((line) => String(line['experiment'])).join('; '),
  });
}
