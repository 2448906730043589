import type { Device, Precision } from '@isoflop/planner';
import { TrainerError } from './errors.js';

/**
 * cuBLAS's switch for TF32 tensor-core products: '0' turns TF32 off for every float32 product. The Node
 * binding passes no CUDA provider option but `deviceId`, so ORT's own `use_tf32` cannot be set, and ORT's
 * default is TF32 on.
 */
export const TF32_OVERRIDE = 'NVIDIA_TF32_OVERRIDE';

/** The environment a CUDA training process needs for `precision`: fp32 means TF32 off (the reference). */
export function cudaMathEnv(precision: Precision): Record<string, string | undefined> {
  return { [TF32_OVERRIDE]: precision === 'fp32' ? '0' : undefined };
}

/**
 * Checks that `precision` fits `device` (tf32 is a CUDA math mode) and, on CUDA, sets the TF32 switch in
 * this process before its sessions start; cuBLAS reads it when it initialises, so the first CUDA session
 * of a process fixes the mode (training processes run one precision each; verify on a GPU).
 */
export function applyCudaMathMode(
  device: Device,
  precision: Precision,
  env: NodeJS.ProcessEnv = process.env,
): void {
  if (precision === 'tf32' && device !== 'cuda') {
    throw new TrainerError(
      'INVALID_OPTIONS',
      `run.precision: tf32 is a CUDA math mode, but the device is ${device} (use fp32)`,
      { path: 'run.precision' },
    );
  }
  if (device !== 'cuda') return;
  for (const [name, value] of Object.entries(cudaMathEnv(precision))) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
}
