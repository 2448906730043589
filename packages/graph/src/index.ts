export { GraphBuilder } from './graph-builder.js';
export type { GraphBuilderOptions } from './graph-builder.js';
export { paramInputName } from './internal/graph-core.js';
export type { GraphStats } from './internal/graph-core.js';
export type { OpTarget } from './lowering.js';
export type { MatMulOptions } from './ops/linalg.js';
export type { Operand } from './ops/elementwise.js';
export { Tensor } from './tensor.js';
export type { ParamSpec } from './tensor.js';
export { ONNX_DATA_TYPE, isFloatDType } from './dtype.js';
export type { DType, FloatDType } from './dtype.js';
export { GraphError } from './errors.js';
export type { GraphErrorCode } from './errors.js';
export { ONNX_IR_VERSION, ONNX_OPSET, encodeOnnxModel } from './onnx-export.js';
export { BLOCK_STEPS_DIM, loopStepGraph } from './step-loop.js';
export type { StepLoopPlan } from './step-loop.js';
export type { IrGraph, IrNode, IrValue, IrValueType } from './internal/ir.js';
export { countMatMulFlops } from './graph-flops.js';
export { ADAMW_NAMES, addAdamW } from './adamw.js';
export type { AdamWConfig, AdamWTensors } from './adamw.js';
export { checkGradients, planProbes, relativeError } from './gradient-check.js';
export type {
  GradientCheckOptions,
  GradientCheckReport,
  GradientCheckTensor,
  TensorGradientError,
} from './gradient-check.js';
export { fromFloat16Bits, toFloat16Bits } from './internal/float16.js';
