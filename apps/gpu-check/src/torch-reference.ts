import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { flopsPerStep } from '@isoflop/models';
import { BENCH_NAME, emit, type Context } from './emit.js';
import type { BenchShape } from './shape-spec.js';
import { benchConfig } from './step-runner.js';

/** PyTorch modes of torch_reference.py: fp32 with TF32 off, TF32, bf16 autocast, bf16 + torch.compile. */
export const TORCH_MODES = ['fp32', 'tf32', 'bf16', 'bf16-compile'] as const;

const LINE_KEYS = new Set(['bench', 'metric', 'value', 'unit']);

/** Why the PyTorch reference cannot run here, or undefined when `python -c 'import torch'` works. */
export function torchUnavailable(python: string): string | undefined {
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.error !== undefined) return `${python} not runnable: ${probe.error.message}`;
  if (probe.status !== 0) return `${python} cannot import torch`;
  return undefined;
}

/**
 * Runs torch_reference.py on the same shapes and passes its JSON lines through, adding model FLOP/s counted
 * as for our path (`flopsPerStep`), so both sides divide the same FLOPs by their step time. Resolves to the
 * script's exit status.
 */
export async function runTorchReference(options: {
  python: string;
  script: string;
  shapes: readonly BenchShape[];
  warmupSteps: number;
  timedSteps: number;
}): Promise<number> {
  const reason = torchUnavailable(options.python);
  if (reason !== undefined) {
    emit('skipped', 0, 'count', { phase: 'torch', reason });
    return 0;
  }
  const flopsByShape = new Map(
    options.shapes.map((bench) => [
      bench.spec,
      flopsPerStep(benchConfig('arm', bench.shape, 'fp32'), bench.batchSize),
    ]),
  );
  const child = spawn(
    options.python,
    [
      options.script,
      '--shapes',
      options.shapes.map((bench) => bench.spec).join(','),
      '--warmup',
      String(options.warmupSteps),
      '--steps',
      String(options.timedSteps),
      '--modes',
      TORCH_MODES.join(','),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exit = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
  for await (const text of createInterface({ input: child.stdout })) {
    const line = parseLine(text);
    if (line === undefined) {
      process.stderr.write(`${text}\n`);
      continue;
    }
    process.stdout.write(`${text}\n`);
    const flops = flopsByShape.get(String(line['shape']));
    if (
      line['metric'] === 'step_time' &&
      flops !== undefined &&
      typeof line['value'] === 'number'
    ) {
      const context = Object.fromEntries(
        Object.entries(line).filter(([key]) => !LINE_KEYS.has(key)),
      ) as Context;
      emit('model_flops_per_second', flops / line['value'], 'FLOP/s', {
        ...context,
        flops_per_step: flops,
      });
    }
  }
  return exit;
}

function parseLine(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' &&
      value !== null &&
      (value as { bench?: unknown }).bench === BENCH_NAME
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
