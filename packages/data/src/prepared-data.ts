import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ShardDtype } from './data-spec.js';
import { DataError } from './errors.js';
import { readShard, type TokenShard } from './token-shard.js';

/** Bumped whenever the bytes prepareData writes for the same input would change. */
export const DATA_FORMAT_VERSION = 1;

export const HEADER_FILE = 'header.json';
export const TOKENIZER_FILE = 'tokenizer.json';
export const TRAIN_FILE = 'train.bin';
export const VAL_FILE = 'val.bin';

export type SplitRule = 'document-sha256' | 'given-shards';

/** `header.json`: everything needed to read the shards back, and nothing that varies between runs. */
export interface PreparedDataHeader {
  readonly formatVersion: number;
  readonly contentHash: string;
  readonly corpus: {
    readonly kind: string;
    readonly documents: number | null;
    readonly bytes: number | null;
  };
  readonly tokenizer: {
    readonly kind: 'gpt2' | 'bpe' | 'none';
    readonly hash: string;
    readonly vocabSize: number;
    readonly eotId: number;
  };
  readonly dtype: ShardDtype;
  readonly split: { readonly rule: SplitRule; readonly valFraction: number | null };
  readonly train: {
    readonly file: string;
    readonly tokens: number;
    readonly documents: number | null;
  };
  readonly val: {
    readonly file: string;
    readonly tokens: number;
    readonly documents: number | null;
  };
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

/** Opens a finished preparation directory, checking the shards against the header's counts. */
export async function openPreparedData(dir: string): Promise<PreparedData> {
  let header: PreparedDataHeader;
  try {
    header = JSON.parse(await readFile(join(dir, HEADER_FILE), 'utf8')) as PreparedDataHeader;
  } catch (error) {
    throw new DataError('BAD_CACHE', `expected a readable ${HEADER_FILE} in '${dir}'`, {
      cause: error,
    });
  }
  if (header.formatVersion !== DATA_FORMAT_VERSION) {
    throw new DataError(
      'BAD_CACHE',
      `expected data format version ${DATA_FORMAT_VERSION} in '${dir}', found ${String(header.formatVersion)}`,
    );
  }
  const { vocabSize } = header.tokenizer;
  const source = { code: 'BAD_CACHE' as const };
  const [train, val] = await Promise.all([
    readShard(join(dir, header.train.file), header.dtype, vocabSize, { ...source, field: 'train' }),
    readShard(join(dir, header.val.file), header.dtype, vocabSize, { ...source, field: 'val' }),
  ]);
  if (train.tokens.length !== header.train.tokens || val.tokens.length !== header.val.tokens) {
    throw new DataError(
      'BAD_CACHE',
      `expected ${header.train.tokens} train and ${header.val.tokens} val tokens in '${dir}', found ${train.tokens.length} and ${val.tokens.length}; delete the directory to rebuild it`,
    );
  }
  return {
    dir,
    contentHash: header.contentHash,
    tokenizerHash: header.tokenizer.hash,
    vocabSize,
    eotId: header.tokenizer.eotId,
    train,
    val,
    header,
  };
}
