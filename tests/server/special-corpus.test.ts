import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { TrainQueue } from '@isoflop/queue';
import { Coordinator } from '@isoflop/orchestrator';
import { buildServer, type IsoflopServer } from '@isoflop/server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_SWEEP_YAML } from './support/test-spec.js';
import { tempStore } from './support/temp-store.js';

const redisUrl = inject('redisUrl');
const prefix = `test-server-special-${process.pid}-${Date.now().toString(36)}`;
const scratch = mkdtempSync(join(tmpdir(), 'isoflop-special-corpus-'));
const fifo = join(scratch, 'corpus.fifo');

let temp: ReturnType<typeof tempStore>;
let coordinator: Coordinator;
let server: IsoflopServer;

beforeAll(async () => {
  execFileSync('mkfifo', [fifo]);
  temp = tempStore();
  coordinator = await Coordinator.start({
    store: temp.store,
    redisUrl,
    prefix,
    log: () => undefined,
  });
  server = await buildServer({ store: temp.store, coordinator, port: 0 });
});

afterAll(async () => {
  await server?.close();
  await coordinator?.close();
  temp?.dispose();
  const queue = new TrainQueue({ redisUrl, prefix });
  await queue.obliterate();
  await queue.close();
  rmSync(scratch, { recursive: true, force: true });
});

/**
 * Issue 15, defect 3: the API accepted a corpus path of /dev/zero and handed it to a worker, whose training
 * process then grew to 17.7 GB. A path that exists here and is not a regular file is refused with its field
 * path before anything is stored or enqueued.
 */
describe('POST /api/sweeps with a corpus that is not a regular file', () => {
  it.each([
    ['/dev/zero', ['/dev/zero'], /character device/],
    ['a FIFO, second in the list', [join(scratch, 'absent.txt'), fifo], /FIFO/],
  ])('refuses %s with 400 and the field path, storing nothing', async (_name, paths, kind) => {
    const spec = parseYaml(TEST_SWEEP_YAML) as { data: { corpus: unknown } };
    spec.data.corpus = { kind: 'text', paths };
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/sweeps',
      payload: JSON.stringify(spec),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(400);
    const field = `data.corpus.paths[${paths.length - 1}]`;
    expect(response.body).toContain(field);
    expect(response.body).toMatch(kind);
    const sweeps = (await server.app.inject('/api/sweeps')).json() as { sweeps: unknown[] };
    expect(sweeps.sweeps).toEqual([]);
    const queue = new TrainQueue({ redisUrl, prefix });
    try {
      expect(Object.values(await queue.counts()).reduce((a, b) => a + b, 0)).toBe(0);
    } finally {
      await queue.close();
    }
  });
});
