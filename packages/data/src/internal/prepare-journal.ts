import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ShardDtype } from '../data-spec.js';
import type { ShardRecord } from './shard-writer.js';

export const JOURNAL_FILE = 'progress.json';

/** What an unfinished preparation has done: the shards it finished, and what they were cut with. */
export interface PrepareJournal {
  readonly tokenizerHash: string;
  readonly dtype: ShardDtype;
  readonly shardTokens: number;
  readonly train: readonly ShardRecord[];
  readonly val: readonly ShardRecord[];
}

export function readJournal(dir: string): PrepareJournal | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, JOURNAL_FILE), 'utf8')) as PrepareJournal;
  } catch {
    return undefined;
  }
}

/** Replaces the journal atomically: a crash leaves the old one or the new one, never half of one. */
export function writeJournal(dir: string, journal: PrepareJournal): void {
  const temp = join(dir, `${JOURNAL_FILE}.tmp`);
  writeFileSync(temp, JSON.stringify(journal));
  renameSync(temp, join(dir, JOURNAL_FILE));
}
