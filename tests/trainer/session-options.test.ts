import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '@isoflop/graph';
import {
  TrainerError,
  createSession,
  resolveSessionSettings,
  sessionOptions,
} from '@isoflop/trainer';

function tinyModel(): Uint8Array {
  const b = new GraphBuilder({ dtype: 'float32' });
  const x = b.input('x', 'float32', [2, 3]);
  b.output('y', b.mul(x, 2));
  return b.toOnnxBytes();
}

async function failure(promise: Promise<unknown>): Promise<TrainerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TrainerError);
  return error as TrainerError;
}

describe('ORT sessions per device', () => {
  it('keeps intra-op threads from spinning unless asked, and optimises the whole graph', () => {
    const options = sessionOptions(resolveSessionSettings({ threads: 3 }));
    expect(options.intraOpNumThreads).toBe(3);
    expect(options.graphOptimizationLevel).toBe('all');
    expect(options.extra).toEqual({ session: { intra_op: { allow_spinning: '0' } } });
    expect(sessionOptions(resolveSessionSettings({ spinning: true })).extra).toEqual({
      session: { intra_op: { allow_spinning: '1' } },
    });
  });

  it('keeps only the named state outputs on a WebGPU device, in the object form', () => {
    const options = sessionOptions(resolveSessionSettings({ device: 'webgpu' }), ['p.w.next']);
    expect(options.executionProviders).toEqual([
      { name: 'webgpu', storageBufferCacheMode: 'simple' },
    ]);
    expect(options.preferredOutputLocation).toEqual({ 'p.w.next': 'gpu-buffer' });
  });

  it('runs a model on the CPU with the options above', async () => {
    const session = await createSession(tinyModel(), resolveSessionSettings({ threads: 1 }));
    const { Tensor } = await import('onnxruntime-node');
    const out = await session.run({
      x: new Tensor('float32', Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3]),
    });
    expect(Array.from(out['y']?.data as Float32Array)).toEqual([2, 4, 6, 8, 10, 12]);
    await session.release();
  });

  it('reports a model ORT rejects as SHAPE_REJECTED', async () => {
    const error = await failure(
      createSession(Uint8Array.of(1, 2, 3, 4), resolveSessionSettings({ threads: 1 })),
    );
    expect(error.code).toBe('SHAPE_REJECTED');
  });

  it('reports CUDA without its provider libraries as DEVICE_UNAVAILABLE, saying how to install them', async () => {
    const ortDir = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    const cudaLib = join(
      ortDir,
      'bin',
      'napi-v6',
      process.platform,
      process.arch,
      'libonnxruntime_providers_cuda.so',
    );
    if (existsSync(cudaLib)) return;
    const error = await failure(
      createSession(tinyModel(), resolveSessionSettings({ device: 'cuda' })),
    );
    expect(error.code).toBe('DEVICE_UNAVAILABLE');
    expect(error.message).toMatch(/isoflop gpu setup cuda/);
  });

  it('either starts WebGPU or says DEVICE_UNAVAILABLE, never crashes', async () => {
    const attempt = createSession(tinyModel(), resolveSessionSettings({ device: 'webgpu' }), ['y']);
    const outcome = await attempt.then(
      async (session) => {
        await session.release();
        return 'started';
      },
      (error: unknown) => (error instanceof TrainerError ? error.code : String(error)),
    );
    expect(['started', 'DEVICE_UNAVAILABLE']).toContain(outcome);
  });
});
