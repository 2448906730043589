import { describe, expect, it } from 'vitest';
import { parseWorkerConfig, workerConfigEnv } from './config.js';

describe('worker configuration', () => {
  it('fails fast naming each bad variable', () => {
    expect(() => parseWorkerConfig({ ISOFLOP_CONCURRENCY: '0', ISOFLOP_DEVICE: 'tpu' })).toThrow(
      /REDIS_URL: required[\s\S]*ISOFLOP_CONCURRENCY: [\s\S]*ISOFLOP_DEVICE: /,
    );
  });

  it('trains at a background niceness unless told otherwise, from 0 to 19', () => {
    const base = { REDIS_URL: 'redis://127.0.0.1:6380' };
    expect(parseWorkerConfig(base).nice).toBe(10);
    expect(parseWorkerConfig({ ...base, ISOFLOP_NICE: '0' }).nice).toBe(0);
    for (const bad of ['-1', '20', '2.5', 'low']) {
      expect(() => parseWorkerConfig({ ...base, ISOFLOP_NICE: bad })).toThrow(/ISOFLOP_NICE: /);
    }
    expect(() => parseWorkerConfig({ ...base, ISOFLOP_NICE: '20' })).toThrow(
      /ISOFLOP_NICE: expected an integer from 0 to 19/,
    );
  });

  it('round-trips through the environment handed to the forked processors', () => {
    const config = parseWorkerConfig({
      REDIS_URL: 'redis://127.0.0.1:6380',
      ISOFLOP_CONCURRENCY: '2',
      ISOFLOP_DEVICE: 'cuda',
      ISOFLOP_THREADS: '3',
      ISOFLOP_STEPS_PER_RUN: '16',
      ISOFLOP_NICE: '4',
      ISOFLOP_WORKER_NAME: 'gpu-1',
    });
    expect(config).toMatchObject({
      concurrency: 2,
      device: 'cuda',
      threads: 3,
      stepsPerRun: 16,
      nice: 4,
      name: 'gpu-1',
      lockDurationMs: 30_000,
    });
    expect(parseWorkerConfig({ ...workerConfigEnv(config), ISOFLOP_CONCURRENCY: '2' })).toEqual(
      config,
    );
  });
});
