import type { RunSpec } from './run-spec.js';

/** One line of `isoflop plan --json` (ARCHITECTURE.md): snake_case, plain numbers. */
export interface PlanRecord {
  id: string;
  sweep: string;
  family: RunSpec['family'];
  /** The spec's key under families: the family itself, or a named variant. */
  variant: string;
  budget_flops: number;
  achieved_flops: number;
  /** achieved_flops / budget_flops - 1. */
  flops_error: number;
  params: number;
  exact_params: number;
  param_convention: RunSpec['paramConvention'];
  tokens: number;
  tokens_per_param: number;
  steps: number;
  d_model: number;
  n_layers: number;
  n_heads: number;
  ffn_hidden: number;
  seq_len: number;
  batch_size: number;
  vocab_size: number;
  prime_length?: number;
  lr: number;
  min_lr: number;
  warmup_steps: number;
  seed: number;
  device: RunSpec['device'];
  precision: RunSpec['precision'];
}

export function toPlanRecord(run: RunSpec): PlanRecord {
  return {
    id: run.id,
    sweep: run.sweepName,
    family: run.family,
    variant: run.variant,
    budget_flops: run.budgetFlops,
    achieved_flops: run.achievedFlops,
    flops_error: run.achievedFlops / run.budgetFlops - 1,
    params: run.params,
    exact_params: run.exactParams,
    param_convention: run.paramConvention,
    tokens: run.tokens,
    tokens_per_param: run.tokens / run.params,
    steps: run.steps,
    d_model: run.shape.dModel,
    n_layers: run.shape.nLayers,
    n_heads: run.shape.nHeads,
    ffn_hidden: run.shape.ffnHidden,
    seq_len: run.shape.seqLen,
    batch_size: run.batchSize,
    vocab_size: run.shape.vocabSize,
    ...(run.prime === undefined ? {} : { prime_length: run.prime.length }),
    lr: run.optimizer.lr,
    min_lr: run.optimizer.minLr,
    warmup_steps: run.optimizer.warmupSteps,
    seed: run.seed,
    device: run.device,
    precision: run.precision,
  };
}
