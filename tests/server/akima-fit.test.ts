import { ESTIMATORS, lossAtCompute, type FitDocument, type RunRow } from '@isoflop/fit';
import { FIT_ESTIMATORS } from '@isoflop/planner';
import { refreshSweepFit } from '@isoflop/orchestrator';
import { buildServer, type IsoflopServer } from '@isoflop/server';
import { latestFit, runMetrics, sweepRuns, type Store } from '@isoflop/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSweep, TEST_FIT_INITS, type SeededSweep } from './support/seed-sweep.js';
import { tempStore } from './support/temp-store.js';

let temp: ReturnType<typeof tempStore>;
let store: Store;
let seeded: SeededSweep;
let server: IsoflopServer;

beforeAll(async () => {
  temp = tempStore();
  store = temp.store;
  seeded = seedSweep(store, { fit: false });
  refreshSweepFit(store, seeded.sweepId, {
    bootstrap: 0,
    inits: TEST_FIT_INITS,
    estimator: 'akima',
  });
  server = await buildServer({ store, port: 0 });
});

afterAll(async () => {
  await server?.close();
  temp?.dispose();
});

async function get(url: string) {
  const response = await server.app.inject({ method: 'GET', url });
  return { status: response.statusCode, json: () => response.json() };
}

describe('a sweep fitted with the akima estimator', () => {
  it("offers in the spec's fit block exactly the estimators @isoflop/fit has", () => {
    expect([...FIT_ESTIMATORS]).toEqual([...ESTIMATORS]);
  });

  it("takes the estimator and its options from the sweep spec's fit block", () => {
    const other = tempStore();
    try {
      const sweep = seedSweep(other.store, {
        fit: false,
        spec: { fit: { estimator: 'akima', seedNoiseDraws: 300 } },
      });
      const { document } = refreshSweepFit(other.store, sweep.sweepId, {
        bootstrap: 0,
        inits: TEST_FIT_INITS,
      })!;
      const approach2 = Object.values(document.families)[0]!.approach2!;
      expect(approach2.estimator).toBe('akima');
      expect(approach2.seed_noise?.draws).toBe(300);
    } finally {
      other.dispose();
    }
  });

  it("compares runs at exactly their budget, along each run's evaluated curve", () => {
    const rows = latestFit(store, seeded.sweepId)!.data as RunRow[];
    const runs = sweepRuns(store, seeded.sweepId);
    expect(rows).toHaveLength(runs.length);
    for (const run of runs) {
      const row = rows.find(
        (r) => r.family === run.family && r.n === run.params && r.budget === run.budgetFlops,
      )!;
      const curve = runMetrics(store, run.id)
        .filter((m) => m.kind === 'eval')
        .map((m) => ({ flops: (run.achievedFlops * m.tokens) / run.tokens, loss: m.valLoss! }));
      const expected = lossAtCompute(curve, run.budgetFlops);
      expect(expected).toBeDefined();
      expect(row.budgetLoss).toBe(expected);
      // The final evaluation sits off the budget, so the loss at the budget is not the final loss.
      expect(row.budgetLoss).not.toBe(row.loss);
    }
  });

  it('names the estimator in the fit document and in the export', async () => {
    const document = (await get(`/api/sweeps/${seeded.sweepId}/fit`)).json()
      .document as FitDocument;
    for (const family of Object.values(document.families)) {
      expect(family.approach2?.estimator).toBe('akima');
      expect(family.approach2?.a_ci).toHaveLength(2);
    }
    const exported = (await get(`/api/sweeps/${seeded.sweepId}/export?format=json`)).json();
    expect(exported.fit.estimator).toBe('akima');
  });

  it("draws each budget's Akima interpolation on the IsoFLOP curves, between its outer sizes", async () => {
    const spec = (await get(`/api/sweeps/${seeded.sweepId}/charts/isoflop-curves.json`)).json();
    expect(spec.title.subtitle).toContain('Akima interpolations');
    type Row = { kind: string; family: string; budgetFlops: number; params: number };
    const rows = spec.datasets.isoflop as Row[];
    const curve = rows.filter((row) => row.kind === 'akima');
    expect(curve.length).toBeGreaterThan(0);
    expect(rows.some((row) => row.kind === 'parabola')).toBe(false);
    for (const point of curve) {
      const sizes = rows
        .filter(
          (row) =>
            row.kind === 'run' &&
            row.family === point.family &&
            row.budgetFlops === point.budgetFlops,
        )
        .map((row) => row.params);
      expect(point.params).toBeGreaterThanOrEqual(Math.min(...sizes) * (1 - 1e-9));
      expect(point.params).toBeLessThanOrEqual(Math.max(...sizes) * (1 + 1e-9));
    }
  });

  it("draws the other estimator's power laws on the frontier when asked, and only then", async () => {
    const url = `/api/sweeps/${seeded.sweepId}/charts/frontier.json`;
    type Frontier = {
      title: { subtitle: string[] };
      datasets: { frontier: { kind: string; text?: string | string[] }[] };
    };
    const frontierOf = async (query: string) => (await get(`${url}${query}`)).json() as Frontier;
    const plain = await frontierOf('');
    expect(plain.datasets.frontier.some((row) => row.kind === 'a2-compare')).toBe(false);
    expect(plain.title.subtitle.join(' ')).toContain('Approach 2 (akima)');
    const both = await frontierOf('?compare=parabola');
    expect(
      both.datasets.frontier.filter((row) => row.kind === 'a2-compare').length,
    ).toBeGreaterThan(0);
    // Each family's label: its exponent by akima (named in the subtitle), then by parabola.
    expect(both.title.subtitle.join(' ')).toContain('dotted: Approach 2 by parabola');
    expect(both.datasets.frontier.find((row) => row.kind === 'label')!.text![1]).toMatch(
      /^A2 parabola \d/,
    );
    expect((await get(`${url}?compare=spline`)).status).toBe(400);
  });
});
