import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  TrainerError,
  checkpointPath,
  readCheckpoint,
  type CheckpointIdentity,
} from '@isoflop/trainer';

const identity: CheckpointIdentity = {
  runId: 'run-special',
  family: 'arm',
  shape: { dModel: 8, nLayers: 1, nHeads: 2, ffnHidden: 16, vocabSize: 11, seqLen: 4 },
  batchSize: 2,
  tensors: [{ name: 'w', length: 5 }],
};

/**
 * Issue 15, defect 3: a checkpoint that was a symlink to /dev/zero was read until the process reached 7 GB.
 * A checkpoint must be a regular file no larger than its run's state can make it; anything else is refused
 * before a byte is read (a FIFO with no writer would otherwise block the open forever).
 */
describe('a checkpoint path that is not a regular checkpoint file', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'isoflop-ckpt-special-'));
    file = checkpointPath(dir, identity.runId);
    await mkdir(dirname(file), { recursive: true });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ['a symlink to /dev/zero', (path: string) => symlink('/dev/zero', path), /character device/],
    [
      'a FIFO',
      (path: string) => Promise.resolve(execFileSync('mkfifo', [path]).toString()),
      /FIFO/,
    ],
  ])('refuses %s as BAD_CHECKPOINT naming the file', async (_name, make, kind) => {
    await make(file);
    const error = await readCheckpoint(file, identity).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TrainerError);
    expect(error).toMatchObject({ code: 'BAD_CHECKPOINT', path: file });
    expect((error as Error).message).toMatch(/^checkpoint: expected a regular file/);
    expect((error as Error).message).toMatch(kind);
  });

  it('refuses a file larger than any checkpoint of the run could be, unread', async () => {
    // A sparse file: its size says 64 MiB without a byte written, far over 5 floats and a header.
    execFileSync('truncate', ['-s', '64M', file]);
    await expect(readCheckpoint(file, identity)).rejects.toMatchObject({
      code: 'BAD_CHECKPOINT',
      message: expect.stringMatching(/expected at most \d+ bytes/) as string,
    });
  });

  it('still treats a missing checkpoint as none', async () => {
    await expect(readCheckpoint(file, identity)).resolves.toBeUndefined();
  });
});
