import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSpec } from '@isoflop/planner';
import {
  checkpointPath,
  readCheckpoint,
  trainRun,
  type CheckpointIdentity,
  type TrainRunOptions,
} from '@isoflop/trainer';
import { syntheticShards, tinyRun } from './support/tiny-run.js';

let root: string;
let data: DataSpec;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'isoflop-resume-figures-'));
  data = await syntheticShards(join(root, 'corpus'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

const options = (checkpointDir: string): TrainRunOptions => ({
  dataCacheDir: join(root, 'cache'),
  checkpointDir,
  threads: 1,
});

/**
 * Issue 15, defect 9: a run resumed at its final checkpoint (its worker died after the last checkpoint,
 * before the result reached the queue) recorded 0 tokens/s and a wall time of about 0.1 s, this attempt's
 * alone. Its result must report the whole run's figures.
 */
describe('a run resumed at its final checkpoint', () => {
  it('reports the whole run’s throughput and wall time', async () => {
    const run = tinyRun('arm', data, { id: 'resume-final', steps: 6, checkpointEvery: 3 });
    const dir = join(root, 'ckpt');
    const first = await trainRun(run, options(dir));
    const file = checkpointPath(dir, run.id);
    const bytes = await readFile(file);
    const header = JSON.parse(bytes.subarray(12, 12 + bytes.readUInt32LE(8)).toString('utf8')) as {
      identity: CheckpointIdentity;
    };
    const saved = await readCheckpoint(file, header.identity);
    expect(saved?.step).toBe(run.steps);
    expect(saved?.effort?.trainedSteps).toBe(run.steps);

    const again = await trainRun(run, options(dir));
    expect(first.tokensPerSecond).toBeGreaterThan(0);
    // Same steps, same time inside them: the same throughput, not this attempt's zero.
    expect(again.tokensPerSecond).toBe(first.tokensPerSecond);
    // The first attempt's wall time up to its final checkpoint, plus this attempt's.
    expect(again.wallSeconds).toBeGreaterThan(saved!.effort!.wallSeconds);
    expect(saved!.effort!.wallSeconds).toBeGreaterThan(0.5 * first.wallSeconds);
    expect(saved!.effort!.wallSeconds).toBeLessThanOrEqual(first.wallSeconds);
  });
});
