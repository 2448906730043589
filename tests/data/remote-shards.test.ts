import { copyFile, mkdir, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DataError, fetchPreparedData, prepareData, type DataSpec } from '@isoflop/data';
import { buildServer, type IsoflopServer } from '@isoflop/server';
import {
  FIXTURES,
  fixtureText,
  processEnv,
  runStates,
  spawnNode,
  startCoordinatorBed,
  waitFor,
  WORKER_MAIN,
  type CoordinatorBed,
} from '../orchestration/harness.js';

describe('a worker on a machine without the corpus', () => {
  const redisUrl = inject('redisUrl');
  let bed: CoordinatorBed;
  let server: IsoflopServer;
  let url: string;
  const serverCache = (): string => join(bed.box.dir, 'server-cache');

  beforeAll(async () => {
    bed = await startCoordinatorBed('remote-shards', redisUrl);
    server = await buildServer({ store: bed.store, port: 0, dataCacheDir: serverCache() });
    url = await server.listen();
  });
  afterAll(async () => {
    await server.close();
    await bed.close();
  });

  it('trains a run on shards fetched from the server, and refuses a tampered shard', async () => {
    const { box, store, coordinator } = bed;
    const corpusDir = join(box.dir, 'corpus');
    await mkdir(corpusDir);
    await copyFile(join(FIXTURES, 'corpus.jsonl'), join(corpusDir, 'corpus.jsonl'));
    const { sweepId, plan } = await coordinator.submit(fixtureText('one-run.yaml'), 'yaml', {
      baseDir: corpusDir,
    });
    const data = plan.runs[0]?.data as DataSpec;
    // Prepared on the server's machine, in small shards so that several are fetched; then the corpus goes.
    const prepared = await prepareData(data, { cacheDir: serverCache(), shardTokens: 4096 });
    expect(prepared.header.train.shards.length).toBeGreaterThan(2);
    await rm(corpusDir, { recursive: true });

    const workerCache = join(box.dir, 'worker-cache');
    const worker = spawnNode(
      WORKER_MAIN,
      [],
      processEnv(box, redisUrl, { ISOFLOP_DATA_CACHE_DIR: workerCache, ISOFLOP_SERVER: url }),
    );
    try {
      const state = await waitFor(
        'the run to finish on fetched shards',
        () => {
          const states = Object.values(runStates(store, sweepId));
          return states.every((s) => s === 'done' || s === 'failed') ? states : undefined;
        },
        300_000,
      );
      expect(state, worker.output()).toEqual(['done']);
    } finally {
      await worker.kill('SIGTERM');
    }
    expect((await readdir(join(workerCache, 'data', prepared.contentHash))).sort()).toEqual(
      (await readdir(prepared.dir)).sort(),
    );

    // One byte of one shard changed on the server: a fresh cache downloads it and refuses it.
    const shard = join(prepared.dir, prepared.header.train.shards[1]?.file ?? '');
    const handle = await open(shard, 'r+');
    await handle.write(Buffer.from([0x01]), 0, 1, 10);
    await handle.close();
    const freshCache = join(box.dir, 'fresh-cache');
    const error: unknown = await fetchPreparedData(data, { url }, freshCache).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).message).toMatch(/SHA-256 .* it is not, so it was refused/);
    expect(await readdir(join(freshCache, 'data'))).not.toContain(prepared.contentHash);
  });
});
