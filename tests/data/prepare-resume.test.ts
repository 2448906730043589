import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { open, readdir, readFile, rm, stat, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareData, sampleBatch, type DataSpec, type PreparedData } from '@isoflop/data';

const spec: DataSpec = { corpus: { kind: 'sotu' }, tokenizer: { kind: 'gpt2' }, valFraction: 0.05 };
/** About 100 train shards for SOTU's 2 M tokens. */
const SHARD_TOKENS = 20_000;
const DATA_DIST = fileURLToPath(new URL('../../packages/data/dist/index.js', import.meta.url));

async function digests(dir: string): Promise<Record<string, string>> {
  const names = (await readdir(dir)).sort();
  const entries = await Promise.all(
    names.map(async (name) => [
      name,
      createHash('sha256')
        .update(await readFile(join(dir, name)))
        .digest('hex'),
    ]),
  );
  return Object.fromEntries(entries) as Record<string, string>;
}

async function inodes(dir: string, names: readonly string[]): Promise<number[]> {
  return Promise.all(names.map(async (name) => (await stat(join(dir, name))).ino));
}

describe('an interrupted or damaged preparation', () => {
  let root: string;
  let reference: PreparedData;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'isoflop-data-resume-'));
    reference = await prepareData(spec, {
      cacheDir: join(root, 'reference'),
      shardTokens: SHARD_TOKENS,
      threads: 1,
    });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('resumes after its last whole shard, keeping the shards already written', async () => {
    const cacheDir = join(root, 'killed');
    const partial = join(cacheDir, 'data', `.partial-${reference.contentHash}`);
    // A preparer in another process, killed (no chance to clean up) once a few shards are whole.
    const script = `import(${JSON.stringify(DATA_DIST)}).then(({ prepareData }) => prepareData(${JSON.stringify(spec)}, { cacheDir: ${JSON.stringify(cacheDir)}, shardTokens: ${SHARD_TOKENS}, threads: 1 }))`;
    const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    let journal: { train: { file: string }[] } | undefined;
    for (;;) {
      journal = await readFile(join(partial, 'progress.json'), 'utf8')
        .then((text) => JSON.parse(text) as { train: { file: string }[] })
        .catch(() => undefined);
      if ((journal?.train.length ?? 0) >= 5) break;
      await sleep(20);
    }
    child.kill('SIGKILL');
    await exited;
    journal = JSON.parse(await readFile(join(partial, 'progress.json'), 'utf8')) as {
      train: { file: string }[];
    };
    const done = journal.train.map((shard) => shard.file);
    expect(done.length).toBeLessThan(reference.header.train.shards.length);
    const before = await inodes(partial, done);

    let tokenised = 0;
    const resumed = await prepareData(spec, {
      cacheDir,
      shardTokens: SHARD_TOKENS,
      threads: 1,
      onStats: (progress) => {
        if (progress.phase === 'tokenise') tokenised = progress.tokens;
      },
    });
    expect(await inodes(resumed.dir, done)).toEqual(before);
    expect(tokenised).toBeLessThan(
      reference.train.length + reference.val.length - done.length * SHARD_TOKENS + SHARD_TOKENS,
    );
    expect(await digests(resumed.dir)).toEqual(await digests(reference.dir));
    expect(await readdir(join(cacheDir, 'data'))).toEqual([reference.contentHash]);
  });

  it('finds a shard whose bytes changed, rebuilds from it on and never serves it', async () => {
    const cacheDir = join(root, 'damaged');
    const first = await prepareData(spec, { cacheDir, shardTokens: SHARD_TOKENS, threads: 1 });
    const batch = sampleBatch(first.train, 0, 5, 8, 64);
    const names = first.header.train.shards.map((shard) => shard.file);
    const kept = await inodes(first.dir, names.slice(0, 3));
    // Same length, one byte different: only the checksum can tell.
    const handle = await open(join(first.dir, names[3] ?? ''), 'r+');
    await handle.write(Buffer.from([0xff, 0xff]), 0, 2, 100);
    await handle.close();
    let rebuilt = false;
    const again = await prepareData(spec, {
      cacheDir,
      shardTokens: SHARD_TOKENS,
      threads: 1,
      onProgress: () => (rebuilt = true),
    });
    expect(rebuilt).toBe(true);
    expect(await inodes(again.dir, names.slice(0, 3))).toEqual(kept);
    expect(await digests(again.dir)).toEqual(await digests(reference.dir));
    expect(sampleBatch(again.train, 0, 5, 8, 64)).toEqual(batch);
  });

  it('rebuilds a truncated shard', async () => {
    const cacheDir = join(root, 'truncated');
    const first = await prepareData(spec, { cacheDir, shardTokens: SHARD_TOKENS, threads: 1 });
    const last = first.header.val.shards.at(-1)?.file ?? '';
    const handle = await open(join(first.dir, last), 'r+');
    await handle.truncate(10);
    await handle.close();
    const again = await prepareData(spec, { cacheDir, shardTokens: SHARD_TOKENS, threads: 1 });
    expect(await digests(again.dir)).toEqual(await digests(reference.dir));
  });
});
