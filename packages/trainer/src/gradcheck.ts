import type ort from 'onnxruntime-node';
import { gradcheckModel, type GradcheckReport, type ModelConfig } from '@isoflop/models';
import { toOrtFeeds } from './ort-feeds.js';
import { createSession, resolveSessionSettings } from './session-options.js';

export interface GradcheckRunOptions {
  threads?: number;
  /** Entries probed per parameter tensor. */
  probesPerTensor?: number;
  seed?: number;
}

/**
 * Runs the models package's float64 gradient check of `config` on the CPU through ORT: analytic gradients
 * from the autodiff graph against central finite differences of the loss, per parameter tensor.
 */
export async function runGradcheck(
  config: ModelConfig,
  options: GradcheckRunOptions = {},
): Promise<GradcheckReport> {
  const settings = resolveSessionSettings({ device: 'cpu', threads: options.threads ?? 1 });
  const sessions: ort.InferenceSession[] = [];
  try {
    return await gradcheckModel(
      config,
      async (onnx) => {
        const session = await createSession(onnx, settings, [], 'float64 gradient graph');
        sessions.push(session);
        return async (feeds, fetch) => {
          const outputs = await session.run(toOrtFeeds(feeds), [...fetch]);
          const values: Record<string, ArrayLike<number>> = {};
          for (const name of fetch) values[name] = outputs[name]?.data as Float64Array;
          return values;
        };
      },
      {
        ...(options.probesPerTensor === undefined
          ? {}
          : { probesPerTensor: options.probesPerTensor }),
        ...(options.seed === undefined ? {} : { seed: options.seed }),
      },
    );
  } finally {
    for (const session of sessions) await session.release();
  }
}
