import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { primeCodecFor } from '@isoflop/models';
import type { DataSpec, Family, ProgressEvent, RunResult, RunSpec } from '@isoflop/planner';
import {
  TrainerError,
  checkpointPath,
  learningRate,
  readCheckpoint,
  trainRun,
  writeCheckpoint,
  type CheckpointIdentity,
  type TrainRunOptions,
} from '@isoflop/trainer';
import { syntheticShards, tinyRun } from './support/tiny-run.js';

let root: string;
let data: DataSpec;
let cacheDir: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'isoflop-train-run-'));
  cacheDir = join(root, 'cache');
  data = await syntheticShards(join(root, 'corpus'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<TrainerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TrainerError);
  return error as TrainerError;
}

function options(checkpointDir: string, events?: ProgressEvent[]): TrainRunOptions {
  return {
    dataCacheDir: cacheDir,
    checkpointDir,
    threads: 1,
    progressEvery: 1,
    ...(events === undefined ? {} : { onProgress: (event: ProgressEvent) => events.push(event) }),
  };
}

/** The identity a checkpoint was written with, from its JSON header (magic, uint32 LE length, header). */
async function writtenIdentity(file: string): Promise<CheckpointIdentity> {
  const bytes = await readFile(file);
  const header = bytes.subarray(12, 12 + bytes.readUInt32LE(8)).toString('utf8');
  return (JSON.parse(header) as { identity: CheckpointIdentity }).identity;
}

const trainLosses = (events: ProgressEvent[]): [number, number][] =>
  events.flatMap((e) => (e.kind === 'train' ? [[e.step, e.loss] as [number, number]] : []));

describe('trainRun', () => {
  it('resumes an aborted run to exactly the uninterrupted loss curve and result', async () => {
    const run = tinyRun('arm', data, {
      steps: 10,
      checkpointEvery: 3,
      eval: { tokens: 256, every: 5, seed: 0 },
    });
    // Two intra-op threads, as on a 2-core worker: the split of work between threads must not change a bit.
    const twoThreads = (dir: string, events?: ProgressEvent[]): TrainRunOptions => ({
      ...options(dir, events),
      threads: 2,
    });
    const straightEvents: ProgressEvent[] = [];
    const straight = await trainRun(run, twoThreads(join(root, 'straight'), straightEvents));

    const resumedDir = join(root, 'resumed');
    const controller = new AbortController();
    const firstEvents: ProgressEvent[] = [];
    const aborted = await failure(
      trainRun(run, {
        ...twoThreads(resumedDir),
        signal: controller.signal,
        onProgress: (event) => {
          firstEvents.push(event);
          if (event.kind === 'train' && event.step === 4) controller.abort();
        },
      }),
    );
    expect(aborted.code).toBe('ABORTED');
    expect(aborted.step).toBe(4);
    const resumedEvents: ProgressEvent[] = [];
    const resumed = await trainRun(run, twoThreads(resumedDir, resumedEvents));
    // It first reports again, marked, what the aborted attempt reported up to its checkpoint at step 4:
    // that attempt may have died before its reports were stored.
    const replayed = resumedEvents.filter((e) => e.replayed);
    expect(replayed).toEqual(firstEvents.map((e) => ({ ...e, replayed: true })));
    expect(resumedEvents.slice(0, replayed.length)).toEqual(replayed);
    const secondEvents = resumedEvents.slice(replayed.length);

    expect(trainLosses(firstEvents)).toEqual(trainLosses(straightEvents).slice(0, 4));
    expect(trainLosses(secondEvents)).toEqual(trainLosses(straightEvents).slice(4));
    const evals = (events: ProgressEvent[]): ProgressEvent[] =>
      events.filter((e) => e.kind === 'eval');
    expect(evals(secondEvents)).toEqual(evals(straightEvents));
    expect(evals(straightEvents).map((e) => e.step)).toEqual([5, 10]);
    // Each step reports the rate it trained with: warmup, then cosine to the floor at the last step.
    const rates = straightEvents.flatMap((e) => (e.kind === 'train' ? [e.lr] : []));
    expect(rates).toEqual(
      Array.from({ length: 10 }, (_, step) => learningRate(run.optimizer, step, run.steps)),
    );
    expect(rates[9]).toBeCloseTo(run.optimizer.minLr, 12);
    // Timings differ between runs; everything else must match exactly.
    const comparable = (result: RunResult): object => ({
      ...result,
      wallSeconds: 0,
      tokensPerSecond: 0,
    });
    expect(comparable(resumed)).toEqual(comparable(straight));
    expect(straight.steps).toBe(10);
    expect(straight.tokens).toBe(10 * run.batchSize * run.shape.seqLen);
    expect(straight.valLossStdErr).toBeGreaterThan(0);
  });

  it('stops with DIVERGED and the step when the loss blows up, keeping the last good checkpoint', async () => {
    const run = tinyRun('arm', data, {
      id: 'diverges',
      steps: 30,
      checkpointEvery: 1,
      optimizer: {
        ...tinyRun('arm', data).optimizer,
        lr: 1e6,
        minLr: 1e6,
        warmupSteps: 0,
        gradClip: 0,
      },
    });
    const dir = join(root, 'diverged');
    const error = await failure(trainRun(run, options(dir)));
    expect(error.code).toBe('DIVERGED');
    expect(error.step).toBeGreaterThan(0);
    expect(error.message).toMatch(new RegExp(`at step ${error.step}`));
    // The checkpoint on disk is the last finite state, from before the divergence, and still loads.
    const retry = await failure(trainRun(run, options(dir)));
    expect(retry.code).toBe('DIVERGED');
    expect(retry.step).toBe(error.step);
  });

  it('refuses a corrupt checkpoint or one from another shape, and leaves it untouched', async () => {
    const run = tinyRun('arm', data, { id: 'guarded', steps: 2, checkpointEvery: 1 });
    const dir = join(root, 'guarded');
    await trainRun(run, options(dir));
    const file = checkpointPath(dir, run.id);
    const good = await readFile(file);

    const otherShape = tinyRun('arm', data, {
      id: 'guarded',
      steps: 2,
      shape: { ...run.shape, dModel: 64 },
    });
    const shapeError = await failure(trainRun(otherShape, options(dir)));
    expect(shapeError.code).toBe('BAD_CHECKPOINT');
    expect(shapeError.message).toMatch(/shape\.dModel 48, expected 64/);
    expect((await readFile(file)).equals(good)).toBe(true);

    const corrupt = Buffer.from(good);
    corrupt[200] = (corrupt[200] ?? 0) ^ 0x55;
    await writeFile(file, corrupt);
    const corruptError = await failure(trainRun(run, options(dir)));
    expect(corruptError.code).toBe('BAD_CHECKPOINT');
    expect(corruptError.message).toMatch(/checksum/);
    expect((await readFile(file)).equals(corrupt)).toBe(true);
  });

  it('rejects a shape the model cannot be built for, naming the field', async () => {
    const run = tinyRun('arm', data, {
      id: 'bad-shape',
      shape: { ...tinyRun('arm', data).shape, nHeads: 5 },
    });
    const error = await failure(trainRun(run, options(join(root, 'bad-shape'))));
    expect(error.code).toBe('SHAPE_REJECTED');
    expect(error.message).toMatch(/nHeads/);
  });

  it('rejects bad options before doing any work', async () => {
    const error = await failure(
      trainRun(tinyRun('arm', data), { ...options(join(root, 'x')), threads: 0 }),
    );
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.message).toMatch(/^threads/);
    const steps = await failure(
      trainRun(tinyRun('arm', data, { steps: 0 }), options(join(root, 'x'))),
    );
    expect(steps.message).toMatch(/run\.steps/);
  });

  it.each<Family>(['mdm', 'mdm-prime-v2'])(
    'trains %s a few steps and reports its bound',
    async (family) => {
      const events: ProgressEvent[] = [];
      const result = await trainRun(
        tinyRun(family, data, { steps: 4 }),
        options(join(root, family), events),
      );
      expect(result.family).toBe(family);
      expect(Number.isFinite(result.valLoss)).toBe(true);
      expect(result.valLoss).toBeGreaterThan(0);
      expect(result.valLossStdErr).toBeGreaterThan(0);
      expect(trainLosses(events).map(([step]) => step)).toEqual([1, 2, 3, 4]);
      if (family === 'mdm-prime-v2') {
        expect(Number.isFinite(result.primeObjective)).toBe(true);
        expect(result.primeObjectiveStdErr).toBeGreaterThan(0);
      } else {
        expect(result.primeObjective).toBeUndefined();
      }
    },
  );

  it('saves the Prime index shuffle with its checkpoints and refuses one written with another', async () => {
    const run = tinyRun('mdm-prime-v2', data, { id: 'prime-codec', steps: 2, checkpointEvery: 1 });
    const prime = run.prime as NonNullable<RunSpec['prime']>;
    const dir = join(root, 'prime-codec');
    await trainRun(run, options(dir));
    // Resuming checks the saved shuffle against the one the run's config gives: the same one passes.
    const resumed = await trainRun({ ...run, steps: 3 }, options(dir));
    expect(resumed.steps).toBe(3);
    const file = checkpointPath(dir, run.id);
    const identity = await writtenIdentity(file);
    const codec = primeCodecFor(run.shape.vocabSize, prime);
    const saved = await readCheckpoint(file, identity, codec);
    expect(saved?.codec?.permutation).toEqual(codec.permutation);
    expect(saved?.codec?.inverse).toEqual(codec.inverse);
    const { permutation, inverse } = saved?.codec ?? codec;
    expect(Array.from(permutation, (code) => inverse[code])).toEqual(
      Array.from(permutation, (_, x) => x),
    );

    // The same parameters under another shuffle, written through the checkpoint writer (valid checksum).
    const otherShuffle = primeCodecFor(run.shape.vocabSize, { ...prime, shuffleSeed: 1 });
    await writeCheckpoint(file, {
      ...(saved as NonNullable<typeof saved>),
      codec: otherShuffle.serialize(),
    });
    const altered = await readFile(file);
    const error = await failure(trainRun({ ...run, steps: 4 }, options(dir)));
    expect(error.code).toBe('BAD_CHECKPOINT');
    expect(error.message).toMatch(/Prime codec permutation\[\d+\] is \d+, expected \d+/);
    expect((await readFile(file)).equals(altered)).toBe(true);
  });

  it('rejects an evaluation of fewer than 2 validation rows (no standard error) before any work', async () => {
    const dir = join(root, 'one-row');
    const oneRow = tinyRun('arm', data, {
      id: 'one-row',
      batchSize: 1,
      eval: { tokens: 16, every: 4, seed: 0 },
    });
    const error = await failure(trainRun(oneRow, options(dir)));
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.path).toBe('run.eval.tokens');
    expect(error.message).toMatch(/^run\.eval\.tokens: 16 tokens give 1 validation row/);
    expect(existsSync(dir)).toBe(false);

    const twoRows = await trainRun(
      { ...oneRow, steps: 1, eval: { ...oneRow.eval, tokens: 17 } },
      options(dir),
    );
    expect(twoRows.valLossStdErr).toBeGreaterThan(0);

    // Enough tokens asked for, but a validation split of 20 tokens holds a single row of 17.
    const shortVal = await syntheticShards(join(root, 'short-val-corpus'), 200);
    const short = await failure(
      trainRun(
        { ...oneRow, id: 'short-val', data: shortVal, eval: { ...oneRow.eval, tokens: 64 } },
        options(join(root, 'short-val')),
      ),
    );
    expect(short.code).toBe('INVALID_OPTIONS');
    expect(short.message).toMatch(
      /^run\.eval\.tokens: 64 tokens give 1 validation row \(all the validation split holds/,
    );
  });

  it('rejects more evaluation tokens than the validation split holds, instead of evaluating on fewer', async () => {
    // Before: the evaluation was silently cut to the 5 rows the split holds.
    const smallVal = await syntheticShards(join(root, 'small-val-corpus'), 1000);
    const run = tinyRun('arm', smallVal, {
      id: 'small-val',
      batchSize: 1,
      eval: { tokens: 160, every: 4, seed: 0 },
    });
    const error = await failure(trainRun(run, options(join(root, 'small-val'))));
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(error.path).toBe('run.eval.tokens');
    expect(error.message).toMatch(
      /^run\.eval\.tokens: 160 tokens need 10 validation rows of 17 tokens, the validation split holds 5/,
    );
  });
});
