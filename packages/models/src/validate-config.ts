import { ModelError } from './errors.js';
import { PRECISIONS, type ModelConfig, type ModelShape, type PrimeOptions } from './types.js';

const DEFAULT_EPS = 1e-3;

function positiveInt(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new ModelError('INVALID_CONFIG', field, `expected a positive integer, got ${value}`);
  }
}

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

export function validatePrimeOptions(prime: PrimeOptions, shape: ModelShape, path = 'prime'): void {
  positiveInt(prime.base, `${path}.base`);
  positiveInt(prime.length, `${path}.length`);
  if (prime.base < 2) {
    throw new ModelError(
      'INVALID_CONFIG',
      `${path}.base`,
      `expected at least 2, got ${prime.base}`,
    );
  }
  const codes = prime.base ** prime.length;
  if (codes < shape.vocabSize) {
    throw new ModelError(
      'INVALID_CONFIG',
      `${path}.length`,
      `base^length = ${codes} cannot encode vocabSize ${shape.vocabSize}`,
    );
  }
  if (codes > 2 ** 30) {
    throw new ModelError(
      'INVALID_CONFIG',
      `${path}.length`,
      `base^length = ${codes} codes is too many to tabulate (limit 2^30)`,
    );
  }
  if (prime.embedding === 'cat-share' && shape.dModel % prime.length !== 0) {
    throw new ModelError(
      'INVALID_CONFIG',
      `${path}.embedding`,
      `cat-share needs dModel ${shape.dModel} divisible by length ${prime.length}`,
    );
  }
  if (prime.embedding !== 'cat-share' && prime.embedding !== 'sum') {
    throw new ModelError('INVALID_CONFIG', `${path}.embedding`, `expected 'cat-share' or 'sum'`);
  }
  if (prime.objective !== 'published' && prime.objective !== 'nelbo') {
    throw new ModelError('INVALID_CONFIG', `${path}.objective`, `expected 'published' or 'nelbo'`);
  }
  validateEps(prime.eps ?? DEFAULT_EPS, `${path}.eps`);
}

function validateEps(eps: number, field: string): void {
  if (!(eps > 0 && eps < 1)) {
    throw new ModelError('INVALID_CONFIG', field, `expected 0 < eps < 1, got ${eps}`);
  }
}

/** Time floor of the diffusion families (MDM `mdm.eps`, Prime `prime.eps`), default 1e-3. */
export function diffusionEps(config: ModelConfig): number {
  if (config.family === 'mdm') return config.mdm?.eps ?? DEFAULT_EPS;
  if (config.family === 'mdm-prime-v2') return config.prime?.eps ?? DEFAULT_EPS;
  return DEFAULT_EPS;
}

export function requirePrime(config: ModelConfig): PrimeOptions {
  if (config.prime === undefined) {
    throw new ModelError('INVALID_CONFIG', 'prime', `family 'mdm-prime-v2' needs prime options`);
  }
  return config.prime;
}

export function validateModelConfig(config: ModelConfig): void {
  validateShape(config.shape);
  switch (config.family) {
    case 'arm':
      break;
    case 'mdm':
      if (config.mdm !== undefined) validateEps(config.mdm.eps, 'mdm.eps');
      break;
    case 'mdm-prime-v2':
      validatePrimeOptions(requirePrime(config), config.shape);
      break;
    default:
      throw new ModelError(
        'INVALID_CONFIG',
        'family',
        `expected 'arm', 'mdm' or 'mdm-prime-v2', got ${String(config.family)}`,
      );
  }
  if (!(PRECISIONS as readonly string[]).includes(config.precision)) {
    throw new ModelError('INVALID_CONFIG', 'precision', `expected 'fp32', 'tf32' or 'mixed'`);
  }
}
