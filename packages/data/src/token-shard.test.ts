import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleBatch, validationBatches } from './batch-sampler.js';
import { shardedTokens, tokenShardFromArray, type ShardFile } from './token-shard.js';

const TOTAL = 20_011;
const tokens = Uint16Array.from({ length: TOTAL }, (_, i) => (i * 2_654_435_761) % 50_257);

/** Writes the stream cut into files of `size` tokens (the last one shorter). */
async function cut(dir: string, size: number): Promise<ShardFile[]> {
  const files: ShardFile[] = [];
  for (let start = 0; start < TOTAL; start += size) {
    const part = tokens.subarray(start, Math.min(TOTAL, start + size));
    const path = join(dir, `s${size}-${files.length}.bin`);
    await writeFile(path, Buffer.from(part.buffer, part.byteOffset, part.byteLength));
    files.push({ path, tokens: part.length });
  }
  return files;
}

describe('shardedTokens', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'isoflop-token-shard-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('draws the same batches from one shard as from hundreds, windows across shard ends included', async () => {
    const memory = tokenShardFromArray(tokens, 50_257);
    for (const size of [TOTAL, 4096, 97, 1]) {
      const shard = shardedTokens(await cut(dir, size), 'uint16', 50_257);
      expect(shard.length).toBe(TOTAL);
      for (let step = 0; step < 20; step += 1) {
        expect(sampleBatch(shard, 3, step, 4, 300)).toEqual(sampleBatch(memory, 3, step, 4, 300));
      }
      expect(validationBatches(shard, 1, 2000, 2, 100)).toEqual(
        validationBatches(memory, 1, 2000, 2, 100),
      );
      const all = new Int32Array(TOTAL);
      shard.read(0, TOTAL, all, 0);
      expect(all).toEqual(Int32Array.from(tokens));
    }
  });

  it('refuses a window past the end and reports a shard truncated after it was opened', async () => {
    const files = await cut(dir, 5000);
    const shard = shardedTokens(files, 'uint16', 50_257);
    const out = new Int32Array(10);
    expect(() => shard.read(TOTAL - 5, 10, out, 0)).toThrow(/inside the 20011 tokens/);
    await truncate(files[1]?.path ?? '', 100);
    expect(() => shard.read(5100, 10, out, 0)).toThrow(/truncated/);
  });
});
