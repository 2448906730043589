// Device check for GPU training: (1) trains each family a few steps on --device and on --reference-device
// from the same initial parameters and batches and compares losses (fp32, and the mixed path against fp32);
// (2) measures the device's fp32 and fp16 MatMul peak; (3) times ARM training steps (tokens/s, model
// FLOP/s, ratio to the peak in the same process) for each shape and precision; (4) with python3 and
// PyTorch present, times the same model in PyTorch (torch_reference.py). JSON lines on stdout per the bench
// contract. `--summary LOG[,LOG...]` instead reads the lines of several processes and prints ratios and
// target checks.
// On a GPU host it runs as the esbuild bundle .gpu/app.cjs (scripts/gpu/pack.sh, scripts/gpu/remote.sh).
// On the CPU (the default device) the quick settings apply unless overridden: they prove the logic and
// the bundle, nothing about a GPU.
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import type { Family, Precision } from '@isoflop/models';
import {
  applyCudaMathMode,
  assertDeviceInstalled,
  resolveSessionSettings,
  TF32_OVERRIDE,
  TrainerError,
} from '@isoflop/trainer';
import { compareFamily } from './compare.js';
import { profileShape } from './device-profile.js';
import { emit } from './emit.js';
import { parseShape, parseShapeList } from './shape-spec.js';
import { summarize } from './summary.js';
import { benchmarkShape, measurePeaks } from './throughput.js';
import { runTorchReference } from './torch-reference.js';

const DEVICES = ['cpu', 'webgpu', 'cuda'] as const;
const FAMILIES: readonly Family[] = ['arm', 'mdm', 'mdm-prime-v2'];
const PRECISIONS: readonly Precision[] = ['fp32', 'tf32', 'mixed'];
const DEFAULT_PRECISIONS = 'fp32,mixed';
const PHASES = ['compare', 'peak', 'throughput', 'profile', 'torch'] as const;
type Phase = (typeof PHASES)[number];

/** Settings per mode: `full` for a GPU, `quick` for a CPU (the default there) and the tests. */
const DEFAULTS = {
  full: {
    compareShape: 'd128-L2-T64-B4-V256',
    steps: 5,
    shapes: 'prototype',
    warmup: 3,
    timedSteps: 10,
    peakSize: 4096,
    peakRounds: { rounds: 5, secondsPerRound: 0.3 },
  },
  quick: {
    compareShape: 'd64-L2-T16-B2-V256',
    steps: 3,
    shapes: 'quick',
    warmup: 1,
    timedSteps: 2,
    peakSize: 128,
    peakRounds: { rounds: 2, secondsPerRound: 0.1 },
  },
};

const USAGE = `usage: gpu-check [--device cpu|webgpu|cuda] [--reference-device cpu|webgpu|cuda]
  [--only compare,peak,throughput,profile,torch] [--families arm,mdm,mdm-prime-v2]
  [--precisions fp32,mixed|tf32 (cuda: one per process)] [--steps-per-run K (the device's steps per run)]
  [--compare-shape d64-L2-T16-B2-V256] [--steps N] [--shapes prototype|quick|d1024-L12-T1024-B8-V8192,...]
  [--warmup N] [--timed-steps N] [--peak-size N] [--threads N] [--seed N] [--quick]
  [--buffer-cache simple|bucket|lazyRelease|disabled] [--pending-dispatches N]   (WebGPU A/B of ORT options)
  [--python python3] [--torch-script PATH]
gpu-check --summary LOG.jsonl[,LOG2.jsonl...]
gpu-check --list-shapes prototype|quick|SHAPE,...`;

function option<T extends string>(value: string, allowed: readonly T[], path: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new TrainerError(
      'INVALID_OPTIONS',
      `--${path}: expected one of ${allowed.join(', ')}, got "${value}"`,
      { path },
    );
  }
  return value as T;
}

function list<T extends string>(value: string, allowed: readonly T[], path: string): T[] {
  return value.split(',').map((item) => option(item.trim(), allowed, path));
}

function positiveInt(value: string | undefined, fallback: number, path: string): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new TrainerError(
      'INVALID_OPTIONS',
      `--${path}: expected a positive integer, got "${value}"`,
      {
        path,
      },
    );
  }
  return number;
}

function parseOptions() {
  try {
    return parseArgs({
      options: {
        device: { type: 'string', default: 'cpu' },
        'reference-device': { type: 'string', default: 'cpu' },
        only: { type: 'string', default: PHASES.join(',') },
        families: { type: 'string', default: FAMILIES.join(',') },
        precisions: { type: 'string', default: DEFAULT_PRECISIONS },
        'steps-per-run': { type: 'string' },
        'compare-shape': { type: 'string' },
        steps: { type: 'string' },
        shapes: { type: 'string' },
        warmup: { type: 'string' },
        'timed-steps': { type: 'string' },
        'peak-size': { type: 'string' },
        threads: { type: 'string' },
        'buffer-cache': { type: 'string' },
        'pending-dispatches': { type: 'string' },
        seed: { type: 'string', default: '1' },
        quick: { type: 'boolean' },
        python: { type: 'string', default: 'python3' },
        'torch-script': { type: 'string' },
        summary: { type: 'string' },
        'list-shapes': { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    // node:util reports unknown or malformed flags as a TypeError; they are bad options like any other.
    throw new TrainerError(
      'INVALID_OPTIONS',
      error instanceof Error ? error.message : String(error),
      {
        path: 'argv',
        cause: error,
      },
    );
  }
}

const BUFFER_CACHE_MODES = ['simple', 'bucket', 'lazyRelease', 'disabled'] as const;

/**
 * ORT options of the step sessions other than the trainer's, for A/B runs on a GPU host: the WebGPU
 * storage-buffer cache mode, and how many dispatches it records before submitting a command buffer.
 * Undefined when neither is given: the trainer's own options.
 */
function webgpuOverrides(
  cache: string | undefined,
  pending: string | undefined,
): ort.InferenceSession.SessionOptions | undefined {
  if (cache === undefined && pending === undefined) return undefined;
  const overrides: ort.InferenceSession.SessionOptions = {};
  if (cache !== undefined) {
    overrides.executionProviders = [
      { name: 'webgpu', storageBufferCacheMode: option(cache, BUFFER_CACHE_MODES, 'buffer-cache') },
    ];
  }
  if (pending !== undefined) {
    const count = positiveInt(pending, 16, 'pending-dispatches');
    overrides.extra = {
      ep: { webgpuexecutionprovider: { maxNumPendingDispatches: String(count) } },
    };
  }
  return overrides;
}

async function main(): Promise<number> {
  const { values } = parseOptions();
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.summary !== undefined) {
    await summarize(values.summary.split(','));
    return 0;
  }
  if (values['list-shapes'] !== undefined) {
    // For scripts that run one process per shape (remote.sh): presets expanded, one spec a line.
    for (const bench of parseShapeList(values['list-shapes'], 'list-shapes')) {
      process.stdout.write(`${bench.spec}\n`);
    }
    return 0;
  }
  const device = option(values.device, DEVICES, 'device');
  // Fails fast, before the reference runs, when this install has no such provider at all.
  assertDeviceInstalled(device);
  const defaults = DEFAULTS[(values.quick ?? device === 'cpu') ? 'quick' : 'full'];
  const phases = new Set<Phase>(list(values.only, PHASES, 'only'));
  const families = list(values.families, FAMILIES, 'families');
  const precisions = list(values.precisions, PRECISIONS, 'precisions');
  if (device === 'cuda') {
    // cuBLAS reads its TF32 switch once per process: each CUDA process checks one precision.
    if (precisions.length !== 1) {
      throw new TrainerError(
        'INVALID_OPTIONS',
        `--precisions: on cuda, one precision per process (TF32 is fixed when CUDA starts), got ${values.precisions}`,
        { path: 'precisions' },
      );
    }
    applyCudaMathMode(device, precisions[0] as Precision);
  }
  const stepsPerRun = positiveInt(values['steps-per-run'], 1, 'steps-per-run');
  const compareShape = parseShape(
    values['compare-shape'] ?? defaults.compareShape,
    'compare-shape',
  );
  const shapes = parseShapeList(values.shapes ?? defaults.shapes, 'shapes');
  const steps = positiveInt(values.steps, defaults.steps, 'steps');
  const warmupSteps = positiveInt(values.warmup, defaults.warmup, 'warmup');
  const timedSteps = positiveInt(values['timed-steps'], defaults.timedSteps, 'timed-steps');
  const peakSize = positiveInt(values['peak-size'], defaults.peakSize, 'peak-size');
  const seed = positiveInt(values.seed, 1, 'seed');
  const threads =
    values.threads === undefined ? undefined : positiveInt(values.threads, 1, 'threads');
  const settings = resolveSessionSettings({ device, threads });
  const stepOptions = webgpuOverrides(values['buffer-cache'], values['pending-dispatches']);
  const reference = resolveSessionSettings({
    device: option(values['reference-device'], DEVICES, 'reference-device'),
    threads,
  });
  emit('run_info', 1, 'count', {
    device,
    reference_device: reference.device,
    phases: [...phases].join(','),
    onnxruntime_node: ort.env.versions.node ?? 'unknown',
    node: process.versions.node,
    platform: `${process.platform}/${process.arch}`,
    steps_per_run: stepsPerRun,
    tf32_override: process.env[TF32_OVERRIDE] ?? 'unset',
  });

  let status = 0;
  if (phases.has('compare')) {
    for (const family of families) {
      const agreed = await compareFamily({
        family,
        bench: compareShape,
        precisions,
        device: settings,
        reference,
        steps,
        seed,
        stepsPerRun,
      });
      if (!agreed) status = 1;
    }
  }
  if (phases.has('peak')) await measurePeaks(settings, peakSize, defaults.peakRounds);
  if (phases.has('throughput')) {
    for (const bench of shapes) {
      await benchmarkShape({
        bench,
        precisions,
        settings,
        warmupSteps,
        timedSteps,
        seed,
        stepOptions,
        stepsPerRun,
      });
    }
  }
  if (phases.has('profile')) {
    for (const bench of shapes) {
      for (const precision of precisions) {
        await profileShape({
          bench,
          precision,
          settings,
          warmupSteps,
          timedSteps,
          seed,
          stepOptions,
        });
      }
    }
  }
  if (phases.has('torch')) {
    const script =
      values['torch-script'] ?? join(dirname(process.argv[1] ?? '.'), 'torch_reference.py');
    const exit = await runTorchReference({
      python: values.python,
      script,
      shapes,
      warmupSteps,
      timedSteps,
    });
    if (exit !== 0) status = exit;
  }
  return status;
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof TrainerError ? error.code : 'FAILED';
    emit('error', 1, 'count', { code, message: message.split('\n', 1)[0] ?? '' });
    process.stderr.write(
      `gpu-check: ${message}\n${code === 'INVALID_OPTIONS' ? `${USAGE}\n` : ''}`,
    );
    process.exitCode = 2;
  },
);
