import { Coordinator } from '@isoflop/orchestrator';
import { parseSweepSpec, planSweep } from '@isoflop/planner';
import { redisOptionsFromUrl, TRAIN_QUEUE, TrainQueue } from '@isoflop/queue';
import { buildServer, type IsoflopServer } from '@isoflop/server';
import { FAMILIES } from '@isoflop/planner';
import { RUN_STATES, SWEEP_STATES, TERMINAL_RUN_STATES, type Store } from '@isoflop/store';
import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHART_NAMES } from './support/chart-names.js';
import { seedSweep } from './support/seed-sweep.js';
import { tempStore } from './support/temp-store.js';
import { TEST_SWEEP_YAML } from './support/test-spec.js';

const redisUrl = inject('redisUrl');
const prefix = `test-server-preview-${process.pid}-${Date.now().toString(36)}`;

let temp: ReturnType<typeof tempStore>;
let store: Store;
let coordinator: Coordinator;
let server: IsoflopServer;
let readOnly: IsoflopServer;

beforeAll(async () => {
  temp = tempStore();
  store = temp.store;
  coordinator = await Coordinator.start({ store, redisUrl, prefix, log: () => undefined });
  server = await buildServer({ store, coordinator, port: 0 });
  readOnly = await buildServer({ store, port: 0 });
});

afterAll(async () => {
  await server?.close();
  await readOnly?.close();
  await coordinator?.close();
  temp?.dispose();
  const queue = new TrainQueue({ redisUrl, prefix });
  await queue.obliterate();
  await queue.close();
});

function preview(target: IsoflopServer, payload: string, contentType = 'application/yaml') {
  return target.app.inject({
    method: 'POST',
    url: '/api/sweeps/preview',
    payload,
    headers: { 'content-type': contentType },
  });
}

function storedRows(): { sweeps: number; runs: number; events: number } {
  const count = (table: string) =>
    (store.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { sweeps: count('sweeps'), runs: count('runs'), events: count('events') };
}

describe('POST /api/sweeps/preview', () => {
  it("summarises the planner's plan per budget and writes nothing", async () => {
    const before = storedRows();
    const response = await preview(server, TEST_SWEEP_YAML);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    // The reference: the planner run directly on the same text.
    const plan = planSweep(parseSweepSpec(TEST_SWEEP_YAML, 'yaml'));
    expect(body).toMatchObject({
      sweepName: 'dashboard-test',
      exists: false,
      runCount: plan.runs.length,
      dropped: plan.dropped.length,
    });
    expect(body.totalFlops).toBeCloseTo(
      plan.runs.reduce((sum, run) => sum + run.achievedFlops, 0),
      0,
    );
    const budgets = [...new Set(plan.runs.map((run) => run.budgetFlops))].sort((a, b) => a - b);
    expect(body.budgets.map((b: { budgetFlops: number }) => b.budgetFlops)).toEqual(budgets);
    for (const budget of body.budgets) {
      const runs = plan.runs.filter((run) => run.budgetFlops === budget.budgetFlops);
      expect(budget.runs).toBe(runs.length);
      for (const { variant, params } of budget.variants) {
        expect(params).toEqual(
          runs
            .filter((run) => run.variant === variant)
            .map((run) => run.params)
            .sort((a, b) => a - b),
        );
      }
    }
    // No run has finished in this store, so there is no speed to estimate from.
    expect(body.estimate).toMatchObject({ wallSeconds: null, workers: 0, measuredRuns: 0 });
    expect(body.estimate.reason).toMatch(/no run has finished/);
    expect(storedRows()).toEqual(before);
  });

  it('answers an invalid spec like a submission, with every bad field path, writing nothing', async () => {
    const before = storedRows();
    const spec = TEST_SWEEP_YAML.replace(
      'budgets: [2.0e+13, 6.0e+13, 2.0e+14]',
      'budgets: [-1]',
    ).replace('seqLen: 64', 'seqLen: many');
    const response = await preview(server, spec);
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.error).toBe('INVALID_SPEC');
    const paths = body.issues.map((issue: { path: string }) => issue.path);
    expect(paths).toEqual(expect.arrayContaining([expect.stringContaining('budgets'), 'seqLen']));
    expect((await preview(server, '')).statusCode).toBe(400);
    expect((await preview(server, '<spec/>', 'application/xml')).statusCode).toBe(415);
    expect(storedRows()).toEqual(before);
  });

  it("estimates the wall time from finished runs' compute rate and the connected workers", async () => {
    const seeded = seedSweep(store, { leaveRunning: 1, fit: false });
    const spec = TEST_SWEEP_YAML.replace('name: dashboard-test', 'name: preview-estimate');
    // Two real workers on the coordinator's queue; not started, so they take no job.
    const workers = [0, 1].map(
      () =>
        new Worker(TRAIN_QUEUE, async () => undefined, {
          connection: redisOptionsFromUrl(redisUrl),
          prefix,
          autorun: false,
        }),
    );
    try {
      await Promise.all(workers.map((worker) => worker.waitUntilReady()));
      const body = (await preview(server, spec)).json();
      // The reference: the seeded results as stored, read back with plain SQL.
      const done = store.sqlite
        .prepare(
          "SELECT achieved_flops AS flops, wall_seconds AS seconds FROM runs WHERE state = 'done'",
        )
        .all() as { flops: number; seconds: number }[];
      expect(done.length).toBe(seeded.runs.length - 1);
      const rate =
        done.reduce((sum, row) => sum + row.flops, 0) /
        done.reduce((sum, row) => sum + row.seconds, 0);
      const plan = planSweep(parseSweepSpec(spec, 'yaml'));
      const total = plan.runs.reduce((sum, run) => sum + run.achievedFlops, 0);
      const largest = Math.max(...plan.runs.map((run) => run.achievedFlops));
      expect(body.estimate).toMatchObject({ workers: 2, measuredRuns: done.length, reason: null });
      expect(body.estimate.flopsPerSecond).toBeCloseTo(rate, 6);
      expect(body.estimate.wallSeconds).toBeCloseTo(Math.max(total / 2, largest) / rate, 6);

      const submitted = await coordinator.submit(spec, 'yaml');
      expect((await preview(server, spec)).json()).toMatchObject({
        sweepId: submitted.sweepId,
        exists: true,
      });
    } finally {
      await Promise.all(workers.map((worker) => worker.close()));
    }
    const withoutCoordinator = (await preview(readOnly, spec)).json();
    expect(withoutCoordinator.estimate).toMatchObject({ wallSeconds: null, workers: null });
    expect(withoutCoordinator.estimate.reason).toMatch(/no coordinator/);
  });
});

describe('GET /api/vocabulary', () => {
  it('lists the families, states and charts of the contracts', async () => {
    const response = await server.app.inject('/api/vocabulary');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      families: [...FAMILIES],
      runStates: [...RUN_STATES],
      terminalRunStates: [...TERMINAL_RUN_STATES],
      unfinishedRunStates: RUN_STATES.filter(
        (state) => !(TERMINAL_RUN_STATES as readonly string[]).includes(state),
      ),
      sweepStates: [...SWEEP_STATES],
      charts: [...CHART_NAMES],
    });
  });

  it("adds a sweep's variants when asked for one", async () => {
    const sweep = (await server.app.inject('/api/sweeps')).json().sweeps[0].id as string;
    // The reference: the variants the planner gives the runs of the spec those sweeps come from.
    const plan = planSweep(parseSweepSpec(TEST_SWEEP_YAML, 'yaml'));
    const response = await server.app.inject(`/api/vocabulary?sweep=${sweep}`);
    expect(response.statusCode).toBe(200);
    expect(response.json().variants).toEqual([...new Set(plan.runs.map((run) => run.variant))]);
    expect((await server.app.inject('/api/vocabulary?sweep=nope')).statusCode).toBe(404);
  });

  it('is published in the OpenAPI document, as is the preview', async () => {
    const document = (await server.app.inject('/docs/json')).json();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/vocabulary', '/api/sweeps/preview']),
    );
    expect(document.paths['/api/sweeps/preview'].post.tags).toEqual(['sweeps']);
    expect(document.paths['/api/vocabulary'].get.tags).toEqual(['vocabulary']);
  });
});
