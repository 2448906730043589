import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, readBoundedFile, regularFileProblem } from '@isoflop/data';
import { ModelError, PrimeCodec, type SerializedPrimeCodec } from '@isoflop/models';
import type { ProgressEvent } from '@isoflop/planner';
import { TrainerError } from './errors.js';

/** What a checkpoint must match to be resumed: the run's family, shape, batch and state tensors. */
export interface CheckpointIdentity {
  runId: string;
  family: string;
  shape: Record<string, number>;
  batchSize: number;
  tensors: { name: string; length: number }[];
}

export interface CheckpointState {
  identity: CheckpointIdentity;
  /** Updates completed; the next update is number `step` (0-based). */
  step: number;
  /** The batch sampler is a pure function of (seed, step), so this is all of its state. */
  sampler: { seed: number; step: number };
  lastTrainLoss: number;
  /**
   * What the run has cost up to this checkpoint, over all its attempts, so that a resumed run reports the
   * whole run's wall time and throughput (absent in checkpoints written before it was kept).
   */
  effort?: RunEffort;
  /**
   * Every progress event the run reported up to this step, over all its attempts (absent in checkpoints
   * written before it was kept). A resume reports them again: the attempt that wrote this checkpoint may
   * have died before its reports reached the store, and the resume starts after them.
   */
  progress?: ProgressEvent[];
  /** Parameters and optimizer moments by graph state name, in identity order. */
  tensors: Map<string, Float32Array>;
  /**
   * Prime runs only: the index-shuffling permutation and its inverse. They are part of the model (the
   * parameters mean nothing under another permutation), so they travel with its checkpoints.
   */
  codec?: SerializedPrimeCodec;
}

/** Time and work spent on a run so far, summed over its attempts. */
export interface RunEffort {
  /** Wall time of the attempts, each from its start up to its last checkpoint. */
  wallSeconds: number;
  /** Time inside training steps, and the steps that took it (redone steps count again). */
  trainSeconds: number;
  trainedSteps: number;
}

export const NO_EFFORT: RunEffort = { wallSeconds: 0, trainSeconds: 0, trainedSteps: 0 };

const MAGIC = Buffer.from('ISOFCKP1', 'ascii');
const DIGEST_BYTES = 32;
const CHECKPOINT_FILE = 'checkpoint.ckpt';
/** Room for the JSON header (identity, tensor names, shape) but its progress; real ones are a few kB. */
const MAX_HEADER_BYTES = 1 << 20;
/** Room for one progress event in the header: ten keys and numbers of at most 24 characters, and the id. */
const PROGRESS_EVENT_BYTES = 512;

export interface ReadCheckpointOptions {
  /** The most progress events the run can report (the header's room for them); default 0. */
  maxProgressEvents?: number;
}

/** The most bytes a checkpoint of this identity can hold: anything larger is not one of ours. */
function maxCheckpointBytes(
  expected: CheckpointIdentity,
  codec: PrimeCodec | undefined,
  maxProgressEvents: number,
): number {
  const tensorBytes = expected.tensors.reduce((sum, { length }) => sum + length * 4, 0);
  const codecBytes = codec === undefined ? 0 : 2 * codec.permutation.length * 4;
  const progressBytes = maxProgressEvents * (PROGRESS_EVENT_BYTES + expected.runId.length);
  return (
    MAGIC.length + 4 + MAX_HEADER_BYTES + progressBytes + tensorBytes + codecBytes + DIGEST_BYTES
  );
}

export function checkpointPath(checkpointDir: string, runId: string): string {
  return join(checkpointDir, runId, CHECKPOINT_FILE);
}

interface Header {
  identity: CheckpointIdentity;
  step: number;
  sampler: { seed: number; step: number };
  /** null before the first step: JSON has no NaN. */
  lastTrainLoss: number | null;
  /** Absent in checkpoints written before it was kept. */
  effort?: RunEffort;
  /** Absent in checkpoints written before it was kept. */
  progress?: ProgressEvent[];
  /** The codec's geometry; its permutation and inverse (int32, `codes` each) follow the float32 tensors. */
  codec?: { vocabSize: number; base: number; length: number; codes: number };
}

/**
 * Layout: magic, uint32 LE header length, JSON header, zero padding to 4 bytes, the tensors' float32 data in
 * identity order, for Prime the codec's int32 permutation and inverse, then a SHA-256 of everything before it. Written to a temp file, fsynced, then renamed, so a
 * crash leaves either the old checkpoint or the new one, never a mix.
 */
export async function writeCheckpoint(file: string, state: CheckpointState): Promise<void> {
  for (const { name, length } of state.identity.tensors) {
    const data = state.tensors.get(name);
    if (data === undefined || data.length !== length) {
      throw new TrainerError(
        'BAD_CHECKPOINT',
        `checkpoint state tensor "${name}" is ${data === undefined ? 'missing' : `of length ${data.length}`}, expected length ${length}`,
        { path: file },
      );
    }
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        throw new TrainerError(
          'BAD_CHECKPOINT',
          `refusing to checkpoint non-finite values in "${name}"`,
          {
            path: file,
            step: state.step,
          },
        );
      }
    }
  }
  if (state.codec !== undefined) restoreCodec(state.codec, file);
  const header: Header = {
    identity: state.identity,
    step: state.step,
    sampler: state.sampler,
    lastTrainLoss: Number.isFinite(state.lastTrainLoss) ? state.lastTrainLoss : null,
    ...(state.effort === undefined ? {} : { effort: state.effort }),
    ...(state.progress === undefined ? {} : { progress: state.progress }),
    ...(state.codec === undefined
      ? {}
      : {
          codec: {
            vocabSize: state.codec.vocabSize,
            base: state.codec.base,
            length: state.codec.length,
            codes: state.codec.permutation.length,
          },
        }),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const prefixLength = MAGIC.length + 4 + headerBytes.length;
  const padding = (4 - (prefixLength % 4)) % 4;
  const lengthBytes = Buffer.alloc(4);
  lengthBytes.writeUInt32LE(headerBytes.length + padding);
  const chunks: Buffer[] = [MAGIC, lengthBytes, headerBytes, Buffer.alloc(padding, 0x20)];
  for (const { name } of state.identity.tensors) {
    const data = state.tensors.get(name) as Float32Array;
    chunks.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }
  if (state.codec !== undefined) {
    for (const data of [state.codec.permutation, state.codec.inverse]) {
      chunks.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    }
  }
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  chunks.push(hash.digest());

  await mkdir(join(file, '..'), { recursive: true });
  const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const handle = await open(temp, 'w');
  try {
    for (const chunk of chunks) await handle.write(chunk);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temp, file);
  const dir = await open(join(file, '..'), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/**
 * Reads the checkpoint at `file`: undefined when there is none; BAD_CHECKPOINT when it is corrupt or was
 * written for another run, family, shape or batch size, or when its Prime codec is not `expectedCodec` (the
 * codec the run's config gives; undefined for ARM and MDM, whose checkpoints must hold none).
 */
export async function readCheckpoint(
  file: string,
  expected: CheckpointIdentity,
  expectedCodec?: PrimeCodec,
  options: ReadCheckpointOptions = {},
): Promise<CheckpointState | undefined> {
  const maxBytes = maxCheckpointBytes(expected, expectedCodec, options.maxProgressEvents ?? 0);
  if (regularFileProblem(file, maxBytes)?.code === 'ENOENT') return undefined;
  let bytes: Buffer;
  try {
    // Bounded, and a FIFO or a symlink to /dev/zero is refused before a byte is read.
    bytes = await readBoundedFile(file, 'checkpoint', maxBytes);
  } catch (error) {
    const reason = error instanceof DataError ? error.message : `cannot read checkpoint ${file}`;
    throw new TrainerError('BAD_CHECKPOINT', reason, { path: file, cause: error });
  }
  const bad = (why: string): TrainerError =>
    new TrainerError('BAD_CHECKPOINT', `checkpoint ${file} is unusable: ${why}`, { path: file });

  if (
    bytes.length < MAGIC.length + 4 + DIGEST_BYTES ||
    !bytes.subarray(0, MAGIC.length).equals(MAGIC)
  ) {
    throw bad('not an isoflop checkpoint (bad magic or truncated)');
  }
  const body = bytes.subarray(0, bytes.length - DIGEST_BYTES);
  const digest = createHash('sha256').update(body).digest();
  if (!digest.equals(bytes.subarray(bytes.length - DIGEST_BYTES))) {
    throw bad('checksum mismatch (corrupt or truncated)');
  }
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const payloadStart = MAGIC.length + 4 + headerLength;
  let header: Header;
  try {
    header = JSON.parse(bytes.subarray(MAGIC.length + 4, payloadStart).toString('utf8')) as Header;
  } catch (error) {
    throw new TrainerError('BAD_CHECKPOINT', `checkpoint ${file} has an unreadable header`, {
      path: file,
      cause: error,
    });
  }
  const mismatch = identityMismatch(header.identity, expected);
  if (mismatch !== undefined) throw bad(`written for a different run: ${mismatch}`);
  const progressProblem = progressMismatch(header, expected.runId);
  if (progressProblem !== undefined) throw bad(progressProblem);

  const tensors = new Map<string, Float32Array>();
  let offset = payloadStart;
  for (const { name, length } of expected.tensors) {
    const end = offset + length * 4;
    if (end > body.length) throw bad(`tensor "${name}" runs past the end of the file`);
    const copy = new Float32Array(length);
    new Uint8Array(copy.buffer).set(body.subarray(offset, end));
    tensors.set(name, copy);
    offset = end;
  }
  let codec: SerializedPrimeCodec | undefined;
  if (header.codec !== undefined) {
    const { vocabSize, base, length, codes } = header.codec;
    const sections: Int32Array[] = [];
    for (const section of ['permutation', 'inverse']) {
      const end = offset + codes * 4;
      if (end > body.length) throw bad(`Prime codec ${section} runs past the end of the file`);
      const copy = new Int32Array(codes);
      new Uint8Array(copy.buffer).set(body.subarray(offset, end));
      sections.push(copy);
      offset = end;
    }
    const [permutation, inverse] = sections as [Int32Array, Int32Array];
    codec = restoreCodec({ vocabSize, base, length, permutation, inverse }, file).serialize();
  }
  if (offset !== body.length) throw bad(`${body.length - offset} unexpected trailing bytes`);
  const codecProblem = codecMismatch(codec, expectedCodec);
  if (codecProblem !== undefined) throw bad(codecProblem);
  return {
    identity: header.identity,
    step: header.step,
    sampler: header.sampler,
    lastTrainLoss: header.lastTrainLoss ?? Number.NaN,
    ...(header.effort === undefined ? {} : { effort: header.effort }),
    ...(header.progress === undefined ? {} : { progress: header.progress }),
    tensors,
    ...(codec === undefined ? {} : { codec }),
  };
}

/** A saved codec as a PrimeCodec, which checks that the permutation is a bijection with that inverse. */
function restoreCodec(codec: SerializedPrimeCodec, file: string): PrimeCodec {
  try {
    return PrimeCodec.fromSerialized(codec);
  } catch (error) {
    if (!(error instanceof ModelError)) throw error;
    throw new TrainerError('BAD_CHECKPOINT', `checkpoint ${file}: Prime codec ${error.message}`, {
      path: file,
      cause: error,
    });
  }
}

/** How a checkpoint's Prime codec differs from the run's, in words; undefined when they are the same. */
function codecMismatch(
  found: SerializedPrimeCodec | undefined,
  expected: PrimeCodec | undefined,
): string | undefined {
  if (found === undefined && expected === undefined) return undefined;
  if (found === undefined)
    return 'it holds no Prime codec (index-shuffling permutation), the run needs one';
  if (expected === undefined) return 'it holds a Prime codec, but the run is not an MDM-Prime run';
  for (const key of ['vocabSize', 'base', 'length'] as const) {
    if (found[key] !== expected[key]) {
      return `Prime codec ${key} ${found[key]}, expected ${expected[key]}`;
    }
  }
  for (let x = 0; x < expected.permutation.length; x++) {
    if (found.permutation[x] !== expected.permutation[x]) {
      return (
        `Prime codec permutation[${x}] is ${found.permutation[x]}, expected ${expected.permutation[x]} ` +
        '(written with another index shuffle: prime.shuffle or prime.shuffleSeed differ)'
      );
    }
  }
  return undefined;
}

/**
 * What is wrong with a header's progress history, in words: each event must be this run's, of a known kind,
 * and of a step the checkpoint has reached (the digest already vouches for the rest).
 */
function progressMismatch(header: Header, runId: string): string | undefined {
  if (header.progress === undefined) return undefined;
  if (!Array.isArray(header.progress)) return 'its progress history is not a list';
  for (const [index, event] of header.progress.entries()) {
    const { kind, runId: eventRunId, step } = (event ?? {}) as Partial<ProgressEvent>;
    if (
      (kind !== 'train' && kind !== 'eval') ||
      eventRunId !== runId ||
      !Number.isInteger(step) ||
      (step as number) < 1 ||
      (step as number) > header.step
    ) {
      return `progress event ${index} is not a report of this run up to step ${header.step}`;
    }
  }
  return undefined;
}

/** The first difference between two identities, in words; undefined when they match. */
function identityMismatch(
  found: CheckpointIdentity,
  expected: CheckpointIdentity,
): string | undefined {
  if (found.runId !== expected.runId) return `run id ${found.runId}, expected ${expected.runId}`;
  if (found.family !== expected.family)
    return `family ${found.family}, expected ${expected.family}`;
  for (const key of new Set([...Object.keys(found.shape), ...Object.keys(expected.shape)])) {
    if (found.shape[key] !== expected.shape[key]) {
      return `shape.${key} ${String(found.shape[key])}, expected ${String(expected.shape[key])}`;
    }
  }
  if (found.batchSize !== expected.batchSize) {
    return `batchSize ${found.batchSize}, expected ${expected.batchSize}`;
  }
  if (found.tensors.length !== expected.tensors.length) {
    return `${found.tensors.length} state tensors, expected ${expected.tensors.length}`;
  }
  for (let i = 0; i < expected.tensors.length; i++) {
    const f = found.tensors[i];
    const e = expected.tensors[i];
    if (f?.name !== e?.name || f?.length !== e?.length) {
      return `state tensor ${i} is ${f?.name}[${f?.length}], expected ${e?.name}[${e?.length}]`;
    }
  }
  return undefined;
}
