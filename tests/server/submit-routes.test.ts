import { parse as parseYaml } from 'yaml';
import { TrainQueue } from '@isoflop/queue';
import { Coordinator } from '@isoflop/orchestrator';
import { buildServer, type IsoflopServer } from '@isoflop/server';
import type { Store } from '@isoflop/store';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_SWEEP_YAML } from './support/test-spec.js';
import { tempStore } from './support/temp-store.js';

const TOKEN = 'a-long-enough-test-token';
const redisUrl = inject('redisUrl');
const prefix = `test-server-submit-${process.pid}-${Date.now().toString(36)}`;

let temp: ReturnType<typeof tempStore>;
let store: Store;
let coordinator: Coordinator;
let server: IsoflopServer;
let guarded: IsoflopServer;

beforeAll(async () => {
  temp = tempStore();
  store = temp.store;
  coordinator = await Coordinator.start({ store, redisUrl, prefix, log: () => undefined });
  server = await buildServer({ store, coordinator, port: 0, bodyLimitBytes: 16 * 1024 });
  guarded = await buildServer({ store, coordinator, host: '0.0.0.0', port: 0, token: TOKEN });
});

afterAll(async () => {
  await server?.close();
  await guarded?.close();
  await coordinator?.close();
  temp?.dispose();
  const queue = new TrainQueue({ redisUrl, prefix });
  await queue.obliterate();
  await queue.close();
});

function post(
  target: IsoflopServer,
  url: string,
  payload: string,
  contentType: string,
  headers: Record<string, string> = {},
) {
  return target.app.inject({
    method: 'POST',
    url,
    payload,
    headers: { 'content-type': contentType, ...headers },
  });
}

describe('POST /api/sweeps', () => {
  let sweepId: string;

  it('takes a YAML spec and answers with the sweep id and its plan', async () => {
    const response = await post(server, '/api/sweeps', TEST_SWEEP_YAML, 'application/yaml');
    expect(response.statusCode).toBe(201);
    const body = response.json();
    sweepId = body.sweepId;
    expect(body.created).toBe(true);
    expect(body.plan.sweepName).toBe('dashboard-test');
    expect(body.plan.runs.length).toBeGreaterThan(30);
    expect(body.plan.runs[0]).toMatchObject({
      family: 'arm',
      steps: expect.any(Number),
      shape: expect.any(Object),
    });
    const sweep = (await server.app.inject(`/api/sweeps/${sweepId}`)).json();
    expect(sweep.runs).toEqual({ queued: body.plan.runs.length });
  });

  it('takes the same spec as JSON and resumes the same sweep', async () => {
    const response = await post(
      server,
      '/api/sweeps',
      JSON.stringify(parseYaml(TEST_SWEEP_YAML)),
      'application/json',
    );
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ sweepId, created: false });
    expect((await server.app.inject('/api/sweeps')).json().sweeps).toHaveLength(1);
  });

  it('rejects an invalid spec with every bad field named, writing nothing', async () => {
    const spec = TEST_SWEEP_YAML.replace(
      'budgets: [2.0e+13, 6.0e+13, 2.0e+14]',
      'budgets: [-1]',
    ).replace('seqLen: 64', 'seqLen: many');
    const response = await post(server, '/api/sweeps', spec, 'application/yaml');
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.error).toBe('INVALID_SPEC');
    const paths = body.issues.map((issue: { path: string }) => issue.path);
    expect(paths).toEqual(expect.arrayContaining([expect.stringContaining('budgets'), 'seqLen']));
    expect((await server.app.inject('/api/sweeps')).json().sweeps).toHaveLength(1);
  });

  it('limits the body size and the media types', async () => {
    const big = `${TEST_SWEEP_YAML}\n# ${'x'.repeat(20_000)}\n`;
    const tooLarge = await post(server, '/api/sweeps', big, 'application/yaml');
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json().error).toBe('FST_ERR_CTP_BODY_TOO_LARGE');
    expect((await post(server, '/api/sweeps', '<spec/>', 'application/xml')).statusCode).toBe(415);
    expect((await post(server, '/api/sweeps', '[1, 2]', 'application/json')).statusCode).toBe(400);
  });

  it('requires the bearer token when bound beyond loopback, for mutating routes only', async () => {
    const missing = await post(guarded, '/api/sweeps', TEST_SWEEP_YAML, 'application/yaml');
    expect(missing.statusCode).toBe(401);
    expect(missing.json().error).toBe('UNAUTHORIZED');
    const wrong = await post(guarded, '/api/sweeps', TEST_SWEEP_YAML, 'application/yaml', {
      authorization: 'Bearer nope',
    });
    expect(wrong.statusCode).toBe(401);
    const cancel = await post(guarded, `/api/sweeps/${sweepId}/cancel`, '', 'text/plain');
    expect(cancel.statusCode).toBe(401);
    const right = await post(guarded, '/api/sweeps', TEST_SWEEP_YAML, 'application/yaml', {
      authorization: `Bearer ${TOKEN}`,
    });
    expect(right.statusCode).toBe(201);
    expect((await guarded.app.inject('/api/sweeps')).statusCode).toBe(200);
  });

  it('cancels a sweep and its unfinished runs', async () => {
    // As the CLI sends it: no body, no content type. A text/plain cancel is what a cross-site form
    // posts, refused with 415 (cross-site.test.ts).
    const cancel = (id: string) =>
      server.app.inject({ method: 'POST', url: `/api/sweeps/${id}/cancel` });
    const response = await cancel(sweepId);
    expect(response.statusCode).toBe(202);
    const body = response.json();
    expect(body.state).toBe('cancelled');
    expect(Object.keys(body.runs)).toEqual(['cancelled']);
    expect((await cancel('nope')).statusCode).toBe(404);
  });
});
