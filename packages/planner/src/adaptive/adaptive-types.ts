import type { RunSpec } from '../run-spec.js';
import type { SweepSpec } from '../sweep-spec.js';

/** A finished run as the decision step sees it. */
export interface ObservedRun {
  runId: string;
  /** The spec's key under `families` (the family name itself unless the spec names variants). */
  variant: string;
  budgetFlops: number;
  params: number;
  tokens: number;
  /** Validation loss in nats per token (the family's valid bound). */
  loss: number;
  lossStdErr?: number;
  seed: number;
}

/** The three rules, applied in this order: bracket every minimum, overlap the variants, narrow the target. */
export const ADAPTIVE_RULES = ['bracket', 'overlap', 'narrow'] as const;
export type AdaptiveRule = (typeof ADAPTIVE_RULES)[number];

/** Why a run was added. `code` is machine-readable (e.g. 'min-at-smallest-size'). */
export interface AdaptiveReason {
  rule: AdaptiveRule;
  code: string;
  variant: string;
  budgetFlops: number;
  /** One human sentence. */
  message: string;
}

export interface AddedRun {
  run: RunSpec;
  reason: AdaptiveReason;
}

/**
 * A rule wanted to add a run but a stated limit stopped it. `code` is one of 'smallest-legal-shape',
 * 'largest-legal-shape', 'size-bound', 'max-extra-runs', 'max-extra-compute', 'compute-cap', ...
 */
export interface AdaptiveLimit {
  rule: AdaptiveRule;
  code: string;
  variant: string;
  budgetFlops?: number;
  message: string;
}

export interface AdaptiveStep {
  add: AddedRun[];
  limits: AdaptiveLimit[];
  /** true when nothing more will ever be added given these results (no pending run, nothing added). */
  settled: boolean;
}

export interface AdaptiveStepInput {
  spec: SweepSpec;
  /** Every run of the sweep so far: the spec's plan plus every run an earlier step added. */
  planned: readonly RunSpec[];
  /** Finished runs; a planned run without a result is pending. */
  results: readonly ObservedRun[];
}

/** The pure decision step: same inputs, same output. */
export type DecideAdaptiveStep = (input: AdaptiveStepInput) => AdaptiveStep;
