import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSpec, Family, ProgressEvent, RunResult, RunSpec } from '@isoflop/planner';
import { TrainerError, checkpointPath, trainRun, type TrainRunOptions } from '@isoflop/trainer';
import { syntheticShards, tinyRun } from './support/tiny-run.js';

let root: string;
let data: DataSpec;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'isoflop-step-blocks-'));
  data = await syntheticShards(join(root, 'corpus'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function options(dir: string, stepsPerRun: number, events: ProgressEvent[]): TrainRunOptions {
  return {
    dataCacheDir: join(root, 'cache'),
    checkpointDir: dir,
    threads: 2,
    progressEvery: 1,
    stepsPerRun,
    onProgress: (event) => events.push(event),
  };
}

/** Everything but timings, which differ between runs. */
const comparable = (result: RunResult): object => ({
  ...result,
  wallSeconds: 0,
  tokensPerSecond: 0,
});
/** A checkpoint file: magic (8 bytes), header length (4), JSON header, tensors, SHA-256 (32). */
const headerEnd = (bytes: Buffer): number => 12 + bytes.readUInt32LE(8);
const withoutRate = (events: ProgressEvent[]): object[] =>
  events.map((e) => (e.kind === 'train' ? { ...e, tokensPerSecond: 0 } : e));
/** The checkpoint's header with the timings zeroed: the effort's, and the rates in its progress history. */
function checkpointHeader(bytes: Buffer): object {
  const header = JSON.parse(bytes.subarray(12, headerEnd(bytes)).toString('utf8')) as {
    effort?: { wallSeconds: number; trainSeconds: number; trainedSteps: number };
    progress?: ProgressEvent[];
  };
  expect(header.effort?.trainedSteps).toBeGreaterThan(0);
  expect(header.progress?.length).toBeGreaterThan(0);
  return {
    ...header,
    effort: { ...header.effort, wallSeconds: 0, trainSeconds: 0 },
    progress: withoutRate(header.progress ?? []),
  };
}
const checkpointTensors = (bytes: Buffer): Buffer =>
  bytes.subarray(headerEnd(bytes), bytes.length - 32);

async function failure(promise: Promise<unknown>): Promise<TrainerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TrainerError);
  return error as TrainerError;
}

describe('K optimizer steps per ONNX Runtime run (an ONNX Loop)', () => {
  it.each<Family>(['arm', 'mdm', 'mdm-prime-v2'])(
    '%s: blocks of 4 steps equal single steps bit for bit: losses, evaluations, checkpoint',
    async (family) => {
      // 11 steps, eval every 5 and checkpoints every 3: blocks [0,3) [3,5) [5,6) [6,9) [9,10) [10,11).
      const run = tinyRun(family, data, {
        id: `blocks-${family}`,
        steps: 11,
        checkpointEvery: 3,
        eval: { tokens: 256, every: 5, seed: 0 },
      });
      const singleEvents: ProgressEvent[] = [];
      const single = await trainRun(run, options(join(root, `${family}-k1`), 1, singleEvents));
      const blockEvents: ProgressEvent[] = [];
      const blocked = await trainRun(run, options(join(root, `${family}-k4`), 4, blockEvents));

      expect(withoutRate(blockEvents)).toEqual(withoutRate(singleEvents));
      expect(blockEvents.filter((e) => e.kind === 'train')).toHaveLength(11);
      expect(blockEvents.filter((e) => e.kind === 'eval').map((e) => e.step)).toEqual([5, 10, 11]);
      expect(comparable(blocked)).toEqual(comparable(single));
      // Parameters and both moments, bit for bit, through the checkpoint's bytes; its header too, but for
      // the effort's timings, which differ between any two runs.
      const [a, b] = await Promise.all([
        readFile(checkpointPath(join(root, `${family}-k1`), run.id)),
        readFile(checkpointPath(join(root, `${family}-k4`), run.id)),
      ]);
      expect(checkpointHeader(b)).toEqual(checkpointHeader(a));
      expect(checkpointTensors(b).equals(checkpointTensors(a))).toBe(true);
    },
  );

  it('resumes an aborted blocked run exactly, from the block boundary where it stopped', async () => {
    const run = tinyRun('mdm', data, {
      id: 'blocks-resume',
      steps: 12,
      checkpointEvery: 6,
      eval: { tokens: 256, every: 6, seed: 0 },
    });
    const straightEvents: ProgressEvent[] = [];
    const straight = await trainRun(run, options(join(root, 'resume-straight'), 1, straightEvents));

    const dir = join(root, 'resume-blocked');
    const controller = new AbortController();
    const firstEvents: ProgressEvent[] = [];
    const aborted = await failure(
      trainRun(run, {
        ...options(dir, 4, firstEvents),
        signal: controller.signal,
        onProgress: (event) => {
          firstEvents.push(event);
          if (event.kind === 'train' && event.step === 5) controller.abort();
        },
      }),
    );
    // Blocks [0,4) [4,6): the abort seen at step 5 takes effect when the block ends, at step 6.
    expect(aborted.code).toBe('ABORTED');
    expect(aborted.step).toBe(6);
    const secondEvents: ProgressEvent[] = [];
    const resumed = await trainRun(run, options(dir, 4, secondEvents));
    // The resume first reports again, marked, what the stopped attempt had reported up to its checkpoint.
    const replayed = secondEvents.filter((e) => e.replayed);
    expect(secondEvents.slice(0, replayed.length)).toEqual(replayed);
    expect(replayed).toEqual(firstEvents.map((e) => ({ ...e, replayed: true })));
    const fresh = secondEvents.slice(replayed.length);
    expect(withoutRate([...firstEvents, ...fresh])).toEqual(withoutRate(straightEvents));
    expect(comparable(resumed)).toEqual(comparable(straight));
  });

  it('reports divergence at the first non-finite step inside a block', async () => {
    const diverging = (id: string): RunSpec =>
      tinyRun('arm', data, {
        id,
        steps: 30,
        checkpointEvery: 100,
        eval: { tokens: 256, every: 100, seed: 0 },
        optimizer: {
          ...tinyRun('arm', data).optimizer,
          lr: 1e6,
          minLr: 1e6,
          warmupSteps: 0,
          gradClip: 0,
        },
      });
    const single = await failure(
      trainRun(diverging('diverges-k1'), options(join(root, 'div-k1'), 1, [])),
    );
    const blocked = await failure(
      trainRun(diverging('diverges-k8'), options(join(root, 'div-k8'), 8, [])),
    );
    expect(single.code).toBe('DIVERGED');
    expect(blocked.code).toBe('DIVERGED');
    expect(blocked.step).toBe(single.step);
    expect(blocked.message).toMatch(new RegExp(`at step ${single.step}:`));
  });

  it('rejects a K that is not a positive integer, naming where it came from', async () => {
    const fromOptions = await failure(
      trainRun(tinyRun('arm', data), options(join(root, 'bad-k'), 0, [])),
    );
    expect(fromOptions.code).toBe('INVALID_OPTIONS');
    expect(fromOptions.path).toBe('stepsPerRun');
    const noOption = { ...options(join(root, 'bad-k'), 1, []), stepsPerRun: undefined };
    const fromRun = await failure(trainRun(tinyRun('arm', data, { stepsPerRun: 2.5 }), noOption));
    expect(fromRun.path).toBe('run.stepsPerRun');
    expect(fromRun.message).toMatch(/^run\.stepsPerRun: expected a positive integer, got 2\.5/);
  });
});
