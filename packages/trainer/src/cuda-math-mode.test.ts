import { describe, expect, it } from 'vitest';
import { TF32_OVERRIDE, applyCudaMathMode } from './cuda-math-mode.js';
import { TrainerError } from './errors.js';

describe('applyCudaMathMode', () => {
  it('turns TF32 off for fp32 on CUDA and leaves it on for tf32 and mixed', () => {
    const env: NodeJS.ProcessEnv = {};
    applyCudaMathMode('cuda', 'fp32', env);
    expect(env[TF32_OVERRIDE]).toBe('0');
    applyCudaMathMode('cuda', 'tf32', env);
    expect(env).not.toHaveProperty(TF32_OVERRIDE);
    env[TF32_OVERRIDE] = '0';
    applyCudaMathMode('cuda', 'mixed', env);
    expect(env).not.toHaveProperty(TF32_OVERRIDE);
  });

  it('touches nothing off CUDA, and refuses tf32 there naming run.precision', () => {
    const env: NodeJS.ProcessEnv = { [TF32_OVERRIDE]: '1' };
    applyCudaMathMode('cpu', 'fp32', env);
    applyCudaMathMode('webgpu', 'mixed', env);
    expect(env).toEqual({ [TF32_OVERRIDE]: '1' });
    const error = (() => {
      try {
        applyCudaMathMode('cpu', 'tf32', env);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(TrainerError);
    expect((error as TrainerError).code).toBe('INVALID_OPTIONS');
    expect((error as TrainerError).path).toBe('run.precision');
  });
});
