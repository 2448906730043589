import type { FitDocument } from '@isoflop/fit';
import { parse, View } from 'vega';
import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import type { ChartRun } from './chart-data.js';
import { CHARTS } from './chart-registry.js';
import { compileToVega } from './compile-vega.js';
import { familyComparisonSpec } from './family-comparison.js';
import { frontierSpec } from './frontier.js';
import { isoflopCurvesSpec } from './isoflop-curves.js';
import { isolossContoursSpec } from './isoloss-contours.js';
import { PRIME_OBJECTIVE_LABEL, primeObjectivesSpec } from './prime-objectives.js';

type Row = Record<string, number | string>;

/** A hand-written fit document with the shape @isoflop/fit produces, for one family. */
const FIT: FitDocument = {
  families: {
    arm: {
      runs: 9,
      dropped_highest: 0,
      approach2: {
        a: 0.5,
        b: 0.5,
        a_ci: [0.45, 0.55],
        budgets: [
          {
            budget: 1e15,
            // loss = 0.2·(x − 6)² + 3 in x = log10 N: vertex at N = 1e6, loss 3.
            n_opt: 1e6,
            d_opt: 1e15 / 6e6,
            loss_opt: 3,
            runs: 3,
            sizes: 3,
            n_range: [1e5, 1e7],
            parabola: { c2: 0.2, c1: -2.4, c0: 10.2 },
          },
        ],
        excluded_budgets: [],
        n_opt_coefficient: 0.03,
        d_opt_coefficient: 5.5,
        loss_frontier: { k: 40, gamma: 0.05 },
        estimator: 'parabola',
      },
      approach3: {
        E: 1.7,
        A: 400,
        B: 410,
        alpha: 0.34,
        beta: 0.28,
        a: 0.45,
        b: 0.55,
        G: 0.6,
        objective: 0.001,
        inits: 10,
        runs: 9,
      },
    },
  },
  efficiency: [],
  unfitted: [],
  rejected_rows: [],
  warnings: [],
};

const RUNS: ChartRun[] = [1e5, 1e6, 1e7].map((params, i) => ({
  id: `arm-${i}`,
  family: 'arm',
  model: 'arm',
  budgetFlops: 1e15,
  params,
  tokens: 1e15 / (6 * params),
  flops: 1e15,
  state: 'done',
  valLoss: 3 + 0.2 * (Math.log10(params) - 6) ** 2,
  primeObjective: null,
}));

function rows(spec: { datasets?: Record<string, unknown> }, name: string, kind: string): Row[] {
  return (spec.datasets?.[name] as Row[]).filter((row) => row['kind'] === kind);
}

describe('chart specs', () => {
  it('draw the fitted quadratic of each budget through its vertex', () => {
    const spec = isoflopCurvesSpec(RUNS, FIT) as { datasets: Record<string, unknown> };
    const parabola = rows(spec, 'isoflop', 'parabola');
    for (const row of parabola) {
      const x = Math.log10(row['params'] as number);
      expect(row['loss']).toBeCloseTo(3 + 0.2 * (x - 6) ** 2, 12);
    }
    const lowest = parabola.reduce((a, b) =>
      (b['loss'] as number) < (a['loss'] as number) ? b : a,
    );
    expect(lowest['loss']).toBeCloseTo(3, 3);
    expect(rows(spec, 'isoflop', 'minimum')).toEqual([
      expect.objectContaining({ params: 1e6, loss: 3 }),
    ]);
    expect(rows(spec, 'isoflop', 'run')).toHaveLength(3);
  });

  it('draw Approach 3 frontiers with C = 6·N_opt·D_opt and the Approach-2 law through its coefficients', () => {
    const spec = frontierSpec(FIT) as {
      datasets: Record<string, unknown>;
      title: { subtitle: string[] };
    };
    const a3 = rows(spec, 'frontier', 'a3');
    const n = a3.filter((row) => row['quantity'] === 'N_opt (parameters)');
    const d = a3.filter((row) => row['quantity'] === 'D_opt (tokens)');
    expect(n.length).toBeGreaterThan(10);
    n.forEach((row, i) => {
      expect(6 * (row['value'] as number) * (d[i]!['value'] as number)).toBeCloseTo(
        row['c'] as number,
        -2,
      );
      expect(row['value']).toBeCloseTo(0.6 * ((row['c'] as number) / 6) ** 0.45, 6);
    });
    for (const row of rows(spec, 'frontier', 'a2-law').filter(
      (r) => r['quantity'] === 'N_opt (parameters)',
    )) {
      expect(row['value']).toBeCloseTo(0.03 * (row['c'] as number) ** 0.5, 6);
    }
    const labels = rows(spec, 'frontier', 'label').map((row) => row['text']);
    expect(labels).toContainEqual(['arm: a = 0.500 [0.450, 0.550]', 'A3 0.450']);
    expect(spec.title.subtitle[1]).toContain(
      "each family's exponent by Approach 2 (parabola), then by Approach 3 (A3)",
    );
  });

  it('show Prime J only labelled as an objective, beside K', () => {
    const prime: ChartRun = {
      ...RUNS[0]!,
      id: 'p',
      family: 'mdm-prime-v2',
      model: 'mdm-prime-v2',
      valLoss: 4,
      primeObjective: 3.6,
    };
    const spec = primeObjectivesSpec([...RUNS, prime]) as unknown as { datasets: { prime: Row[] } };
    expect(spec.datasets.prime.map((row) => [row['measure'], row['value']])).toEqual([
      ['bound K (valid, used in fits)', 4],
      [PRIME_OBJECTIVE_LABEL, 3.6],
    ]);
  });

  it("draw each Prime variant's K and J in a row of their own, on an axis of their own", async () => {
    // Two variants at one budget (the quickstart trains Prime as published and on K): a budget's line
    // joined the two variants' points, and J of the variant trained on K (far above its K) flattened
    // every other row when all shared one axis.
    const prime = (family: string, shift: number, gap: number): ChartRun[] =>
      RUNS.map((run, i) => ({
        ...run,
        id: `${family}-${i}`,
        family,
        model: 'mdm-prime-v2' as const,
        params: run.params * shift,
        primeObjective: run.valLoss! + gap,
      }));
    const spec = primeObjectivesSpec([
      ...prime('mdm-prime-v2', 1, -0.5),
      ...prime('prime-k8', 2, 25),
    ]);
    const view = new View(parse(compileToVega(spec)), { renderer: 'none' });
    try {
      await view.runAsync();
      type Item = {
        marktype?: string;
        y?: number;
        datum?: { family?: string };
        items?: Item[];
      };
      const lines: Set<string | undefined>[] = [];
      const heights = new Map<string, number[]>();
      const visit = (node: Item): void => {
        if (node.marktype === 'line' && node.items?.length) {
          lines.push(new Set(node.items.map((item) => item.datum?.family)));
        }
        if (node.marktype === 'symbol') {
          for (const item of node.items ?? []) {
            const family = item.datum?.family;
            if (family) heights.set(family, [...(heights.get(family) ?? []), item.y!]);
          }
        }
        for (const child of node.items ?? []) visit(child);
      };
      visit((view.scenegraph() as unknown as { root: Item }).root);
      // Each variant's budget, as K and as J.
      expect(lines).toHaveLength(4);
      for (const families of lines) expect(families.size).toBe(1);
      expect(new Set(lines.map((families) => [...families][0]))).toEqual(
        new Set(['mdm-prime-v2', 'prime-k8']),
      );
      // The published variant's K and J (0.5 nats apart) span most of its panels' height.
      const published = heights.get('mdm-prime-v2')!;
      expect(Math.max(...published) - Math.min(...published)).toBeGreaterThan(100);
    } finally {
      view.finalize();
    }
  });

  it('say in words why the family comparison has no compute ratio', () => {
    const notes = (fit: FitDocument): string =>
      (
        familyComparisonSpec(fit) as unknown as { datasets: { ratioNotes: { line: string }[] } }
      ).datasets.ratioNotes
        .map((row) => row.line)
        .join(' ');
    expect(notes(FIT)).toMatch(/needs a baseline family and another one/);
    const disjoint: FitDocument = {
      ...FIT,
      families: { arm: FIT.families['arm']!, mdm: FIT.families['arm']! },
      warnings: [
        "mdm vs arm (approach2): the budgets' minimum losses do not overlap; no compute ratio",
        'mdm: 2 of 5 budgets flagged',
      ],
    };
    expect(notes(disjoint)).toBe(
      "No compute ratio: mdm vs arm (approach2): the budgets' minimum losses do not overlap; no compute ratio",
    );
    expect(() => compile(familyComparisonSpec(disjoint))).not.toThrow();
    const withRatio = {
      ...disjoint,
      efficiency: [
        {
          family: 'mdm',
          baseline: 'arm',
          compute_ratio: 2,
          at_loss: 3,
          method: 'approach2' as const,
        },
      ],
    };
    expect(notes(withRatio)).toBe('');
  });

  it('draw an Approach-3-only family over its own budgets', () => {
    const arm = FIT.families['arm']!;
    const fit: FitDocument = {
      ...FIT,
      families: { arm, mdm: { ...arm, approach2: undefined } },
    };
    const mdmRuns = RUNS.map((run) => ({
      ...run,
      family: 'mdm',
      model: 'mdm' as const,
      budgetFlops: 3e15,
    }));
    const spec = familyComparisonSpec(fit, [...RUNS, ...mdmRuns]) as {
      datasets: Record<string, unknown>;
    };
    const mdmLine = rows(spec, 'frontiers', 'a3').filter((row) => row['family'] === 'mdm');
    expect(mdmLine.length).toBeGreaterThan(10);
    expect(Math.min(...mdmLine.map((row) => row['c'] as number))).toBeCloseTo(1.5e15, -10);
    expect(Math.max(...mdmLine.map((row) => row['c'] as number))).toBeCloseTo(6e15, -10);
    expect(rows(spec, 'frontiers', 'minimum').every((row) => row['family'] === 'arm')).toBe(true);
    const frontier = frontierSpec(fit, [...RUNS, ...mdmRuns]) as {
      datasets: Record<string, unknown>;
    };
    const mdmOptima = rows(frontier, 'frontier', 'a3').filter((row) => row['family'] === 'mdm');
    expect(mdmOptima.length).toBeGreaterThan(10);
    const withoutRuns = frontierSpec(fit) as { datasets: Record<string, unknown> };
    expect(rows(withoutRuns, 'frontier', 'a3').filter((row) => row['family'] === 'mdm')).toEqual(
      [],
    );
  });

  it('compile to vega for every chart, with and without a fit', () => {
    for (const chart of CHARTS) {
      for (const fit of [FIT, undefined]) {
        const spec = chart.build({
          runs: RUNS,
          curves: [],
          curveRuns: { shown: 0, total: 0 },
          fit,
        });
        expect(() => compile(spec), chart.name).not.toThrow();
      }
    }
  });

  it('colour every variant a spec names, not only the three families', async () => {
    // The quickstart's second Prime: an ordinal scale colours only the values in its domain.
    const variant = 'prime-k8';
    const fit: FitDocument = {
      ...FIT,
      families: { ...FIT.families, [variant]: FIT.families['arm']! },
    };
    const runs = [...RUNS, ...RUNS.map((run) => ({ ...run, id: `k8-${run.id}`, family: variant }))];
    const charts = {
      frontier: frontierSpec(fit, runs),
      'family-comparison': familyComparisonSpec(fit, runs),
    };
    for (const [name, spec] of Object.entries(charts)) {
      const view = new View(parse(compileToVega(spec)), { renderer: 'none' });
      try {
        await view.runAsync();
        type Item = {
          mark?: { marktype: string };
          fill?: unknown;
          stroke?: unknown;
          datum?: { family?: string };
          items?: Item[];
        };
        const colours = new Map<string, unknown[]>();
        const visit = (item: Item): void => {
          const family = item.datum?.family;
          // Groups (a line's series) carry the datum but draw nothing themselves.
          if (family !== undefined && item.mark?.marktype !== 'group')
            colours.set(family, [...(colours.get(family) ?? []), item.fill ?? item.stroke]);
          for (const child of item.items ?? []) visit(child);
        };
        visit((view.scenegraph() as unknown as { root: Item }).root);
        const ours = colours.get(variant) ?? [];
        expect(ours.length, name).toBeGreaterThan(0);
        expect(new Set(ours), name).toEqual(new Set([expect.stringMatching(/^#/)]));
        expect(ours[0], name).not.toBe(colours.get('arm')?.[0]);
      } finally {
        view.finalize();
      }
    }
  });

  it('draw the seeds of a size on one spot once, lit when any of them is hovered', async () => {
    // Each run again with a second seed of the same bound: the same spot on every chart.
    const seeded = [RUNS, RUNS.map((run) => ({ ...run, id: `${run.id}-seed` }))]
      .flat()
      .flatMap((run) => [
        run,
        {
          ...run,
          id: `prime-${run.id}`,
          family: 'mdm-prime-v2',
          model: 'mdm-prime-v2' as const,
          primeObjective: run.valLoss! - 0.5,
        },
      ]);
    const charts = {
      'isoflop-curves': isoflopCurvesSpec(seeded, FIT),
      'isoloss-contours': isolossContoursSpec(seeded, FIT),
      'prime-objectives': primeObjectivesSpec(seeded),
    };
    for (const [name, spec] of Object.entries(charts)) {
      const view = new View(parse(compileToVega(spec)), { renderer: 'none' });
      try {
        await view.signal('hoverRun', 'arm-1-seed').runAsync();
        const points: {
          datum: { runId: string; runIds: string[]; runsHere: number };
          opacity: number;
        }[] = [];
        const visit = (node: {
          marktype?: string;
          items?: unknown[];
          datum?: { runIds?: unknown };
        }): void => {
          if (node.marktype === 'symbol') {
            for (const item of node.items ?? []) {
              if (Array.isArray((item as typeof node).datum?.runIds))
                points.push(item as (typeof points)[number]);
            }
          }
          for (const item of node.items ?? []) visit(item as typeof node);
        };
        visit((view.scenegraph() as unknown as { root: never }).root);
        // Isoflop and contours: three ARM and three Prime spots; Prime's chart: three of K, three of J.
        expect(points, name).toHaveLength(6);
        for (const { datum } of points) {
          expect(datum.runIds, name).toEqual([datum.runId, `${datum.runId}-seed`]);
          expect(datum.runsHere, name).toBe(2);
        }
        const lit = points.filter((point) => point.datum.runIds.includes('arm-1-seed'));
        const dim = points.filter((point) => !point.datum.runIds.includes('arm-1-seed'));
        if (name === 'prime-objectives') expect(lit, name).toHaveLength(0);
        else {
          expect(lit, name).toHaveLength(1);
          expect(lit[0]!.datum.runId, name).toBe('arm-1');
          expect(
            Math.min(...dim.map((point) => lit[0]!.opacity - point.opacity)),
            name,
          ).toBeGreaterThan(0.5);
        }
      } finally {
        view.finalize();
      }
    }
  });
});
