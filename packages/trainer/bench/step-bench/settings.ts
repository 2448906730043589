import type { ModelConfig } from '@isoflop/models';
import { MatmulProbe, type MatmulDims, type SessionSettings } from '@isoflop/trainer';
import { hostContext, type Context } from '../support/bench-lines.js';

/**
 * What the CPU step benchmarks (train-step, step-profile) measure, from the environment. The defaults are
 * the regime of the design's feasibility prototype: ARM, 4 layers, context 256, batch 8, V = 1024.
 */
export interface StepBenchSettings {
  threads: number;
  timedSteps: number;
  batchSize: number;
  seqLen: number;
  nLayers: number;
  vocabSize: number;
  dModels: number[];
  /** Let ORT's idle threads spin (BENCH_SPINNING=1). */
  spinning: boolean;
}

export function stepBenchSettings(defaults: {
  dModels: string;
  timedSteps: number;
}): StepBenchSettings {
  const env = process.env;
  return {
    threads: Number(env['BENCH_THREADS'] ?? 2),
    timedSteps: Number(env['BENCH_STEPS'] ?? defaults.timedSteps),
    batchSize: Number(env['BENCH_BATCH'] ?? 8),
    seqLen: Number(env['BENCH_SEQ'] ?? 256),
    nLayers: Number(env['BENCH_LAYERS'] ?? 4),
    vocabSize: 1024,
    dModels: (env['BENCH_DMODELS'] ?? defaults.dModels).split(',').map(Number),
    spinning: env['BENCH_SPINNING'] === '1',
  };
}

/** AdamW and clipping constants of the benchmarked step (the planner's defaults). */
export const BENCH_OPTIMIZER = {
  beta1: 0.9,
  beta2: 0.95,
  eps: 1e-8,
  weightDecay: 0.1,
  gradClip: 1,
};

/** The benchmarked model: heads of width 64, SwiGLU hidden 4d. */
export function armBenchConfig(settings: StepBenchSettings, dModel: number): ModelConfig {
  const { nLayers, vocabSize, seqLen } = settings;
  return {
    family: 'arm',
    shape: { dModel, nLayers, nHeads: dModel / 64, ffnHidden: 4 * dModel, vocabSize, seqLen },
    precision: 'fp32',
  };
}

/** The context every JSON line of a shape carries, with the host's load when it was taken. */
export function benchContext(settings: StepBenchSettings, dModel: number): Context {
  return {
    family: 'arm',
    d_model: dModel,
    n_layers: settings.nLayers,
    ffn_hidden: 4 * dModel,
    seq_len: settings.seqLen,
    batch_size: settings.batchSize,
    vocab_size: settings.vocabSize,
    threads: settings.threads,
    spinning: settings.spinning,
    device: 'cpu',
    // Other processes' load on the cores: figures taken under load are not the idle-machine target.
    ...hostContext(),
  };
}

/**
 * The MFU reference: a probe of the step's largest product shape, [tokens, d]·[d, ffn], in this process.
 * Time its rounds interleaved with the steps, so that both see the same load.
 */
export function largestProductProbe(
  settings: StepBenchSettings,
  session: SessionSettings,
  dModel: number,
): Promise<MatmulProbe> {
  return MatmulProbe.create(session, {
    m: settings.batchSize * settings.seqLen,
    k: dModel,
    n: 4 * dModel,
  });
}

/** How a ratio's reference product is named in the JSON lines: `[m,k]·[k,n]`. */
export function productName({ m, k, n }: MatmulDims): string {
  return `[${m},${k}]·[${k},${n}]`;
}
