import { ModelError } from '../errors.js';

/** Time floor of the diffusion families when their options leave it out. */
export const DEFAULT_EPS = 1e-3;

export function positiveInt(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new ModelError('INVALID_CONFIG', field, `expected a positive integer, got ${value}`);
  }
}

export function validateEps(eps: number, field: string): void {
  if (!(eps > 0 && eps < 1)) {
    throw new ModelError('INVALID_CONFIG', field, `expected 0 < eps < 1, got ${eps}`);
  }
}
