// Dashboard at scale: a 10,000-run sweep with a million stored metric rows and its fit. Measures what
// the server does per chart request (sampling curves in SQLite, building specs, rendering SVG) and how
// long Chromium takes to draw the page's charts and change a filter, on an idle machine and again while
// two real `isoflop train` processes train beside it (as on a laptop running a sweep): at a worker's
// niceness, then at niceness 0. Prints JSON lines {"bench","metric","value",...}.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { predictLoss, type ParametricLaw } from '@isoflop/fit';
import { refreshSweepFit } from '@isoflop/orchestrator';
import {
  appendEvents,
  insertMetrics,
  insertSweep,
  listRuns,
  openStore,
  recordRunResult,
  setSweepState,
  type MetricRow,
  type NewRun,
} from '@isoflop/store';
import { chromium, type Page } from 'playwright-core';
import { buildServer, chartByName, renderSvg } from '../src/index.js';
import { loadChartInputs } from '../src/http/chart-inputs.js';
import { startTrainers } from './training-load.js';

const RUNS = 10_000;
const POINTS_PER_RUN = 100;
const SWEEP = 'bench-sweep';
const FAMILIES = ['arm', 'mdm', 'mdm-prime-v2'] as const;
const BUDGETS = [1e17, 3e17, 1e18, 3e18, 1e19];
/**
 * Each family's final bound L(N, D) = E + A·N^−0.3 + B·D^−0.3 (Chinchilla's form): every IsoFLOP curve
 * has its minimum inside the sampled sizes (1M–71M parameters) and the families' frontiers share a loss
 * range, so the frontier, the family comparison and the contours draw what a finished sweep's do.
 */
const LAW: Record<(typeof FAMILIES)[number], ParametricLaw> = {
  arm: { E: 1.8, A: 40, B: 400, alpha: 0.3, beta: 0.3 },
  mdm: { E: 1.9, A: 50, B: 700, alpha: 0.3, beta: 0.3 },
  'mdm-prime-v2': { E: 1.85, A: 45, B: 550, alpha: 0.3, beta: 0.3 },
};
/**
 * The seeded sweep's fit, stored as the coordinator stores one, with fewer bootstrap resamples and two
 * L-BFGS starts θ = (log A, log B, log E, α, β) instead of Chinchilla's grid of 4,500 (which alone takes
 * 100 s on these 10,000 runs): how many marks the charts draw depends on neither.
 */
const FIT_OPTIONS = {
  bootstrap: 20,
  inits: [Float64Array.of(5, 5, 0.5, 0.5, 0.5), Float64Array.of(3, 6, 0.5, 0.3, 0.3)],
};
/**
 * Seed-to-seed noise, in nats, on each run's final bound and on each logged training loss
 * (ISOFLOP_BENCH_SEED_NOISE, default 0): without it the ten runs of each (family, budget, size) end on
 * the same bound and every training curve is smooth, which the charts draw with far fewer points than a
 * real sweep's (coincident points merge, straight stretches of a curve drop their inner points).
 */
const SEED_NOISE = Number(process.env['ISOFLOP_BENCH_SEED_NOISE'] ?? 0);
if (!(SEED_NOISE >= 0)) {
  throw new Error(
    `ISOFLOP_BENCH_SEED_NOISE: expected nats >= 0, got '${process.env['ISOFLOP_BENCH_SEED_NOISE']}'`,
  );
}
/** Normal draws from a fixed seed (Park–Miller, Box–Muller): every run of the bench seeds the same data. */
let state = 20261206;
const uniform = () => (state = (state * 16807) % 2147483647) / 2147483647;
const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());

const emit = (
  metric: string,
  value: number,
  unit: string,
  context: Record<string, unknown> = {},
): void => {
  process.stdout.write(
    `${JSON.stringify({ bench: 'dashboard', metric, value: Number(value.toFixed(3)), unit, runs: RUNS, metric_rows: RUNS * POINTS_PER_RUN, seed_noise: SEED_NOISE, ...context })}\n`,
  );
};

function time<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const result = fn();
  return [result, performance.now() - start];
}

const dir = mkdtempSync(join(tmpdir(), 'isoflop-dashboard-bench-'));
const store = openStore(join(dir, 'bench.db'));

const runs: NewRun[] = Array.from({ length: RUNS }, (_, i) => {
  const budgetFlops = BUDGETS[i % BUDGETS.length]!;
  const params = 1e6 * 1.07 ** (i % 64);
  const tokens = budgetFlops / (6 * params);
  return {
    id: `run-${i}`,
    family: FAMILIES[i % FAMILIES.length]!,
    budgetFlops,
    achievedFlops: budgetFlops,
    params,
    exactParams: params * 1.3,
    tokens,
    steps: 1000,
    batchSize: 32,
    dModel: 256,
    nLayers: 4,
    nHeads: 4,
    seqLen: 256,
    spec: {},
  };
});
const [, seedMs] = time(() =>
  store.transaction(() => {
    insertSweep(
      store,
      { id: SWEEP, name: SWEEP, specText: '', specFormat: 'yaml', spec: {}, dropped: [] },
      runs,
    );
    const rows: MetricRow[] = [];
    for (const [index, run] of runs.entries()) {
      const law = LAW[run.family as keyof typeof LAW];
      const finalLoss = predictLoss(law, run.params, run.tokens) + SEED_NOISE * normal();
      for (let p = 1; p <= POINTS_PER_RUN; p++) {
        const step = p * 10;
        const trainNoise = p % 10 === 0 ? 0 : SEED_NOISE * normal();
        rows.push({
          runId: run.id,
          kind: p % 10 === 0 ? 'eval' : 'train',
          step,
          // D = steps·batch·seqLen, as the planner plans it: a step's tokens are its share of the run's.
          tokens: (step * run.tokens) / 1000,
          loss: finalLoss + 3 * Math.exp(-p / 20) + trainNoise,
          valLoss: finalLoss + 3 * Math.exp(-p / 20),
          recordedAt: 0,
        });
      }
      if (rows.length >= 50_000) insertMetrics(store, rows.splice(0));
      recordRunResult(
        store,
        run.id,
        {
          valLoss: finalLoss,
          valLossStdErr: 0.01,
          finalTrainLoss: finalLoss,
          steps: 1000,
          tokens: run.tokens,
          wallSeconds: 1,
          tokensPerSecond: 1,
        },
        index,
      );
    }
    insertMetrics(store, rows);
    setSweepState(store, SWEEP, 'done');
    appendEvents(store, [{ sweepId: SWEEP, kind: 'sweep', payload: { state: 'done' } }]);
  }),
);
emit('seed', seedMs / 1000, 's', { note: 'store write functions, one transaction' });
const [fit, fitMs] = time(() => refreshSweepFit(store, SWEEP, FIT_OPTIONS));
if (!fit) throw new Error('the seeded sweep has nothing to fit');
emit('seed-fit', fitMs / 1000, 's', {
  bootstrap: FIT_OPTIONS.bootstrap,
  starts: FIT_OPTIONS.inits.length,
  note: "the sweep's fit, stored as the coordinator stores one",
});

for (const name of ['loss-tokens', 'run-states', 'isoflop-curves']) {
  const chart = chartByName(name)!;
  const [inputs, loadMs] = time(() => loadChartInputs(store, SWEEP, chart));
  const [spec, buildMs] = time(() => chart.build(inputs));
  const points = Object.values((spec as { datasets: Record<string, unknown[]> }).datasets).reduce(
    (n, rows) => n + rows.length,
    0,
  );
  emit('chart-data', loadMs, 'ms', { chart: name, points });
  emit('chart-spec', buildMs, 'ms', {
    chart: name,
    points,
    json_bytes: JSON.stringify(spec).length,
  });
  const svgStart = performance.now();
  await renderSvg(spec);
  emit('chart-svg', performance.now() - svgStart, 'ms', { chart: name, points });
}
// Zoomed to compute 1e17 to 1e18 (all of the smallest budget's curves, parts of the larger ones): every
// point of the curves in that range, min/max-downsampled per run to the whole view's size.
{
  const chart = chartByName('loss-flops')!;
  const range = { axis: 'flops' as const, min: 1e17, max: 1e18 };
  const [inputs, loadMs] = time(() => loadChartInputs(store, SWEEP, chart, { range }));
  emit('chart-data-visible-range', loadMs, 'ms', {
    chart: 'loss-flops',
    points: inputs.curves.length,
    xmin: range.min,
    xmax: range.max,
  });
}
const [, pageMs] = time(() => listRuns(store, SWEEP, { limit: 50, offset: 5000 }));
emit('runs-page', pageMs, 'ms', { limit: 50, offset: 5000 });
const [, sortedMs] = time(() =>
  listRuns(store, SWEEP, { limit: 50, offset: 2000, sort: 'valLoss', desc: true, idContains: '1' }),
);
emit('runs-page-sorted', sortedMs, 'ms', {
  limit: 50,
  offset: 2000,
  note: "sorted by bound, descending, ids containing '1': what the runs table asks for",
});

const executablePath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const server = await buildServer({ store, port: 0 });
const url = await server.listen();
const profile = mkdtempSync(join(tmpdir(), 'isoflop-bench-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
  viewport: { width: 1500, height: 1000 },
});

/** The browser's build ("Chromium 156.0.8078.129"): its user agent names only the major version. */
function browserBuild(): string {
  const printed = execFileSync(executablePath, ['--version'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return /^\S+ [\d.]+/.exec(printed)?.[0] ?? `unknown (${executablePath})`;
}

/**
 * The browser and machine the page figures come from: hosts of the same size differ (the same code drew
 * every chart in 1.22 s on one 2-core machine, in 0.6–0.7 s on another), so each figure names its own.
 */
const HOST = {
  browser: `${browserBuild()} headless`,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: availableParallelism(),
};

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/**
 * Hovers a run's point of the IsoFLOP curves with the pointer and times it in the page, from the
 * pointer's arrival to every chart in view repainted with the highlight (the page waits 60 ms for the
 * pointer to rest first). The point is searched a few pixels around its scenegraph centre, where the
 * canvas's hit test finds it (the page shows a pointer cursor there).
 */
async function hoverRunInView(page: Page): Promise<number> {
  const chart = page.locator('[data-chart="isoflop-curves"]');
  await chart.scrollIntoViewIfNeeded();
  const box = (await chart.locator('canvas').boundingBox())!;
  // As strings: a function in an evaluated callback would carry tsx's name helper into the page.
  const centres = (await page.evaluate(`import('/app.js').then((app) => {
    const view = app.chartView('isoflop-curves');
    const [ox, oy] = view.origin();
    const found = [];
    const stack = [view.scenegraph().root];
    while (stack.length && found.length < 3) {
      const item = stack.pop();
      if (item.mark?.marktype === 'symbol' && item.datum?.runId) {
        let x = item.x + ox;
        let y = item.y + oy;
        for (let group = item.mark.group; group; group = group.mark?.group) {
          x += group.x ?? 0;
          y += group.y ?? 0;
        }
        found.push([x, y]);
      }
      stack.push(...(item.items ?? []));
    }
    return found;
  })`)) as [number, number][];
  for (const [cx, cy] of centres) {
    for (let dx = -2; dx <= 12; dx += 2) {
      for (let dy = -2; dy <= 10; dy += 2) {
        const at = { x: box.x + cx + dx, y: box.y + cy + dy };
        await page.mouse.move(at.x, at.y);
        // Chromium hands a pointer move to the page with its next frame, late on a busy machine.
        await page.evaluate(() => new Promise(requestAnimationFrame));
        if ((await chart.evaluate((node: HTMLElement) => node.style.cursor)) !== 'pointer')
          continue;
        // Found: off again until the page has no hover, then timed coming back.
        await page.mouse.move(5, 5);
        await page.waitForFunction(() => document.body.dataset['hover'] === '');
        const timed = page.evaluate(`new Promise((resolve) => {
          let arrived;
          addEventListener('pointermove', (event) => { arrived ??= event.timeStamp; }, { capture: true });
          new MutationObserver(() => {
            if (document.body.dataset.hover?.startsWith('run:')) {
              requestAnimationFrame(() => resolve(performance.now() - arrived));
            }
          }).observe(document.body, { attributes: true, attributeFilter: ['data-hover'] });
        })`) as Promise<number>;
        await page.mouse.move(at.x, at.y);
        const elapsed = await timed;
        await page.mouse.move(5, 5);
        return elapsed;
      }
    }
  }
  throw new Error('the pointer finds no run point in the IsoFLOP curves');
}

/**
 * A new tab opened on the dashboard, to its runs table filled; with the times (from its navigation start,
 * in the page) at which its first chart, its loss chart, every chart and the table were drawn.
 */
async function openTimed(): Promise<{
  page: Page;
  marks: Record<'first' | 'loss' | 'all' | 'table', number>;
}> {
  const page = await context.newPage();
  // Timed in the page, from its navigation start, when each mark is set: a busy page thread would
  // delay a poll from here (a chart drawn early showed as drawn only once every chart was).
  await page.addInitScript(() => {
    const marks: Record<string, number> = {};
    Object.assign(window, { benchMarks: marks });
    new MutationObserver((mutations) => {
      for (const { target } of mutations) {
        const node = target as HTMLElement;
        const at = performance.now();
        if (node.dataset['ready'] === 'true') {
          marks['first'] ??= at;
          if (node.dataset['chart'] === 'loss-tokens') marks['loss'] ??= at;
        }
        if (node.dataset['charts']) marks['all'] ??= at;
        if (node.dataset['loaded']) marks['table'] ??= at;
      }
    }).observe(document, {
      attributes: true,
      subtree: true,
      attributeFilter: ['data-ready', 'data-charts', 'data-loaded'],
    });
  });
  await page.goto(url);
  await page.waitForSelector(`body[data-loaded="${SWEEP}"]`, { timeout: 300_000 });
  const marks = (await page.evaluate('window.benchMarks')) as Record<string, number>;
  return {
    page,
    marks: {
      first: marks['first']!,
      loss: marks['loss']!,
      all: marks['all']!,
      table: marks['table']!,
    },
  };
}

/**
 * Opens the page REPEATS times: to the first chart drawn, to the loss chart drawn, to every chart drawn,
 * to the runs table filled; then a run opened from the table (to its curves drawn), a budget highlighted
 * in every chart, a run's point hovered (to the charts in view repainted), and a filter change on the
 * runs table (select to the table's rows replaced and painted). Medians, with the load average.
 */
async function measurePage(load: string): Promise<void> {
  const REPEATS = 3;
  const samples = {
    first: [] as number[],
    loss: [] as number[],
    all: [] as number[],
    table: [] as number[],
    runView: [] as number[],
    hover: [] as number[],
    hoverInView: [] as number[],
    filter: [] as number[],
  };
  let timerLatency = 0;
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    const { page, marks } = await openTimed();
    samples.first.push(marks.first);
    samples.loss.push(marks.loss);
    samples.all.push(marks.all);
    samples.table.push(marks.table);
    // The page stays responsive: a task queued now runs after at most one long task.
    timerLatency = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const t = performance.now();
          setTimeout(() => resolve(performance.now() - t), 0);
        }),
    );
    // A run view: a click on a table row to the run's curves drawn (its events, plan and metrics read).
    samples.runView.push(
      await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const row = document.querySelector<HTMLElement>('#run-table tbody tr.run-row')!;
            const section = document.querySelector<HTMLElement>('#run-view')!;
            const t = performance.now();
            const observer = new MutationObserver(() => {
              if (
                section.dataset['ready'] !== 'true' ||
                section.dataset['run'] !== row.dataset['runId']
              )
                return;
              observer.disconnect();
              requestAnimationFrame(() => resolve(performance.now() - t));
            });
            observer.observe(section, { attributes: true, attributeFilter: ['data-ready'] });
            row.click();
          }),
      ),
    );
    // Hover: every chart's highlight params set to one budget, to every chart repainted.
    samples.hover.push(
      await page.evaluate(`import('/app.js').then(async (app) => {
        const views = [...document.querySelectorAll('[data-chart]')]
          .map((node) => app.chartView(node.dataset.chart))
          .filter((view) => { try { return view.signal('hoverBudget') === ''; } catch { return false; } });
        const label = app.chartView('isoflop-curves').data('isoflop')[0].budgetLabel;
        const t = performance.now();
        await Promise.all(views.map((view) => view.signal('hoverBudget', label).runAsync()));
        await new Promise(requestAnimationFrame);
        const elapsed = performance.now() - t;
        await Promise.all(views.map((view) => view.signal('hoverBudget', '').runAsync()));
        return elapsed;
      })`),
    );
    samples.hoverInView.push(await hoverRunInView(page));
    samples.filter.push(
      await page.evaluate(
        (family) =>
          new Promise<number>((resolve) => {
            const body = document.querySelector('#run-table tbody')!;
            const select = document.querySelector<HTMLSelectElement>('#filter-family')!;
            const t = performance.now();
            const observer = new MutationObserver(() => {
              observer.disconnect();
              requestAnimationFrame(() => resolve(performance.now() - t));
            });
            observer.observe(body, { childList: true });
            select.value = family;
            select.dispatchEvent(new Event('change'));
          }),
        FAMILIES[(repeat + 1) % FAMILIES.length]!,
      ),
    );
    await page.close();
  }
  const shared = {
    ...HOST,
    load,
    repeats: REPEATS,
    load_average_1m: Number(loadavg()[0]!.toFixed(2)),
  };
  const notes: Record<keyof typeof samples, [metric: string, note: string]> = {
    first: ['page-first-chart-ready', 'navigation start to the first chart drawn, in the page'],
    loss: ['page-loss-chart-ready', 'navigation start to the loss-curves chart drawn, in the page'],
    all: ['page-all-charts-ready', 'navigation start to every chart drawn, in the page'],
    table: [
      'page-table-ready',
      'navigation start to the runs table filled (after the charts), in the page',
    ],
    runView: ['page-run-view', "a runs-table row clicked to the run view's curves drawn"],
    hover: [
      'page-hover-highlight',
      'a budget highlighted in every chart (their hover params set) to the charts repainted',
    ],
    hoverInView: [
      'page-hover-in-view',
      "a run's point hovered with the pointer to every chart in view repainted (the page's 60 ms rest included)",
    ],
    filter: [
      'page-filter-change',
      'runs-table family filter changed to its rows replaced and painted',
    ],
  };
  for (const [key, [metric, note]] of Object.entries(notes)) {
    emit(metric, median(samples[key as keyof typeof samples]), 'ms', {
      ...shared,
      note: `${note}, median`,
    });
  }
  emit('page-timer-latency', timerLatency, 'ms', {
    ...shared,
    note: 'setTimeout(0) delay once loaded, last repeat',
  });
}

/** How long the live sweep of measureLive trains, and how often it reports. */
const LIVE_MS = 12_000;
const LIVE_TICK_MS = 250;

/**
 * A live sweep watched: the page open and loaded, two runs report a training step every 250 ms and a run
 * finishes every 2 s, as a sweep's events arrive, for 12 s. Measures how much of the page's thread the
 * redraws take (long tasks, over 50 ms each), how long a task queued meanwhile waits (a setTimeout(0)
 * every 50 ms, as a click would), and which charts the page fetched again.
 */
async function measureLive(): Promise<void> {
  const page = await context.newPage();
  await page.addInitScript(() => {
    const longTasks: number[][] = [];
    Object.assign(window, { benchLongTasks: longTasks });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longTasks.push([entry.startTime, entry.duration]);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(url);
  await page.waitForSelector(`body[data-loaded="${SWEEP}"]`, { timeout: 300_000 });
  const start = (await page.evaluate('performance.now()')) as number;
  // As a string: a named function in an evaluated callback would carry tsx's name helper into the page.
  const waits = page.evaluate(`new Promise((resolve) => {
    const waits = [];
    const end = performance.now() + ${LIVE_MS};
    function probe() {
      const queued = performance.now();
      setTimeout(() => {
        waits.push(performance.now() - queued);
        if (performance.now() < end) setTimeout(probe, 50);
        else resolve(waits);
      }, 0);
    }
    probe();
  })`) as Promise<number[]>;
  const live = [runs[1]!, runs[2]!];
  for (let tick = 1; tick <= LIVE_MS / LIVE_TICK_MS; tick++) {
    const step = 1000 + tick * 10;
    insertMetrics(
      store,
      live.map((run) => ({
        runId: run.id,
        kind: 'train' as const,
        step,
        tokens: (step * run.tokens) / 1000,
        loss: 3 + 100 / step,
        recordedAt: Date.now(),
      })),
    );
    const finished = runs[100 + tick]!;
    appendEvents(store, [
      ...live.map((run) => ({
        sweepId: SWEEP,
        runId: run.id,
        kind: 'progress' as const,
        payload: {
          kind: 'train' as const,
          runId: run.id,
          step,
          steps: 2000,
          tokens: (step * run.tokens) / 1000,
          loss: 3 + 100 / step,
          lr: 1e-3,
          tokensPerSecond: 1e4,
          gradNorm: 1,
        },
      })),
      ...(tick % 8 === 0
        ? [
            {
              sweepId: SWEEP,
              runId: finished.id,
              kind: 'run' as const,
              payload: { runId: finished.id, state: 'done' as const },
            },
          ]
        : []),
    ]);
    await new Promise((resolve) => setTimeout(resolve, LIVE_TICK_MS));
  }
  const sorted = (await waits).sort((a, b) => a - b);
  const longTasks = ((await page.evaluate('window.benchLongTasks')) as number[][]).filter(
    ([at]) => at! > start,
  );
  const chartFetches = (await page.evaluate(
    `performance.getEntriesByType('resource').filter((entry) => entry.startTime > ${start} && entry.name.includes('/charts/')).length`,
  )) as number;
  await page.close();
  const shared = {
    ...HOST,
    load: 'no training workers',
    live_s: LIVE_MS / 1000,
    load_average_1m: Number(loadavg()[0]!.toFixed(2)),
  };
  const busyMs = longTasks.reduce((sum, [, duration]) => sum + duration!, 0);
  emit('page-live-busy-share', busyMs / LIVE_MS, 'share', {
    ...shared,
    chart_fetches: chartFetches,
    note: "share of a live sweep's 12 s the page's thread spent in long tasks (2 runs reporting every 250 ms, a run finishing every 2 s), scrolled to the top",
  });
  emit('page-live-task-wait-p95', sorted[Math.floor(sorted.length * 0.95)]!, 'ms', {
    ...shared,
    note: 'how long a task queued during the live sweep waited to run, 95th percentile',
  });
}

// A first visit: a browser with nothing of the page cached (later loads keep vega and its compiled code).
{
  const { page, marks } = await openTimed();
  await page.close();
  const shared = {
    ...HOST,
    load: 'no training workers',
    repeats: 1,
    load_average_1m: Number(loadavg()[0]!.toFixed(2)),
  };
  emit('page-first-visit-first-chart-ready', marks.first, 'ms', {
    ...shared,
    note: 'a first visit (nothing cached): navigation start to the first chart drawn, in the page',
  });
  emit('page-first-visit-all-charts-ready', marks.all, 'ms', {
    ...shared,
    note: 'a first visit (nothing cached): navigation start to every chart drawn, in the page',
  });
}
await measurePage('no training workers');
await measureLive();
// As a sweep's workers train (at their niceness, 10), then as workers started with `--nice 0` would.
for (const nice of ['worker', 0] as const) {
  const load = nice === 'worker' ? 'two training workers' : 'two training workers at niceness 0';
  const trainers = startTrainers(2, dir, nice);
  try {
    await trainers.training;
    const cpuBefore = trainers.cpuSeconds();
    const measureStart = performance.now();
    await measurePage(load);
    emit('training-workers-cpu', trainers.cpuSeconds() - cpuBefore, 's', {
      load,
      wall_s: Number(((performance.now() - measureStart) / 1000).toFixed(1)),
      note: 'CPU the two isoflop train processes used while the page was measured',
    });
    emit('training-workers-runs', trainers.finished(), 'runs', {
      load,
      note: 'isoflop train runs the two load processes finished while the page was measured',
    });
  } finally {
    await trainers.stop();
  }
}

await context.close();
await server.close();
store.close();
rmSync(dir, { recursive: true, force: true });
rmSync(profile, { recursive: true, force: true });
