import { createHash, type Hash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ShardDtype } from '../data-spec.js';
import { DTYPE_BYTES } from '../token-shard.js';

/** Where the stream goes on after a shard: document `document` of the split, its first `skip` tokens done. */
export interface ResumePoint {
  readonly document: number;
  readonly skip: number;
}

/** One finished shard file, as listed in the index (and in the journal of an unfinished preparation). */
export interface ShardRecord {
  readonly file: string;
  readonly tokens: number;
  /** SHA-256 (hex) of the file's bytes. */
  readonly sha256: string;
  readonly next: ResumePoint;
}

export type SplitName = 'train' | 'val';

export function shardFileName(split: SplitName, index: number): string {
  return `${split}-${String(index).padStart(5, '0')}.bin`;
}

/**
 * Cuts one split's token stream into files of `shardTokens` tokens (the last one shorter). Each file is
 * written under a temporary name, flushed, and renamed when full, then reported with its checksum and the
 * point the stream resumes from, so an interrupted preparation restarts after its last whole shard.
 */
export class ShardWriter {
  private fd: number | undefined;
  private hash: Hash | undefined;
  private inShard = 0;
  private lastDocument = -1;
  readonly records: ShardRecord[];

  constructor(
    private readonly dir: string,
    private readonly split: SplitName,
    private readonly dtype: ShardDtype,
    private readonly shardTokens: number,
    done: readonly ShardRecord[],
    private readonly onShard: () => void,
  ) {
    this.records = [...done];
  }

  /** Where this split resumes: after the last finished shard, or at its start. */
  get resume(): ResumePoint {
    return this.records[this.records.length - 1]?.next ?? { document: 0, skip: 0 };
  }

  /** Appends document `document` (its end-of-text included), leaving out its first `skip` tokens. */
  append(document: number, tokens: Uint16Array | Uint32Array, skip: number): void {
    this.lastDocument = document;
    const width = DTYPE_BYTES[this.dtype];
    let at = skip;
    while (at < tokens.length) {
      if (this.fd === undefined) {
        this.fd = openSync(this.tempPath(), 'w');
        this.hash = createHash('sha256');
      }
      const take = Math.min(this.shardTokens - this.inShard, tokens.length - at);
      const bytes = Buffer.from(tokens.buffer, tokens.byteOffset + at * width, take * width);
      writeSync(this.fd, bytes);
      this.hash?.update(bytes);
      this.inShard += take;
      at += take;
      if (this.inShard === this.shardTokens) {
        this.complete(
          at === tokens.length ? { document: document + 1, skip: 0 } : { document, skip: at },
        );
      }
    }
  }

  /** Closes the last, shorter shard. */
  finish(): ShardRecord[] {
    if (this.inShard > 0) this.complete({ document: this.lastDocument + 1, skip: 0 });
    return this.records;
  }

  private tempPath(): string {
    return join(this.dir, `${shardFileName(this.split, this.records.length)}.tmp`);
  }

  private complete(next: ResumePoint): void {
    const fd = this.fd as number;
    fsyncSync(fd);
    closeSync(fd);
    const file = shardFileName(this.split, this.records.length);
    renameSync(this.tempPath(), join(this.dir, file));
    this.records.push({
      file,
      tokens: this.inShard,
      sha256: this.hash?.digest('hex') ?? '',
      next,
    });
    this.fd = undefined;
    this.hash = undefined;
    this.inShard = 0;
    this.onShard();
  }
}
