import { ModelError } from './errors.js';
import { familyModule } from './families/family-table.js';
import { positiveInt } from './internal/config-checks.js';
import { PRECISIONS, type ModelConfig, type ModelShape } from './types.js';

export function validateShape(shape: ModelShape, path = 'shape'): void {
  positiveInt(shape.dModel, `${path}.dModel`);
  positiveInt(shape.nLayers, `${path}.nLayers`);
  positiveInt(shape.nHeads, `${path}.nHeads`);
  positiveInt(shape.ffnHidden, `${path}.ffnHidden`);
  positiveInt(shape.seqLen, `${path}.seqLen`);
  positiveInt(shape.vocabSize, `${path}.vocabSize`);
  if (shape.dModel % shape.nHeads !== 0) {
    throw new ModelError(
      'INVALID_CONFIG',
      `${path}.nHeads`,
      `dModel ${shape.dModel} is not divisible by nHeads ${shape.nHeads}`,
    );
  }
  // RoPE rotates pairs of channels inside each head.
  if ((shape.dModel / shape.nHeads) % 2 !== 0) {
    throw new ModelError(
      'INVALID_CONFIG',
      `${path}.nHeads`,
      `head dimension ${shape.dModel / shape.nHeads} must be even for RoPE`,
    );
  }
}

export function validateModelConfig(config: ModelConfig): void {
  validateShape(config.shape);
  familyModule(config.family).validate(config);
  if (!(PRECISIONS as readonly string[]).includes(config.precision)) {
    throw new ModelError('INVALID_CONFIG', 'precision', `expected 'fp32', 'tf32' or 'mixed'`);
  }
}
