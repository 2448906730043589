import {
  ModelError,
  buildEvalGraph,
  buildTrainStepGraph,
  type EvalGraph,
  type ModelConfig,
  type OptimizerConstants,
  type StepGraph,
} from '@isoflop/models';
import type { OpTarget } from '@isoflop/graph';
import { TrainerError } from './errors.js';

/**
 * Step and eval graphs by (config, batch size, optimizer constants, target provider). A worker trains many runs of the same
 * shape at different learning rates (the rate is a feed, not a constant), so building each graph once per
 * process saves the autodiff and serialisation work.
 */
const stepGraphs = new Map<string, StepGraph>();
const evalGraphs = new Map<string, EvalGraph>();

export function cachedStepGraph(
  config: ModelConfig,
  batchSize: number,
  optimizer: OptimizerConstants,
  target: OpTarget,
): StepGraph {
  const key = JSON.stringify([config, batchSize, optimizer, target]);
  let graph = stepGraphs.get(key);
  if (graph === undefined) {
    graph = asShapeError(() => buildTrainStepGraph(config, batchSize, optimizer, { target }));
    stepGraphs.set(key, graph);
  }
  return graph;
}

export function cachedEvalGraph(
  config: ModelConfig,
  batchSize: number,
  target: OpTarget,
): EvalGraph {
  const key = JSON.stringify([config, batchSize, target]);
  let graph = evalGraphs.get(key);
  if (graph === undefined) {
    graph = asShapeError(() => buildEvalGraph(config, batchSize, { target }));
    evalGraphs.set(key, graph);
  }
  return graph;
}

/** A configuration the models package refuses is a shape the trainer cannot run. */
function asShapeError<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof ModelError) {
      throw new TrainerError('SHAPE_REJECTED', `cannot build the model graph: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}
