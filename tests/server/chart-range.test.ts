import { buildServer, type IsoflopServer } from '@isoflop/server';
import { insertMetrics, type MetricRow, type Store } from '@isoflop/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSweep, type SeededSweep } from './support/seed-sweep.js';
import { tempStore } from './support/temp-store.js';

let temp: ReturnType<typeof tempStore>;
let store: Store;
let seeded: SeededSweep;
let server: IsoflopServer;
let run: SeededSweep['runs'][number];
const LOGGED_STEPS = 20_000;
const SPIKE_STEP = 10_007;

beforeAll(async () => {
  temp = tempStore();
  store = temp.store;
  seeded = seedSweep(store, { fit: false });
  // The longest run logs its first 20,000 steps one by one, smooth but for one spike.
  run = seeded.runs.reduce((longest, r) => (r.steps > longest.steps ? r : longest));
  const tokensPerStep = run.batchSize * run.shape.seqLen;
  const rows: MetricRow[] = [];
  for (let step = 1; step <= LOGGED_STEPS; step++) {
    rows.push({
      runId: run.id,
      kind: 'train',
      step,
      tokens: step * tokensPerStep,
      loss: step === SPIKE_STEP ? 9 : 4 - step / LOGGED_STEPS,
      recordedAt: Date.now(),
    });
  }
  insertMetrics(store, rows);
  server = await buildServer({ store, port: 0 });
});

afterAll(async () => {
  await server?.close();
  temp?.dispose();
});

interface CurveRow {
  runId: string;
  series: string;
  x: number;
  loss: number;
}

async function curveRows(chart: string, query: string): Promise<CurveRow[]> {
  const response = await server.app.inject(
    `/api/sweeps/${seeded.sweepId}/charts/${chart}.json${query}`,
  );
  expect(response.statusCode).toBe(200);
  return response.json().datasets.curves;
}

/** The run's stored training points with x in [min, max], read back with plain SQL. */
function storedInRange(axis: 'tokens' | 'flops', min: number, max: number): number {
  const x = axis === 'tokens' ? 'm.tokens' : 'r.achieved_flops * m.tokens / r.tokens';
  const row = store.sqlite
    .prepare(
      `SELECT count(*) AS n FROM metrics m JOIN runs r ON r.id = m.run_id
       WHERE m.run_id = ? AND m.kind = 'train' AND ${x} BETWEEN ? AND ?`,
    )
    .get(run.id, min, max) as { n: number };
  return row.n;
}

describe('a loss chart narrowed to its visible range', () => {
  it.each(['tokens', 'flops'] as const)(
    'against %s: only points in the range, downsampled by min and max, the spike kept',
    async (axis) => {
      const chart = axis === 'tokens' ? 'loss-tokens' : 'loss-flops';
      const tokensPerStep = run.batchSize * run.shape.seqLen;
      const toX = (step: number) =>
        axis === 'tokens'
          ? step * tokensPerStep
          : (run.achievedFlops * step * tokensPerStep) / run.tokens;
      const [min, max] = [toX(5_000), toX(15_000)];
      const whole = (await curveRows(chart, '')).filter(
        (row) => row.runId === run.id && row.series === 'train',
      );
      const zoomed = (await curveRows(chart, `?xmin=${min}&xmax=${max}`)).filter(
        (row) => row.runId === run.id && row.series === 'train',
      );
      const stored = storedInRange(axis, min, max);
      expect(stored).toBeGreaterThan(10_000);
      // As small as the whole-sweep view's curve of that run, though the range holds 10,000 points:
      // the curve still spans the range, its smooth stretches keep only the points that bend it by
      // half a pixel or more, and the spike stays with a point on either side.
      expect(zoomed.length).toBeLessThanOrEqual(Math.max(whole.length, 200));
      expect(zoomed[0]!.x / min).toBeCloseTo(1, 9);
      expect(zoomed.at(-1)!.x / max).toBeCloseTo(1, 9);
      const spike = zoomed.findIndex((row) => row.loss === 9);
      expect(spike).toBeGreaterThan(0);
      expect(spike).toBeLessThan(zoomed.length - 1);
      for (const row of zoomed) {
        expect(row.x).toBeGreaterThanOrEqual(min * (1 - 1e-12));
        expect(row.x).toBeLessThanOrEqual(max * (1 + 1e-12));
      }
      expect(Math.max(...zoomed.map((row) => row.loss))).toBe(9);
      expect(zoomed.map((row) => row.x)).toEqual(
        [...zoomed.map((row) => row.x)].sort((a, b) => a - b),
      );
      // Other runs keep their points in the range only.
      const others = (await curveRows(chart, `?xmin=${min}&xmax=${max}`)).filter(
        (row) => row.runId !== run.id,
      );
      for (const row of others)
        expect(row.x >= min * (1 - 1e-12) && row.x <= max * (1 + 1e-12)).toBe(true);
    },
  );

  it('refuses a range on a chart without one, half a range, or an empty one', async () => {
    const get = (path: string) => server.app.inject(`/api/sweeps/${seeded.sweepId}/charts/${path}`);
    const frontier = await get('frontier.json?xmin=1&xmax=2');
    expect(frontier.statusCode).toBe(400);
    expect(frontier.json().message).toMatch(/^xmin: .*loss-tokens, loss-flops/);
    const half = await get('loss-tokens.json?xmin=1');
    expect(half.statusCode).toBe(400);
    expect(half.json().message).toMatch(/^xmax: /);
    const empty = await get('loss-tokens.json?xmin=5&xmax=5');
    expect(empty.statusCode).toBe(400);
    expect(empty.json().message).toMatch(/^xmax: /);
    expect((await get('loss-tokens.json?xmin=-1&xmax=5')).statusCode).toBe(400);
  });
});
