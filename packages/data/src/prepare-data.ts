import { chmod, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { setImmediate } from 'node:timers/promises';
import { join } from 'node:path';
import {
  validateDataSpec,
  type DataSpec,
  type ShardDtype,
  type TextTokenizerSpec,
  type ValidDataSpec,
} from './data-spec.js';
import { contentHash } from './internal/content-hash.js';
import { withPrepareLock } from './internal/prepare-lock.js';
import { gpt2Tokenizer } from './internal/gpt2-tokenizer.js';
import { bpeTokenizerJson, hfBpeTokenizer } from './internal/hf-bpe-tokenizer.js';
import { readTextCorpus, type TextCorpus } from './internal/read-corpus.js';
import { splitDocuments } from './internal/split-documents.js';
import { trainBpeMerges } from './internal/train-bpe-merges.js';
import {
  DATA_FORMAT_VERSION,
  HEADER_FILE,
  openPreparedData,
  TOKENIZER_FILE,
  TRAIN_FILE,
  VAL_FILE,
  type PreparedData,
  type PreparedDataHeader,
} from './prepared-data.js';
import { sha256Hex, type TextTokenizer } from './text-tokenizer.js';
import { dtypeForVocab, readShard, shardBytes, type TokenShard } from './token-shard.js';

export interface PrepareDataOptions {
  /** Root of the cache; preparations land in `<cacheDir>/data/<contentHash>/`. */
  readonly cacheDir: string;
  /**
   * Called as text is tokenised: bytes of text done, out of the corpus total (for pre-tokenised shards, once,
   * with their size). Never called when the cached entry is reused.
   */
  readonly onProgress?: (done: number, total: number) => void;
}

const require = createRequire(import.meta.url);
const libraryVersion = (name: string): string =>
  (require(`${name}/package.json`) as { version: string }).version;

/** Documents are encoded a few hundred KiB at a time so that progress moves smoothly. */
const ENCODE_CHUNK_BYTES = 1 << 19;

interface Built {
  readonly tokenizerJson: string;
  readonly header: Omit<PreparedDataHeader, 'contentHash' | 'formatVersion'>;
  readonly train: Uint16Array | Uint32Array;
  readonly val: Uint16Array | Uint32Array;
}

function hashDescriptor(spec: ValidDataSpec): unknown {
  if (spec.kind === 'shards') {
    const { dtype, vocabSize } = spec.corpus;
    return { formatVersion: DATA_FORMAT_VERSION, corpus: { kind: 'shards', dtype, vocabSize } };
  }
  const { corpus, tokenizer, valFraction } = spec;
  const library = tokenizer.kind === 'gpt2' ? 'gpt-tokenizer' : 'tokenizers';
  return {
    formatVersion: DATA_FORMAT_VERSION,
    corpus:
      corpus.kind === 'jsonl' ? { kind: corpus.kind, field: corpus.field } : { kind: corpus.kind },
    tokenizer,
    split: { rule: 'document-sha256', valFraction },
    library: { name: library, version: libraryVersion(library) },
  };
}

async function encodeDocuments(
  tokenizer: TextTokenizer,
  documents: readonly string[],
  dtype: ShardDtype,
  progress: (bytes: number) => void,
): Promise<Uint16Array | Uint32Array> {
  const pieces: Uint32Array[] = [];
  let chunk: string[] = [];
  let chunkBytes = 0;
  const flush = async (): Promise<void> => {
    pieces.push(...(await tokenizer.encode(chunk)));
    progress(chunkBytes);
    // GPT-2 encodes synchronously; yielding a macrotask lets a progress bar's timer redraw.
    await setImmediate();
    chunk = [];
    chunkBytes = 0;
  };
  for (const document of documents) {
    chunk.push(document);
    chunkBytes += Buffer.byteLength(document, 'utf8');
    if (chunkBytes >= ENCODE_CHUNK_BYTES) await flush();
  }
  if (chunk.length > 0) await flush();
  // Every document is followed by end-of-text, as in GPT-2 / Megatron `--append-eod` packing.
  const total = pieces.reduce((sum, ids) => sum + ids.length + 1, 0);
  const out = dtype === 'uint16' ? new Uint16Array(total) : new Uint32Array(total);
  let at = 0;
  for (const ids of pieces) {
    out.set(ids, at);
    out[at + ids.length] = tokenizer.eotId;
    at += ids.length + 1;
  }
  return out;
}

async function buildTokenizer(
  spec: TextTokenizerSpec,
  trainDocuments: readonly string[],
  workDir: string,
): Promise<TextTokenizer> {
  if (spec.kind === 'gpt2') return gpt2Tokenizer();
  const corpusFile = join(workDir, 'bpe-training.txt');
  await writeFile(corpusFile, trainDocuments.join('\n'));
  const merges = await trainBpeMerges([corpusFile], join(workDir, 'bpe-trained.json'));
  await Promise.all([rm(corpusFile), rm(join(workDir, 'bpe-trained.json'))]);
  return hfBpeTokenizer(bpeTokenizerJson(merges, spec.vocabSize));
}

async function buildFromText(
  spec: Extract<ValidDataSpec, { kind: 'text' }>,
  corpus: TextCorpus,
  workDir: string,
  onProgress: (done: number, total: number) => void,
): Promise<Built> {
  const { documents } = corpus;
  const split = splitDocuments(documents, spec.valFraction);
  const pick = (indices: readonly number[]): string[] =>
    indices.map((index) => documents[index] ?? '');
  const trainDocuments = pick(split.train);
  const valDocuments = pick(split.val);
  const totalBytes = documents.reduce((sum, text) => sum + Buffer.byteLength(text, 'utf8'), 0);
  onProgress(0, totalBytes);
  const tokenizer = await buildTokenizer(spec.tokenizer, trainDocuments, workDir);
  const dtype = dtypeForVocab(tokenizer.vocabSize);
  let done = 0;
  const progress = (bytes: number): void => {
    done += bytes;
    onProgress(done, totalBytes);
  };
  const train = await encodeDocuments(tokenizer, trainDocuments, dtype, progress);
  const val = await encodeDocuments(tokenizer, valDocuments, dtype, progress);
  return {
    tokenizerJson: tokenizer.json,
    train,
    val,
    header: {
      corpus: { kind: spec.corpus.kind, documents: documents.length, bytes: totalBytes },
      tokenizer: {
        kind: tokenizer.kind,
        hash: tokenizer.hash,
        vocabSize: tokenizer.vocabSize,
        eotId: tokenizer.eotId,
      },
      dtype,
      split: { rule: 'document-sha256', valFraction: spec.valFraction },
      train: { file: TRAIN_FILE, tokens: train.length, documents: trainDocuments.length },
      val: { file: VAL_FILE, tokens: val.length, documents: valDocuments.length },
    },
  };
}

function buildFromShards(
  train: TokenShard,
  val: TokenShard,
  onProgress: (done: number, total: number) => void,
): Built {
  const { vocabSize } = train;
  const bytes = train.tokens.byteLength + val.tokens.byteLength;
  onProgress(bytes, bytes);
  // Pre-tokenised shards carry no tokenizer; by the GPT-2 convention end-of-text is the last id.
  const tokenizerJson = JSON.stringify({ kind: 'none', vocabSize, eotId: vocabSize - 1 });
  return {
    tokenizerJson,
    train: train.tokens,
    val: val.tokens,
    header: {
      corpus: { kind: 'shards', documents: null, bytes: null },
      tokenizer: { kind: 'none', hash: sha256Hex(tokenizerJson), vocabSize, eotId: vocabSize - 1 },
      dtype: train.dtype,
      split: { rule: 'given-shards', valFraction: null },
      train: { file: TRAIN_FILE, tokens: train.tokens.length, documents: null },
      val: { file: VAL_FILE, tokens: val.tokens.length, documents: null },
    },
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Turns a corpus into train/val token shards under `<cacheDir>/data/<contentHash>/`, or reuses that directory
 * when it already exists. The spec and every input file are checked before anything is written; the result
 * is built in a temporary sibling and renamed into place, so a crash leaves no half-written entry. Workers
 * preparing the same data at once take turns on a lock file: one builds, the others wait and reuse it.
 */
export async function prepareData(
  dataSpec: DataSpec,
  opts: PrepareDataOptions,
): Promise<PreparedData> {
  const spec = validateDataSpec(dataSpec);
  const onProgress = opts.onProgress ?? ((): void => undefined);
  const input =
    spec.kind === 'shards'
      ? {
          kind: 'shards' as const,
          train: await readShard(spec.corpus.train, spec.corpus.dtype, spec.corpus.vocabSize, {
            field: 'data.corpus.train',
            code: 'BAD_CORPUS',
          }),
          val: await readShard(spec.corpus.val, spec.corpus.dtype, spec.corpus.vocabSize, {
            field: 'data.corpus.val',
            code: 'BAD_CORPUS',
          }),
        }
      : { kind: 'text' as const, spec, corpus: await readTextCorpus(spec.corpus) };
  const sources =
    input.kind === 'shards'
      ? [shardBytes(input.train.tokens), shardBytes(input.val.tokens)]
      : input.corpus.sources;
  const hash = contentHash(hashDescriptor(spec), sources);
  const dataDir = join(opts.cacheDir, 'data');
  const finalDir = join(dataDir, hash);
  const isDone = (): Promise<boolean> => exists(join(finalDir, HEADER_FILE));
  const reuse = (): Promise<PreparedData> => openPreparedData(finalDir);
  if (await isDone()) return reuse();

  await mkdir(dataDir, { recursive: true });
  const tempPrefix = `.tmp-${hash.slice(0, 16)}-`;
  return withPrepareLock(join(dataDir, `.lock-${hash}`), isDone, reuse, async () => {
    // Holding the lock, any other temp dir for this entry was left by a preparer that crashed.
    const leftovers = (await readdir(dataDir)).filter((name) => name.startsWith(tempPrefix));
    await Promise.all(
      leftovers.map((name) => rm(join(dataDir, name), { recursive: true, force: true })),
    );
    const workDir = await mkdtemp(join(dataDir, tempPrefix));
    try {
      const built =
        input.kind === 'shards'
          ? buildFromShards(input.train, input.val, onProgress)
          : await buildFromText(input.spec, input.corpus, workDir, onProgress);
      const header: PreparedDataHeader = {
        formatVersion: DATA_FORMAT_VERSION,
        contentHash: hash,
        ...built.header,
      };
      await writeFile(join(workDir, TRAIN_FILE), shardBytes(built.train));
      await writeFile(join(workDir, VAL_FILE), shardBytes(built.val));
      await writeFile(join(workDir, TOKENIZER_FILE), built.tokenizerJson);
      await writeFile(join(workDir, HEADER_FILE), `${JSON.stringify(header, null, 2)}\n`);
      // mkdtemp creates 0700; the cache is meant to be shared by every worker on the machine.
      await chmod(workDir, 0o755);
      await publish(workDir, finalDir);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
    return reuse();
  });
}

/** Atomic rename; when another preparer got there first, its identical copy wins and ours is dropped. */
async function publish(workDir: string, finalDir: string): Promise<void> {
  try {
    await rename(workDir, finalDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if ((code === 'ENOTEMPTY' || code === 'EEXIST') && (await exists(join(finalDir, HEADER_FILE))))
      return;
    throw error;
  }
}
