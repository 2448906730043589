import type { RunSpec } from '@isoflop/planner';
import type { NewRun } from '@isoflop/store';

/** The stored columns of a planned run (the whole RunSpec rides along for the worker and exports). */
export function toNewRun(run: RunSpec): NewRun {
  return {
    id: run.id,
    family: run.family,
    budgetFlops: run.budgetFlops,
    achievedFlops: run.achievedFlops,
    params: run.params,
    exactParams: run.exactParams,
    tokens: run.tokens,
    steps: run.steps,
    batchSize: run.batchSize,
    dModel: run.shape.dModel,
    nLayers: run.shape.nLayers,
    nHeads: run.shape.nHeads,
    seqLen: run.shape.seqLen,
    spec: run,
  };
}
