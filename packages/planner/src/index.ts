export * from './run-spec.js';
export { PLANNER_ERRORS, SpecError, type PlannerErrorCode, type SpecIssue } from './errors.js';
export {
  FIT_ESTIMATORS,
  sweepSpecSchema,
  type SweepSpec,
  type SweepSpecInput,
  type VariantOptions,
} from './sweep-spec.js';
export { SPEC_LIMITS } from './spec-limits.js';
export { parseSweepSpec, validateSweepSpec, type SpecFormat } from './parse-sweep-spec.js';
export { planSweep, FLOPS_TOLERANCE } from './plan-sweep.js';
export { runId, canonicalJson } from './run-id.js';
export { GPT2_VOCAB_SIZE, primeLength, vocabSizeOf } from './vocab.js';
export { PAPER_ARM_GRID, PAPER_DIFFUSION_GRID, paperGrid, type PaperSize } from './paper-grid.js';
export {
  dModelMultiple,
  shapeForParams,
  type BackboneShape,
  type ShapeRule,
  type ShapeChoice,
} from './shape-rule.js';
export { specFiles, withResolvedFiles, type SpecFile } from './spec-files.js';
export { sweepSpecJsonSchema } from './json-schema.js';
export { toPlanRecord, type PlanRecord } from './plan-record.js';
export {
  ADAPTIVE_RULES,
  type AdaptiveLimit,
  type AdaptiveReason,
  type AdaptiveRule,
  type AdaptiveStep,
  type AdaptiveStepInput,
  type AddedRun,
  type DecideAdaptiveStep,
  type ObservedRun,
} from './adaptive/adaptive-types.js';
export { decideAdaptiveStep } from './adaptive/decide-adaptive-step.js';
export { adaptiveSpecSchema, type AdaptiveSpec } from './adaptive/adaptive-spec.js';
