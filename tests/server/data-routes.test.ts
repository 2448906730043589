import { readFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareData, type DataSpec, type PreparedData } from '@isoflop/data';
import { buildServer, type IsoflopServer } from '@isoflop/server';
import { tempStore } from './support/temp-store.js';

const TOKEN = 'a-token-of-sixteen-chars';
const spec: DataSpec = { corpus: { kind: 'sotu' }, tokenizer: { kind: 'gpt2' }, valFraction: 0.05 };

describe('the prepared-data routes', () => {
  let temp: ReturnType<typeof tempStore>;
  let cacheDir: string;
  let server: IsoflopServer;
  let prepared: PreparedData;

  beforeAll(async () => {
    temp = tempStore();
    cacheDir = await mkdtemp(join(tmpdir(), 'isoflop-data-routes-'));
    prepared = await prepareData(spec, { cacheDir, shardTokens: 1 << 20 });
    server = await buildServer({
      store: temp.store,
      port: 0,
      token: TOKEN,
      dataCacheDir: cacheDir,
    });
  });
  afterAll(async () => {
    await server?.close();
    temp?.dispose();
    await rm(cacheDir, { recursive: true, force: true });
  });

  const request = (
    method: 'GET' | 'POST',
    url: string,
    headers: Record<string, string> = {},
    body?: unknown,
  ) =>
    server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${TOKEN}`, ...headers },
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });

  it('resolves a prepared spec to its content hash, and answers 404 for one never prepared', async () => {
    const resolved = await request('POST', '/api/data/resolve', {}, { data: spec });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json()).toEqual({ contentHash: prepared.contentHash });
    const other = await request(
      'POST',
      '/api/data/resolve',
      {},
      { data: { ...spec, valFraction: 0.5 } },
    );
    expect(other.statusCode).toBe(404);
    expect(other.body).toMatch(/has not been prepared on the server/);
  });

  it('serves a shard whole and by byte range', async () => {
    const file = prepared.header.train.shards[1]?.file ?? '';
    const bytes = await readFile(join(prepared.dir, file));
    const whole = await request('GET', `/api/data/${prepared.contentHash}/${file}`);
    expect(whole.statusCode).toBe(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.rawPayload.equals(bytes)).toBe(true);
    const part = await request('GET', `/api/data/${prepared.contentHash}/${file}`, {
      range: 'bytes=1000-1999',
    });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 1000-1999/${bytes.length}`);
    expect(part.rawPayload.equals(bytes.subarray(1000, 2000))).toBe(true);
    const past = await request('GET', `/api/data/${prepared.contentHash}/${file}`, {
      range: `bytes=${bytes.length}-`,
    });
    expect(past.statusCode).toBe(416);
  });

  it('wants the bearer token, and serves nothing but the files of a finished entry', async () => {
    const anonymous = await server.app.inject({
      method: 'GET',
      url: `/api/data/${prepared.contentHash}/index.json`,
    });
    expect(anonymous.statusCode).toBe(401);
    for (const url of [
      `/api/data/${prepared.contentHash}/..%2F..%2Fdata-specs`,
      `/api/data/${prepared.contentHash}/progress.json`,
      `/api/data/${'0'.repeat(64)}/index.json`,
      `/api/data/not-a-hash/index.json`,
    ]) {
      expect((await request('GET', url)).statusCode).toBe(404);
    }
  });
});
