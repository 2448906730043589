import { ADAMW_NAMES, addAdamW, type OpTarget } from '@isoflop/graph';
import { ModelError } from './errors.js';
import type { FloatType } from './feed-inputs.js';
import { FeedBuilder } from './feeds.js';
import { buildModelGraph, trainingLoss, type ModelGraph } from './model-graph.js';
import { initParamValues, type ModelParam } from './param-init.js';
import type { ModelConfig, OptimizerConstants } from './types.js';
import { validateModelConfig } from './validate-config.js';

/** Output names of the graphs built here (besides the optimizer's, see `ADAMW_NAMES`). */
export const GRAPH_OUTPUTS = {
  /** Scalar training loss, nats per token. */
  loss: 'loss',
  /** [B] per-row sums of the valid bound (ARM NLL, MDM NELBO, Prime K). */
  boundRowSums: 'bound_row_sums',
  /** [B] per-row sums of Prime's published objective J (Prime only). */
  objectiveRowSums: 'objective_row_sums',
} as const;

interface GraphBase {
  /** ONNX ModelProto bytes for `InferenceSession.create`. */
  onnx: Uint8Array;
  /** Every graph input in declaration order. */
  inputNames: string[];
  outputNames: string[];
  /** Parameters in order, with shapes, decay flags and init rules; fed as `ADAMW_NAMES.param(name)`. */
  params: ModelParam[];
  /** The per-batch inputs (names from `FEED`) that `feeds` produces for this graph. */
  batchInputs: string[];
  feeds: FeedBuilder;
  batchSize: number;
  floatType: FloatType;
}

/**
 * One training step: forward, backward, global-norm clipping and AdamW. Inputs: params `p.<name>`,
 * moments `m.<name>` and `v.<name>`, scalars `lr` and `step` (1-based, float), and the batch inputs.
 * Outputs: `loss`, `gradNorm` (before clipping), `p.<name>.next`, `m.<name>.next`, `v.<name>.next`.
 */
export interface StepGraph extends GraphBase {
  names: typeof ADAMW_NAMES;
}

/**
 * Evaluation: outputs `bound_row_sums` [B] (and `objective_row_sums` [B] for Prime); divide by
 * `tokensPerRow` for per-row losses (see `evalStatistics`). Inputs: params and batch inputs.
 */
export interface EvalGraph extends GraphBase {
  tokensPerRow: number;
  hasObjective: boolean;
}

export interface BuildOptions {
  /** 'float64' for gradient checks; training uses the config's precision ('fp32' → float32). */
  floatType?: FloatType;
  /** The execution provider the graph is for (default 'cpu'): it picks lowerings, not results. */
  target?: OpTarget;
}

// Static loss scale for mixed precision: keeps float16 gradients of per-token-normalised losses
// (≈1/(B·T) at the logits) above float16's subnormal range; undone in float32 before clipping.
const MIXED_LOSS_SCALE = 1024;

function floatTypeFor(config: ModelConfig, options: BuildOptions): FloatType {
  validateModelConfig(config);
  return options.floatType ?? 'float32';
}

function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ModelError(
      'INVALID_CONFIG',
      'batchSize',
      `expected a positive integer, got ${batchSize}`,
    );
  }
}

/** What every built graph carries: its ONNX bytes, names, parameters and feed builder. */
function graphBase(
  graph: ModelGraph,
  config: ModelConfig,
  batchSize: number,
  floatType: FloatType,
): GraphBase {
  const ir = graph.ctx.b.toIr();
  const inputNames = ir.inputs.map((v) => v.name);
  return {
    onnx: graph.ctx.b.toOnnxBytes(),
    inputNames,
    outputNames: ir.outputs.map((v) => v.name),
    params: graph.ctx.params,
    batchInputs: batchInputsOf(inputNames, graph.ctx.params),
    feeds: new FeedBuilder(config, batchSize, floatType),
    batchSize,
    floatType,
  };
}

function batchInputsOf(inputNames: readonly string[], params: readonly ModelParam[]): string[] {
  const owned = new Set<string>([ADAMW_NAMES.lr, ADAMW_NAMES.step]);
  for (const p of params) {
    owned.add(ADAMW_NAMES.param(p.name));
    owned.add(ADAMW_NAMES.m(p.name));
    owned.add(ADAMW_NAMES.v(p.name));
  }
  return inputNames.filter((n) => !owned.has(n));
}

export function buildTrainStepGraph(
  config: ModelConfig,
  batchSize: number,
  optimizer: OptimizerConstants,
  options: BuildOptions = {},
): StepGraph {
  const floatType = floatTypeFor(config, options);
  checkBatchSize(batchSize);
  const graph = buildModelGraph(config, batchSize, 'train', floatType, options.target);
  const { b } = graph.ctx;
  const loss = trainingLoss(graph, batchSize, config.shape.seqLen);
  b.output(GRAPH_OUTPUTS.loss, loss);
  const paramTensors = b.params.map((p) => p.tensor);
  const grads =
    config.precision === 'mixed' && floatType === 'float32'
      ? b
          .backward(b.mul(loss, MIXED_LOSS_SCALE), paramTensors)
          .map((g) => b.div(g, MIXED_LOSS_SCALE))
      : b.backward(loss, paramTensors);
  addAdamW(b, b.params, grads, optimizer);
  return { ...graphBase(graph, config, batchSize, floatType), names: ADAMW_NAMES };
}

export function buildEvalGraph(
  config: ModelConfig,
  batchSize: number,
  options: BuildOptions = {},
): EvalGraph {
  const floatType = floatTypeFor(config, options);
  checkBatchSize(batchSize);
  const graph = buildModelGraph(config, batchSize, 'eval', floatType, options.target);
  const { b } = graph.ctx;
  b.output(GRAPH_OUTPUTS.boundRowSums, graph.rows.bound ?? graph.trained);
  if (graph.rows.objective !== undefined)
    b.output(GRAPH_OUTPUTS.objectiveRowSums, graph.rows.objective);
  return {
    ...graphBase(graph, config, batchSize, floatType),
    tokensPerRow: config.shape.seqLen,
    hasObjective: graph.rows.objective !== undefined,
  };
}

/** The parameter list of a config (same order and names as the graphs), without building ONNX. */
export function modelParams(config: ModelConfig): ModelParam[] {
  validateModelConfig(config);
  return buildModelGraph(config, 1, 'train', 'float32').ctx.params;
}

/** Seeded initial parameter values (float32), keyed by param name. */
export function initParams(config: ModelConfig, seed: number): Map<string, Float32Array> {
  return initParamValues(modelParams(config), seed);
}
