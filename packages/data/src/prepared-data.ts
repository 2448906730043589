import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ShardDtype } from './data-spec.js';
import { DataError } from './errors.js';
import type { ShardRecord } from './internal/shard-writer.js';
import { DTYPE_BYTES, shardedTokens, type TokenShard } from './token-shard.js';

/** Bumped whenever the bytes prepareData writes for the same input would change. */
export const DATA_FORMAT_VERSION = 2;

export const INDEX_FILE = 'index.json';
export const TOKENIZER_FILE = 'tokenizer.json';

export type SplitRule = 'document-sha256' | 'given-shards';

/** One split's token stream: its shard files in order. */
export interface PreparedSplit {
  readonly tokens: number;
  readonly documents: number | null;
  readonly shards: readonly ShardRecord[];
}

/** `index.json`: everything needed to read the shards back and check them, and nothing that varies between runs. */
export interface PreparedDataHeader {
  readonly formatVersion: number;
  readonly contentHash: string;
  readonly corpus: {
    readonly kind: string;
    readonly documents: number | null;
    /** UTF-8 bytes of document text (null for pre-tokenised shards). */
    readonly bytes: number | null;
    /** Files read and their bytes on disk (compressed size for compressed files). */
    readonly files: number;
    readonly sourceBytes: number;
  };
  readonly tokenizer: {
    readonly kind: 'gpt2' | 'bpe' | 'none';
    readonly hash: string;
    readonly vocabSize: number;
    readonly eotId: number;
  };
  readonly dtype: ShardDtype;
  /** Tokens per shard file (the last of each split holds the rest). */
  readonly shardTokens: number;
  readonly split: { readonly rule: SplitRule; readonly valFraction: number | null };
  readonly train: PreparedSplit;
  readonly val: PreparedSplit;
}

export interface PreparedData {
  /** `<cacheDir>/data/<contentHash>` */
  readonly dir: string;
  readonly contentHash: string;
  readonly tokenizerHash: string;
  readonly vocabSize: number;
  readonly eotId: number;
  readonly train: TokenShard;
  readonly val: TokenShard;
  readonly header: PreparedDataHeader;
}

export async function readIndex(dir: string): Promise<PreparedDataHeader> {
  let header: PreparedDataHeader;
  try {
    header = JSON.parse(await readFile(join(dir, INDEX_FILE), 'utf8')) as PreparedDataHeader;
  } catch (error) {
    throw new DataError('BAD_CACHE', `expected a readable ${INDEX_FILE} in '${dir}'`, {
      cause: error,
    });
  }
  if (header.formatVersion !== DATA_FORMAT_VERSION) {
    throw new DataError(
      'BAD_CACHE',
      `expected data format version ${DATA_FORMAT_VERSION} in '${dir}', found ${String(header.formatVersion)}`,
    );
  }
  return header;
}

/** SHA-256 (hex) of a file, streamed. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/** The first shard of a split whose file is missing, of the wrong length or (with `checksums`) of other bytes. */
export async function firstBadShard(
  dir: string,
  shards: readonly ShardRecord[],
  dtype: ShardDtype,
  checksums: boolean,
): Promise<number | undefined> {
  for (const [index, shard] of shards.entries()) {
    const path = join(dir, shard.file);
    const size = await stat(path).then(
      (info) => info.size,
      () => -1,
    );
    if (size !== shard.tokens * DTYPE_BYTES[dtype]) return index;
    if (checksums && (await fileSha256(path)) !== shard.sha256) return index;
  }
  return undefined;
}

/**
 * Opens a finished preparation directory: reads its index and checks every shard file's length (not its
 * bytes: `prepareData` checks those), without reading any tokens.
 */
export async function openPreparedData(dir: string): Promise<PreparedData> {
  const header = await readIndex(dir);
  const { vocabSize } = header.tokenizer;
  for (const split of ['train', 'val'] as const) {
    const bad = await firstBadShard(dir, header[split].shards, header.dtype, false);
    if (bad !== undefined) {
      throw new DataError(
        'BAD_CACHE',
        `expected ${split} shard '${header[split].shards[bad]?.file}' of ${header[split].shards[bad]?.tokens} tokens in '${dir}', it is missing or truncated; prepare the data again to rebuild it`,
        { field: split },
      );
    }
  }
  const open = (split: PreparedSplit): TokenShard =>
    shardedTokens(
      split.shards.map((shard) => ({ path: join(dir, shard.file), tokens: shard.tokens })),
      header.dtype,
      vocabSize,
    );
  return {
    dir,
    contentHash: header.contentHash,
    tokenizerHash: header.tokenizer.hash,
    vocabSize,
    eotId: header.tokenizer.eotId,
    train: open(header.train),
    val: open(header.val),
    header,
  };
}

/**
 * Entries whose every shard checksum this process confirmed, with the shards' identity then (size, mtime,
 * inode): a shard is read in full once, and again only if its file changed since.
 */
const verified = new Map<string, string>();

async function shardSignature(dir: string, header: PreparedDataHeader): Promise<string> {
  const shards = [...header.train.shards, ...header.val.shards];
  const stats = await Promise.all(
    shards.map((shard) =>
      stat(join(dir, shard.file)).then(
        (info) => `${info.size}:${info.mtimeMs}:${info.ino}`,
        () => 'missing',
      ),
    ),
  );
  return stats.join(',');
}

export function forgetVerified(dir: string): void {
  verified.delete(dir);
}

/**
 * The finished entry with every shard's length and SHA-256 checked against the index, or undefined when one
 * is missing, truncated or other bytes.
 */
export async function openVerifiedPreparedData(dir: string): Promise<PreparedData | undefined> {
  const header = await readIndex(dir).catch(() => undefined);
  if (header === undefined) return undefined;
  const signature = await shardSignature(dir, header);
  if (verified.get(dir) !== signature) {
    for (const split of ['train', 'val'] as const) {
      if ((await firstBadShard(dir, header[split].shards, header.dtype, true)) !== undefined) {
        return undefined;
      }
    }
    verified.set(dir, signature);
  }
  return openPreparedData(dir).catch(() => undefined);
}
