import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { primeCodecFor, type PrimeOptions } from '@isoflop/models';
import type { ProgressEvent } from '@isoflop/planner';
import {
  TrainerError,
  checkpointPath,
  readCheckpoint,
  writeCheckpoint,
  type CheckpointIdentity,
  type CheckpointState,
} from '@isoflop/trainer';

const identity: CheckpointIdentity = {
  runId: 'run-a',
  family: 'arm',
  shape: { dModel: 8, nLayers: 1, nHeads: 2, ffnHidden: 16, vocabSize: 11, seqLen: 4 },
  batchSize: 2,
  tensors: [
    { name: 'w', length: 5 },
    { name: 'w.m', length: 5 },
    { name: 'b', length: 3 },
  ],
};

function state(step: number, scale: number): CheckpointState {
  return {
    identity,
    step,
    sampler: { seed: 7, step },
    lastTrainLoss: 2.5 + step,
    tensors: new Map([
      ['w', Float32Array.from([1, 2, 3, 4, 5].map((v) => v * scale))],
      ['w.m', Float32Array.from([0.1, -0.2, 0.3, 1e-30, -7].map((v) => v * scale))],
      ['b', Float32Array.from([Math.PI, -1, 0])],
    ]),
  };
}

async function expectCode(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TrainerError);
  expect((error as TrainerError).code).toBe(code);
  expect((error as TrainerError).message).toMatch(message);
}

describe('checkpoint files', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'isoflop-ckpt-'));
    file = checkpointPath(dir, identity.runId);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips every tensor bit for bit, with step and sampler state', async () => {
    const written = state(3, 1.5);
    await writeCheckpoint(file, written);
    const read = await readCheckpoint(file, identity);
    expect(read?.step).toBe(3);
    expect(read?.sampler).toEqual({ seed: 7, step: 3 });
    expect(read?.lastTrainLoss).toBe(5.5);
    for (const [name, data] of written.tensors) expect(read?.tensors.get(name)).toEqual(data);
    expect(await readdir(join(dir, identity.runId))).toEqual(['checkpoint.ckpt']);
  });

  it('keeps a not-yet-known training loss (a checkpoint before the first step) as NaN', async () => {
    await writeCheckpoint(file, { ...state(0, 1), lastTrainLoss: Number.NaN });
    expect((await readCheckpoint(file, identity))?.lastTrainLoss).toBeNaN();
  });

  it('reports no checkpoint when there is none', async () => {
    expect(await readCheckpoint(file, identity)).toBeUndefined();
  });

  it('rejects a corrupt file: one flipped byte, a truncation, garbage', async () => {
    await writeCheckpoint(file, state(1, 1));
    const good = await readFile(file);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 40] = (flipped[flipped.length - 40] ?? 0) ^ 0xff;
    await writeFile(file, flipped);
    await expectCode(readCheckpoint(file, identity), 'BAD_CHECKPOINT', /checksum/);
    await writeFile(file, good.subarray(0, good.length - 9));
    await expectCode(readCheckpoint(file, identity), 'BAD_CHECKPOINT', /checksum|truncated/);
    await writeFile(file, 'not a checkpoint');
    await expectCode(readCheckpoint(file, identity), 'BAD_CHECKPOINT', /magic/);
  });

  it('rejects a checkpoint written for another shape, naming the difference', async () => {
    await writeCheckpoint(file, state(1, 1));
    await expectCode(
      readCheckpoint(file, { ...identity, shape: { ...identity.shape, dModel: 16 } }),
      'BAD_CHECKPOINT',
      /shape\.dModel 8, expected 16/,
    );
    await expectCode(
      readCheckpoint(file, {
        ...identity,
        tensors: [...identity.tensors, { name: 'c', length: 1 }],
      }),
      'BAD_CHECKPOINT',
      /3 state tensors, expected 4/,
    );
  });

  it('carries the progress reported up to its step, within the room the run allows it', async () => {
    const train = (step: number): ProgressEvent => ({
      kind: 'train',
      runId: identity.runId,
      step,
      steps: 6000,
      tokens: step * 8,
      loss: 1 / 3 + step,
      lr: 1e-3 / 7,
      tokensPerSecond: 1234.5678901234567,
      gradNorm: -0.1 / 3,
    });
    const evaluation: ProgressEvent = {
      kind: 'eval',
      runId: identity.runId,
      step: 2,
      tokens: 16,
      valLoss: 3.25,
      valLossStdErr: 0.01,
    };
    const progress = [train(1), train(2), evaluation, train(3)];
    await writeCheckpoint(file, { ...state(3, 1), progress });
    expect((await readCheckpoint(file, identity))?.progress).toEqual(progress);

    // Reports past the checkpoint's step, or another run's, are not this checkpoint's.
    await writeCheckpoint(file, { ...state(2, 1), progress });
    await expectCode(readCheckpoint(file, identity), 'BAD_CHECKPOINT', /progress event 3/);
    await writeCheckpoint(file, { ...state(3, 1), progress: [{ ...train(1), runId: 'run-b' }] });
    await expectCode(readCheckpoint(file, identity), 'BAD_CHECKPOINT', /progress event 0/);

    // A long history fits only the room its run was given (a step reports at most twice).
    const long = Array.from({ length: 6000 }, (_, i) => train(i + 1));
    await writeCheckpoint(file, { ...state(6000, 1), progress: long });
    await expectCode(
      readCheckpoint(file, identity),
      'BAD_CHECKPOINT',
      /expected at most \d+ bytes/,
    );
    const read = await readCheckpoint(file, identity, undefined, { maxProgressEvents: 12_000 });
    expect(read?.progress).toHaveLength(6000);
  });

  it('never replaces a good checkpoint with a broken state', async () => {
    await writeCheckpoint(file, state(2, 1));
    const before = await readFile(file);
    const broken = state(3, 1);
    (broken.tensors.get('w') as Float32Array)[2] = Number.NaN;
    await expectCode(writeCheckpoint(file, broken), 'BAD_CHECKPOINT', /non-finite values in "w"/);
    const short = state(3, 1);
    short.tensors.set('b', new Float32Array(2));
    await expectCode(writeCheckpoint(file, short), 'BAD_CHECKPOINT', /"b" is of length 2/);
    expect((await readFile(file)).equals(before)).toBe(true);
    expect(await readdir(join(dir, identity.runId))).toEqual(['checkpoint.ckpt']);
  });

  describe('with a Prime codec', () => {
    const prime: PrimeOptions = {
      base: 2,
      length: 4,
      shuffle: true,
      shuffleSeed: 3,
      embedding: 'cat-share',
      objective: 'published',
    };
    const codec = primeCodecFor(11, prime);
    const primeIdentity: CheckpointIdentity = { ...identity, family: 'mdm-prime-v2' };
    const primeState = (codecOf = codec): CheckpointState => ({
      ...state(2, 1),
      identity: primeIdentity,
      codec: codecOf.serialize(),
    });

    it('stores the permutation and its inverse, covered by the checksum', async () => {
      await writeCheckpoint(file, primeState());
      const read = await readCheckpoint(file, primeIdentity, codec);
      expect(read?.codec?.permutation).toEqual(codec.permutation);
      expect(read?.codec?.inverse).toEqual(codec.inverse);
      const { permutation, inverse } = read?.codec ?? codec;
      expect(Array.from(permutation, (code) => inverse[code])).toEqual(
        Array.from({ length: 16 }, (_, x) => x),
      );
      // The shuffle is not the identity, so the comparison above can tell permutations apart.
      expect(Array.from(permutation)).not.toEqual(Array.from({ length: 16 }, (_, x) => x));
      const bytes = await readFile(file);
      const inCodec = Buffer.from(bytes);
      inCodec[bytes.length - 40] = (inCodec[bytes.length - 40] ?? 0) ^ 0x01;
      await writeFile(file, inCodec);
      await expectCode(readCheckpoint(file, primeIdentity, codec), 'BAD_CHECKPOINT', /checksum/);
    });

    it('rejects a checkpoint written with another shuffle, or without or with an unexpected codec', async () => {
      await writeCheckpoint(file, primeState(primeCodecFor(11, { ...prime, shuffleSeed: 4 })));
      await expectCode(
        readCheckpoint(file, primeIdentity, codec),
        'BAD_CHECKPOINT',
        /Prime codec permutation\[\d+\] is \d+, expected \d+ .*shuffleSeed/,
      );
      await writeCheckpoint(file, primeState(primeCodecFor(11, { ...prime, length: 5 })));
      await expectCode(
        readCheckpoint(file, primeIdentity, codec),
        'BAD_CHECKPOINT',
        /Prime codec length 5, expected 4/,
      );
      await writeCheckpoint(file, { ...primeState(), codec: undefined });
      await expectCode(
        readCheckpoint(file, primeIdentity, codec),
        'BAD_CHECKPOINT',
        /holds no Prime codec/,
      );
      await writeCheckpoint(file, primeState());
      await expectCode(
        readCheckpoint(file, primeIdentity),
        'BAD_CHECKPOINT',
        /not an MDM-Prime run/,
      );
    });

    it('refuses to write a codec whose inverse does not invert its permutation', async () => {
      const broken = codec.serialize();
      [broken.permutation[0], broken.permutation[1]] = [
        broken.permutation[1]!,
        broken.permutation[0]!,
      ];
      await expectCode(
        writeCheckpoint(file, { ...primeState(), codec: broken }),
        'BAD_CHECKPOINT',
        /Prime codec permutation\[0\]: not a bijection/,
      );
      expect(await readCheckpoint(file, primeIdentity, codec)).toBeUndefined();
    });
  });
});
