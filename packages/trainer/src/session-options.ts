import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';
import type { Device } from '@isoflop/planner';
import { TrainerError } from './errors.js';

export interface SessionSettings {
  device: Device;
  /** ORT intra-op threads. */
  threads: number;
  /** Let idle ORT threads spin. Off by default: spinning threads steal cores from other workers. */
  spinning: boolean;
}

/**
 * Intra-op threads when the caller gives none: every core this process may use, capped at 8 (the step graphs
 * here are too small to scale further). Spinning stays off, so several workers sharing cores do not fight.
 */
export function defaultThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

export function resolveSessionSettings(options: {
  device?: Device | undefined;
  threads?: number | undefined;
  spinning?: boolean | undefined;
}): SessionSettings {
  const threads = options.threads ?? defaultThreads();
  if (!Number.isInteger(threads) || threads < 1) {
    throw new TrainerError(
      'INVALID_OPTIONS',
      `threads: expected a positive integer, got ${threads}`,
      {
        path: 'threads',
      },
    );
  }
  return { device: options.device ?? 'cpu', threads, spinning: options.spinning ?? false };
}

/** Where onnxruntime-node keeps its native libraries (the CUDA provider is installed beside them). */
export function ortBinaryDir(): string {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('onnxruntime-node/package.json'));
  return join(packageDir, 'bin', 'napi-v6', process.platform, process.arch);
}

const CUDA_LIBRARIES = ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'];

/** Throws DEVICE_UNAVAILABLE, saying how to fix it, when this install cannot run `device` at all. */
export function assertDeviceInstalled(device: Device): void {
  if (device === 'cpu') return;
  const backends = ort.listSupportedBackends().map((backend) => backend.name);
  if (!backends.includes(device)) {
    throw new TrainerError(
      'DEVICE_UNAVAILABLE',
      `device ${device}: this onnxruntime-node build (${process.platform}/${process.arch}) has no ${device} execution provider`,
      { path: 'device' },
    );
  }
  if (device === 'cuda' && process.platform === 'linux') {
    const dir = ortBinaryDir();
    const missing = CUDA_LIBRARIES.filter((library) => !existsSync(join(dir, library)));
    if (missing.length > 0) {
      throw new TrainerError(
        'DEVICE_UNAVAILABLE',
        `device cuda: ${missing.join(', ')} not found in ${dir}; install them with ` +
          '`isoflop gpu setup cuda` (needs CUDA 13 and cuDNN 9), or use --device cpu',
        { path: 'device' },
      );
    }
  }
}

/**
 * Session options for one device. `deviceOutputs` names the outputs that should stay on the device between
 * steps (parameters and optimizer moments): on WebGPU they are kept as GPU buffers through the object form
 * of preferredOutputLocation (the string form applies to every output, scalars included, and crashes the
 * Node binding when they are read). CPU and CUDA sessions return outputs in host memory.
 */
export function sessionOptions(
  settings: SessionSettings,
  deviceOutputs: readonly string[] = [],
): ort.InferenceSession.SessionOptions {
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: settings.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    extra: { session: { intra_op: { allow_spinning: settings.spinning ? '1' : '0' } } },
  };
  switch (settings.device) {
    case 'cpu':
      return { ...base, executionProviders: ['cpu'] };
    case 'cuda':
      return { ...base, executionProviders: [{ name: 'cuda', deviceId: 0 }, 'cpu'] };
    case 'webgpu': {
      const location: Record<string, 'gpu-buffer'> = {};
      for (const name of deviceOutputs) location[name] = 'gpu-buffer';
      return {
        ...base,
        // Training shapes are static: 'simple' keeps every released buffer for reuse by size. ORT's
        // default 'bucket' cache keeps a few buffers per size up to 160 MB, so a step's hundreds of
        // large activations and state tensors would be allocated afresh every step.
        executionProviders: [{ name: 'webgpu', storageBufferCacheMode: 'simple' }],
        preferredOutputLocation: location,
      };
    }
  }
}

/**
 * Creates a session, mapping ORT's failures to our codes: a device that cannot start is DEVICE_UNAVAILABLE,
 * a model ORT will not load (a shape or op it rejects) is SHAPE_REJECTED.
 */
export async function createSession(
  model: Uint8Array,
  settings: SessionSettings,
  deviceOutputs: readonly string[] = [],
  what = 'model',
  /** Added to the device's options (a benchmark's profiler settings). */
  extra: ort.InferenceSession.SessionOptions = {},
): Promise<ort.InferenceSession> {
  assertDeviceInstalled(settings.device);
  try {
    const options = sessionOptions(settings, deviceOutputs);
    return await ort.InferenceSession.create(model, {
      ...options,
      ...extra,
      extra: { ...options.extra, ...extra.extra },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/adapter|execution provider|Failed to load (shared )?library|CUDA|cudnn/i.test(message)) {
      throw new TrainerError(
        'DEVICE_UNAVAILABLE',
        `device ${settings.device}: ORT could not start it: ${firstLine(message)}`,
        { path: 'device', cause: error },
      );
    }
    throw new TrainerError(
      'SHAPE_REJECTED',
      `ONNX Runtime rejected the ${what}: ${firstLine(message)}`,
      {
        cause: error,
      },
    );
  }
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0] ?? message;
}
