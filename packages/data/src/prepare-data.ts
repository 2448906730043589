import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  validateDataSpec,
  type DataSpec,
  type ShardDtype,
  type TextTokenizerSpec,
  type ValidDataSpec,
} from './data-spec.js';
import { DataError } from './errors.js';
import { fetchPreparedData, type DataServer } from './fetch-prepared-data.js';
import { writeBpeSample } from './internal/bpe-sample.js';
import { hashSources } from './internal/content-hash.js';
import { checkTokenFile, copyTokenFile } from './internal/copy-token-shards.js';
import { corpusFiles, type CorpusFile } from './internal/corpus-files.js';
import { gpt2Tokenizer } from './internal/gpt2-tokenizer.js';
import { bpeTokenizerJson, hfBpeTokenizer } from './internal/hf-bpe-tokenizer.js';
import { withPrepareLock } from './internal/prepare-lock.js';
import { rememberPreparedSpec } from './internal/spec-memo.js';
import { readJournal, writeJournal, type PrepareJournal } from './internal/prepare-journal.js';
import { readDocuments } from './internal/read-documents.js';
import { ShardWriter, type ShardRecord, type SplitName } from './internal/shard-writer.js';
import { DocumentDigests } from './internal/split-documents.js';
import { tokenizeCorpus } from './internal/tokenize-corpus.js';
import { trainBpeMerges } from './internal/train-bpe-merges.js';
import {
  DATA_FORMAT_VERSION,
  firstBadShard,
  forgetVerified,
  INDEX_FILE,
  openVerifiedPreparedData,
  readIndex,
  TOKENIZER_FILE,
  type PreparedData,
  type PreparedDataHeader,
} from './prepared-data.js';
import { sha256Hex, type TextTokenizer } from './text-tokenizer.js';
import { dtypeForVocab, forgetShardFiles } from './token-shard.js';

/** What a preparation is doing, for a progress display. */
export interface PrepareProgress {
  /** `hash`: computing the cache key; `scan`: reading documents for the split; `tokenise`. */
  readonly phase: 'hash' | 'scan' | 'tokenise';
  /** Bytes of the corpus files (as stored) read in this phase, out of `totalBytes`. */
  readonly bytes: number;
  readonly totalBytes: number;
  /** Documents and tokens done in this phase (tokens only while tokenising). */
  readonly documents: number;
  readonly tokens: number;
}

export interface PrepareDataOptions {
  /** Root of the cache; preparations land in `<cacheDir>/data/<contentHash>/`. */
  readonly cacheDir: string;
  /**
   * Called as text is tokenised: bytes of corpus files done, out of their total (for pre-tokenised shards, as
   * they are copied). Never called when the cached entry is reused.
   */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called through every phase with bytes, documents and tokens done. */
  readonly onStats?: (progress: PrepareProgress) => void;
  /** Tokenising threads (default: one per core). */
  readonly threads?: number;
  /** Tokens per shard file (default 2^26: 128 MiB of uint16). Not part of the cache key. */
  readonly shardTokens?: number;
  /**
   * Where to download the prepared shards from when the corpus files are not on this machine (a worker
   * elsewhere): `isoflop serve` on the machine that prepared them.
   */
  readonly server?: DataServer | undefined;
}

const DEFAULT_SHARD_TOKENS = 1 << 26;
const JOURNAL_KEYS = ['train', 'val'] as const;

const require = createRequire(import.meta.url);
const libraryVersion = (name: string): string =>
  (require(`${name}/package.json`) as { version: string }).version;

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

function checkCount(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new DataError('INVALID_ARGUMENT', `expected an integer >= 1, got ${String(value)}`, {
      field,
    });
  }
  return value;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

interface Scan {
  readonly isVal: Uint8Array;
  readonly documents: number;
  readonly bytes: number;
  readonly train: number;
  readonly val: number;
}

/** Reads every document once for the split: 24 bytes kept per document, whatever its length. */
async function scanDocuments(
  spec: Extract<ValidDataSpec, { kind: 'text' }>,
  files: readonly CorpusFile[],
  report: (bytes: number, documents: number) => void,
): Promise<Scan> {
  const digests = new DocumentDigests();
  let bytes = 0;
  for await (const text of readDocuments(spec.corpus, files, {
    chunk: (c) => (bytes += c.length),
  })) {
    digests.add(text);
    if (digests.count % 1024 === 0) report(bytes, digests.count);
  }
  report(bytes, digests.count);
  if (digests.count < 2) {
    throw new DataError(
      'BAD_CORPUS',
      `expected at least 2 non-empty documents (one for training, one for validation), found ${digests.count}`,
      { field: 'data.corpus.paths' },
    );
  }
  const isVal = digests.validationFlags(spec.valFraction);
  const val = isVal.reduce((sum, flag) => sum + flag, 0);
  return { isVal, documents: digests.count, bytes: digests.bytes, train: digests.count - val, val };
}

async function buildTokenizer(
  spec: TextTokenizerSpec,
  corpus: Extract<ValidDataSpec, { kind: 'text' }>['corpus'],
  files: readonly CorpusFile[],
  isVal: Uint8Array,
  workDir: string,
): Promise<TextTokenizer> {
  if (spec.kind === 'gpt2') return gpt2Tokenizer();
  const sampleFile = join(workDir, 'bpe-training.txt');
  await writeBpeSample(corpus, files, isVal, sampleFile);
  const merges = await trainBpeMerges([sampleFile], join(workDir, 'bpe-trained.json'));
  await Promise.all([rm(sampleFile), rm(join(workDir, 'bpe-trained.json'))]);
  return hfBpeTokenizer(bpeTokenizerJson(merges, spec.vocabSize));
}

/** Loads the tokenizer an interrupted preparation saved, so that its finished shards stay valid. */
async function savedTokenizer(workDir: string): Promise<TextTokenizer | undefined> {
  const json = await readFile(join(workDir, TOKENIZER_FILE), 'utf8').catch(() => undefined);
  if (json === undefined) return undefined;
  const saved = JSON.parse(json) as { kind?: string };
  return saved.kind === 'gpt2' ? gpt2Tokenizer() : hfBpeTokenizer(json);
}

/**
 * Keeps the journal's longest run of whole shards per split whose files still match (length and checksum)
 * and deletes everything else the interrupted preparation left: temporary files, later shards.
 */
async function survivingShards(
  workDir: string,
  journal: PrepareJournal,
): Promise<Record<SplitName, ShardRecord[]>> {
  const kept: Record<SplitName, ShardRecord[]> = { train: [], val: [] };
  for (const split of JOURNAL_KEYS) {
    const records = journal[split];
    const bad = await firstBadShard(workDir, records, journal.dtype, true);
    kept[split] = records.slice(0, bad ?? records.length);
  }
  const keep = new Set([
    TOKENIZER_FILE,
    ...[...kept.train, ...kept.val].map((record) => record.file),
  ]);
  for (const name of readdirSync(workDir)) {
    if (!keep.has(name)) rmSync(join(workDir, name), { force: true, recursive: true });
  }
  return kept;
}

interface BuildContext {
  readonly spec: ValidDataSpec;
  readonly files: readonly CorpusFile[];
  readonly hash: string;
  readonly workDir: string;
  readonly threads: number;
  readonly shardTokens: number;
  readonly sourceBytes: number;
  readonly scan: Scan | undefined;
  readonly onProgress: (done: number, total: number) => void;
  readonly onStats: (progress: PrepareProgress) => void;
}

async function build(context: BuildContext): Promise<PreparedDataHeader> {
  const { spec, workDir, files, sourceBytes } = context;
  mkdirSync(workDir, { recursive: true });
  let tokenizer: TextTokenizer | undefined;
  let tokenizerJson: string;
  let vocabSize: number;
  if (spec.kind === 'text') {
    const scan = context.scan as Scan;
    tokenizer =
      (await savedTokenizer(workDir)) ??
      (await buildTokenizer(spec.tokenizer, spec.corpus, files, scan.isVal, workDir));
    tokenizerJson = tokenizer.json;
    vocabSize = tokenizer.vocabSize;
  } else {
    vocabSize = spec.corpus.vocabSize;
    // Pre-tokenised shards carry no tokenizer; by the GPT-2 convention end-of-text is the last id.
    tokenizerJson = JSON.stringify({ kind: 'none', vocabSize, eotId: vocabSize - 1 });
  }
  const dtype: ShardDtype = spec.kind === 'text' ? dtypeForVocab(vocabSize) : spec.corpus.dtype;
  const tokenizerHash = sha256Hex(tokenizerJson);
  const journal = readJournal(workDir);
  const resumable =
    spec.kind === 'text' &&
    journal !== undefined &&
    journal.tokenizerHash === tokenizerHash &&
    journal.dtype === dtype;
  const shardTokens = resumable ? journal.shardTokens : context.shardTokens;
  const done = resumable ? await survivingShards(workDir, journal) : undefined;
  if (!resumable) {
    for (const name of readdirSync(workDir)) rmSync(join(workDir, name), { recursive: true });
  }
  await writeFile(join(workDir, TOKENIZER_FILE), tokenizerJson);
  const save = (): void =>
    writeJournal(workDir, {
      tokenizerHash,
      dtype,
      shardTokens,
      train: writers.train.records,
      val: writers.val.records,
    });
  const writers: Record<SplitName, ShardWriter> = {
    train: new ShardWriter(workDir, 'train', dtype, shardTokens, done?.train ?? [], () => save()),
    val: new ShardWriter(workDir, 'val', dtype, shardTokens, done?.val ?? [], () => save()),
  };

  if (spec.kind === 'text' && tokenizer !== undefined) {
    const scan = context.scan as Scan;
    await tokenizeCorpus(
      spec.corpus,
      files,
      scan.isVal,
      writers,
      { kind: tokenizer.kind, json: tokenizerJson, dtype, threads: context.threads },
      (counts) => {
        context.onProgress(counts.bytes, sourceBytes);
        context.onStats({ phase: 'tokenise', totalBytes: sourceBytes, ...counts });
      },
    );
  } else if (spec.kind === 'shards') {
    let bytes = 0;
    const onBytes = (more: number): void => {
      bytes += more;
      context.onProgress(bytes, sourceBytes);
      context.onStats({
        phase: 'tokenise',
        bytes,
        totalBytes: sourceBytes,
        documents: 0,
        tokens: bytes / (dtype === 'uint16' ? 2 : 4),
      });
    };
    const [trainFile, valFile] = files as [CorpusFile, CorpusFile];
    await copyTokenFile(trainFile, dtype, vocabSize, writers.train, onBytes);
    await copyTokenFile(valFile, dtype, vocabSize, writers.val, onBytes);
  }
  const train = writers.train.finish();
  const val = writers.val.finish();
  const tokens = (records: readonly ShardRecord[]): number =>
    records.reduce((sum, record) => sum + record.tokens, 0);
  const scan = context.scan;
  return {
    formatVersion: DATA_FORMAT_VERSION,
    contentHash: context.hash,
    corpus: {
      kind: spec.corpus.kind,
      documents: scan?.documents ?? null,
      bytes: scan?.bytes ?? null,
      files: files.length,
      sourceBytes,
    },
    tokenizer: {
      kind: tokenizer?.kind ?? 'none',
      hash: tokenizerHash,
      vocabSize,
      eotId: tokenizer?.eotId ?? vocabSize - 1,
    },
    dtype,
    shardTokens,
    split:
      spec.kind === 'text'
        ? { rule: 'document-sha256', valFraction: spec.valFraction }
        : { rule: 'given-shards', valFraction: null },
    train: { tokens: tokens(train), documents: scan?.train ?? null, shards: train },
    val: { tokens: tokens(val), documents: scan?.val ?? null, shards: val },
  };
}

/**
 * Turns a corpus into train/val token shards under `<cacheDir>/data/<contentHash>/`, or reuses that directory
 * when it already exists and its shards check out. The corpus is streamed: first to compute the cache key, then
 * (when the entry must be built) to split it by document hash, and last through `threads` tokenising threads
 * into fixed-size shard files, each written under a temporary name and renamed when whole. The entry is built
 * in `.partial-<hash>` beside it and renamed into place when done, so a crash leaves no half-written entry, and
 * preparing again resumes after the last whole shard. A corrupt shard found on reuse sends the entry back to
 * be rebuilt from that shard on. Workers preparing the same data at once take turns on a lock file.
 */
export async function prepareData(
  dataSpec: DataSpec,
  opts: PrepareDataOptions,
): Promise<PreparedData> {
  let prepared: PreparedData;
  try {
    prepared = await prepareLocally(dataSpec, opts);
  } catch (error) {
    const missing = error instanceof DataError && error.code === 'CORPUS_NOT_FOUND';
    if (!missing || opts.server === undefined) throw error;
    return fetchPreparedData(dataSpec, opts.server, opts.cacheDir);
  }
  // Only a convenience for serving the entry: a cache on read-only storage still serves runs.
  await rememberPreparedSpec(opts.cacheDir, dataSpec, prepared.contentHash).catch(() => undefined);
  return prepared;
}

async function prepareLocally(dataSpec: DataSpec, opts: PrepareDataOptions): Promise<PreparedData> {
  const spec = validateDataSpec(dataSpec);
  const threads = checkCount(opts.threads ?? availableParallelism(), 'threads');
  const shardTokens = checkCount(opts.shardTokens ?? DEFAULT_SHARD_TOKENS, 'shardTokens');
  const onProgress = opts.onProgress ?? ((): void => undefined);
  const onStats = opts.onStats ?? ((): void => undefined);
  const files: CorpusFile[] =
    spec.kind === 'shards'
      ? [
          { path: spec.corpus.train, field: 'data.corpus.train' },
          { path: spec.corpus.val, field: 'data.corpus.val' },
        ]
      : await corpusFiles(spec.corpus);
  let sourceBytes = 0;
  for (const file of files) sourceBytes += (await stat(file.path).catch(() => ({ size: 0 }))).size;
  let hashed = 0;
  const hash = await hashSources(hashDescriptor(spec), files, (bytes) => {
    hashed += bytes;
    onStats({ phase: 'hash', bytes: hashed, totalBytes: sourceBytes, documents: 0, tokens: 0 });
  });
  const dataDir = join(opts.cacheDir, 'data');
  const finalDir = join(dataDir, hash);
  const workDir = join(dataDir, `.partial-${hash}`);
  const isDone = (): Promise<boolean> => exists(join(finalDir, INDEX_FILE));
  const reused = (await isDone()) ? await openVerifiedPreparedData(finalDir) : undefined;
  if (reused !== undefined) return reused;

  // Everything that can be wrong with the input is found before anything is written.
  let scan: Scan | undefined;
  if (spec.kind === 'shards') {
    for (const file of files) await checkTokenFile(file, spec.corpus.dtype);
  } else {
    scan = await scanDocuments(spec, files, (bytes, documents) =>
      onStats({ phase: 'scan', bytes, totalBytes: sourceBytes, documents, tokens: 0 }),
    );
  }
  await mkdir(dataDir, { recursive: true });
  const reuse = async (): Promise<PreparedData> => {
    const opened = await openVerifiedPreparedData(finalDir);
    if (opened === undefined) {
      throw new DataError(
        'BAD_CACHE',
        `expected the entry '${finalDir}' to check out after it was built`,
      );
    }
    return opened;
  };
  const isSound = async (): Promise<boolean> =>
    (await isDone()) && (await openVerifiedPreparedData(finalDir)) !== undefined;
  return withPrepareLock(join(dataDir, `.lock-${hash}`), isSound, reuse, async () => {
    if (await isDone()) await reclaim(finalDir, workDir);
    try {
      const header = await build({
        spec,
        files,
        hash,
        workDir,
        threads,
        shardTokens,
        sourceBytes,
        scan,
        onProgress,
        onStats,
      });
      await writeFile(join(workDir, INDEX_FILE), `${JSON.stringify(header, null, 2)}\n`);
      await rm(join(workDir, 'progress.json'), { force: true });
      // The cache is meant to be shared by every worker on the machine.
      await chmod(workDir, 0o755);
      await publish(workDir, finalDir);
    } catch (error) {
      // Input errors found while streaming leave nothing behind; an interruption keeps the shards for later.
      if (
        error instanceof DataError &&
        (error.code === 'BAD_CORPUS' || error.code === 'INVALID_DATA_SPEC')
      ) {
        await rm(workDir, { recursive: true, force: true });
      }
      throw error;
    }
    return reuse();
  });
}

/**
 * Turns a finished entry whose shards no longer check out back into an unfinished one: its index becomes
 * the journal, so the rebuild keeps the sound shards before the first bad one and redoes the rest.
 */
async function reclaim(finalDir: string, workDir: string): Promise<void> {
  const header = await readIndex(finalDir).catch(() => undefined);
  if (header === undefined) {
    // Without a readable index nothing in the entry can be trusted: build it again from the start.
    await rm(finalDir, { recursive: true, force: true });
    return;
  }
  forgetShardFiles(
    [...header.train.shards, ...header.val.shards].map((shard) => join(finalDir, shard.file)),
  );
  forgetVerified(finalDir);
  await rm(workDir, { recursive: true, force: true });
  await rename(finalDir, workDir);
  await rm(join(workDir, INDEX_FILE));
  writeJournal(workDir, {
    tokenizerHash: header.tokenizer.hash,
    dtype: header.dtype,
    shardTokens: header.shardTokens,
    train: header.train.shards,
    val: header.val.shards,
  });
}

/** Atomic rename; when another preparer got there first, its identical copy wins and ours is dropped. */
async function publish(workDir: string, finalDir: string): Promise<void> {
  try {
    await rename(workDir, finalDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if ((code === 'ENOTEMPTY' || code === 'EEXIST') && existsSync(join(finalDir, INDEX_FILE))) {
      await rm(workDir, { recursive: true, force: true });
      return;
    }
    throw error;
  }
}
