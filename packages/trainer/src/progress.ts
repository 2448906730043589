import type { Family } from '@isoflop/planner';

/** What the trainer reports while it runs (the worker forwards these as job progress). */
export type ProgressEvent =
  | {
      kind: 'train';
      runId: string;
      step: number;
      steps: number;
      tokens: number;
      loss: number;
      lr: number;
      tokensPerSecond: number;
      gradNorm: number;
    }
  | {
      kind: 'eval';
      runId: string;
      step: number;
      tokens: number;
      valLoss: number;
      valLossStdErr: number;
      primeObjective?: number;
      primeObjectiveStdErr?: number;
    };

export interface RunResult {
  runId: string;
  family: Family;
  /** The valid bound in nats per token: ARM exact NLL, MDM NELBO, Prime K. */
  valLoss: number;
  valLossStdErr: number;
  /** Prime's J: a training objective, not a bound on the NLL. */
  primeObjective?: number;
  primeObjectiveStdErr?: number;
  finalTrainLoss: number;
  steps: number;
  tokens: number;
  wallSeconds: number;
  tokensPerSecond: number;
}
