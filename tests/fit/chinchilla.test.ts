import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitRuns, huberObjective, toParametricData, type RunRow } from '@isoflop/fit';
import { readFixture } from '../../packages/fit/fixtures/fixtures.js';

// Epoch AI's reconstruction of Chinchilla's 245 runs (../shared/data/chinchilla/README.md); the package
// keeps a copy of the three columns it uses, checked against the shared file when that is present.
const SHARED_CSV = new URL(
  '../../../shared/data/chinchilla/svg_extracted_data.csv',
  import.meta.url,
);

function chinchillaRows(): RunRow[] {
  const [, ...lines] = readFixture('chinchilla-runs.csv').trim().split('\n');
  return lines.map((line) => {
    const [n, c, loss] = line.split(',').map(Number) as [number, number, number];
    return { family: 'all', n, d: c / (6 * n), c, loss };
  });
}

interface ScipyFixture {
  runs: number;
  grid_starts: number;
  probes: { theta: number[]; objective: number; gradient: number[] }[];
  best: { objective: number; E: number; A: number; B: number; alpha: number; beta: number };
}
const scipy = JSON.parse(readFixture('chinchilla-scipy.json')) as ScipyFixture;

// Chinchilla's own summed-Huber fit on the 240 runs, and Epoch's bootstrap standard errors (README).
const PUBLISHED = { E: 1.817, A: 478, B: 2143, alpha: 0.3473, beta: 0.3672 };
const EPOCH_SE = { E: 0.026, A: 124.5, B: 1293, alpha: 0.015, beta: 0.021 };

describe("Chinchilla's runs (Epoch AI reconstruction)", () => {
  const rows = chinchillaRows();

  it('keeps an exact copy of the shared data', () => {
    expect(rows).toHaveLength(245);
    if (!existsSync(SHARED_CSV)) return;
    const [header, ...lines] = readFileSync(SHARED_CSV, 'utf8').trim().split('\n');
    const columns = header!.split(',');
    const at = (name: string) => columns.indexOf(name);
    lines.forEach((line, i) => {
      const cells = line.split(',');
      expect([rows[i]!.n, rows[i]!.c, rows[i]!.loss]).toEqual([
        Number(cells[at('Model Size')]),
        Number(cells[at('Training FLOP')]),
        Number(cells[at('loss')]),
      ]);
    });
  });

  it('evaluates the summed Huber objective and its gradient as scipy does', () => {
    const kept = [...rows].sort((p, q) => p.loss - q.loss).slice(0, 240);
    const objective = huberObjective(toParametricData(kept));
    const gradient = new Float64Array(5);
    for (const probe of scipy.probes) {
      expect(objective(Float64Array.from(probe.theta), gradient) / probe.objective).toBeCloseTo(
        1,
        11,
      );
      const scale = Math.max(...probe.gradient.map(Math.abs));
      probe.gradient.forEach((g, i) =>
        expect(Math.abs(gradient[i]! - g) / scale).toBeLessThan(1e-6),
      );
    }
  });

  // One full-grid fit with a bootstrap serves the checks below.
  const document = fitRuns(rows, { dropHighest: 5, bootstrap: 400, seed: 0 });
  const fit = document.families.all!.approach3!;

  it("lands on Chinchilla's summed-Huber fit after dropping the 5 highest losses", () => {
    expect(document.families.all).toMatchObject({ runs: 240, dropped_highest: 5 });
    expect(fit.inits).toBe(4500);
    expect(Math.abs(fit.alpha - PUBLISHED.alpha)).toBeLessThan(0.001);
    expect(Math.abs(fit.beta - PUBLISHED.beta)).toBeLessThan(0.001);
    expect(Math.abs(fit.E - PUBLISHED.E)).toBeLessThan(0.002);
    expect(Math.abs(fit.A / PUBLISHED.A - 1)).toBeLessThan(0.02);
    expect(Math.abs(fit.B / PUBLISHED.B - 1)).toBeLessThan(0.02);
    expect(Math.abs(fit.a - 0.513)).toBeLessThan(0.001);
  });

  it("reaches scipy L-BFGS-B's best objective (from every 9th of the same starts)", () => {
    expect(scipy.runs).toBe(240);
    expect(scipy.grid_starts).toBe(500);
    expect(fit.objective).toBeLessThanOrEqual(scipy.best.objective * (1 + 1e-9));
    expect(fit.alpha).toBeCloseTo(scipy.best.alpha, 5);
    expect(fit.beta).toBeCloseTo(scipy.best.beta, 5);
    expect(fit.E).toBeCloseTo(scipy.best.E, 4);
  });

  it("gives bootstrap standard errors close to Epoch's (within 25%)", () => {
    const errors = fit.standard_errors!;
    for (const key of ['E', 'A', 'B', 'alpha', 'beta'] as const) {
      expect(errors[key] / EPOCH_SE[key], key).toBeGreaterThan(0.75);
      expect(errors[key] / EPOCH_SE[key], key).toBeLessThan(1.25);
    }
  });
});
