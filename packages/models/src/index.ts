export {
  FAMILIES,
  PRECISIONS,
  PRIME_EMBEDDINGS,
  PRIME_OBJECTIVES,
  type Family,
  type ModelConfig,
  type ModelShape,
  type MdmOptions,
  type OptimizerConstants,
  type Precision,
  type PrimeEmbedding,
  type PrimeObjective,
  type PrimeOptions,
} from './types.js';
export { ModelError, type ModelErrorCode } from './errors.js';
export { validateModelConfig, validateShape } from './validate-config.js';
export { primeCodecFor, validatePrimeOptions } from './families/mdm-prime-v2.js';
export {
  countParams,
  flopsPerStep,
  type ParamCounts,
  type EmbeddingLayout,
} from './param-count.js';
export { Rng, randomPermutation } from './rng.js';
export { PrimeCodec, type PrimeCodecOptions, type SerializedPrimeCodec } from './prime-codec.js';
export { FeedBuilder, prepareEvalFeeds, prepareTrainFeeds } from './feeds.js';
export { FEED, type DrawKey, type FeedTensor, type Feeds, type FloatType } from './feed-inputs.js';
export { stratifiedTimes } from './feed-draws.js';
export { unigramObjectives, type UnigramObjectives } from './unigram-objectives.js';
export { initParamValues, type ModelParam, type ParamInit } from './param-init.js';
export {
  GRAPH_OUTPUTS,
  buildEvalGraph,
  buildTrainStepGraph,
  initParams,
  modelParams,
  type BuildOptions,
  type EvalGraph,
  type StepGraph,
} from './step-graph.js';
export {
  buildGradientGraph,
  gradOutputName,
  gradcheckConfig,
  gradcheckModel,
  type GradcheckOptions,
  type GradcheckReport,
  type GradientGraph,
  type GraphRun,
  type OpenGraph,
} from './gradcheck.js';
