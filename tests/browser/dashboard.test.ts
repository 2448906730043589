import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { redisOptionsFromUrl, TRAIN_QUEUE, TrainQueue } from '@isoflop/queue';
import { Coordinator } from '@isoflop/orchestrator';
import { buildServer, type IsoflopServer } from '@isoflop/server';
import type { Store } from '@isoflop/store';
import { Job, Queue } from 'bullmq';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  progressRows,
  seedSweep,
  syntheticLoss,
  type SeededSweep,
} from '../server/support/seed-sweep.js';
import { CHART_NAMES } from '../server/support/chart-names.js';
import { tempStore } from '../server/support/temp-store.js';
import { launchChromium, VIEWPORT } from './support/chromium.js';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser');
/** A window tall enough for every chart to be in view. */
const TALL_VIEWPORT = { width: VIEWPORT.width, height: 3600 };
const redisUrl = inject('redisUrl');
const prefix = `test-browser-${process.pid}-${Date.now().toString(36)}`;

let temp: ReturnType<typeof tempStore>;
let coordinator: Coordinator;
let store: Store;
let seeded: SeededSweep;
let server: IsoflopServer;
let url: string;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  temp = tempStore();
  store = temp.store;
  seeded = seedSweep(store, { leaveRunning: 1, bootstrap: 8 });
  // The real coordinator: on start it finds the unfinished run missing from the queue and enqueues it.
  coordinator = await Coordinator.start({
    store,
    redisUrl,
    prefix,
    flushIntervalMs: 50,
    log: () => undefined,
  });
  server = await buildServer({ store, coordinator, port: 0 });
  url = await server.listen();
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('pageerror', (error) => {
    throw error;
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await coordinator?.close();
  temp?.dispose();
  const queue = new TrainQueue({ redisUrl, prefix });
  await queue.obliterate();
  await queue.close();
});

/** Marks vega drew (items in its scenegraph, counted by the page) and whether its canvas has ink. */
async function drawn(name: string): Promise<{ marks: number; inked: boolean }> {
  const chart = page.locator(`[data-chart="${name}"]`);
  const marks = Number(await chart.getAttribute('data-marks'));
  const inked = await chart.locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let coloured = 0;
    for (let i = 0; i < data.length; i += 4)
      if (data[i]! < 200 || data[i + 1]! < 200 || data[i + 2]! < 200) coloured++;
    return coloured > 500;
  });
  return { marks, inked };
}

function canvasImage(name: string): Promise<string> {
  return page
    .locator(`[data-chart="${name}"] canvas`)
    .evaluate((canvas: HTMLCanvasElement) => canvas.toDataURL());
}

describe('dashboard', () => {
  it('shows every chart of a finished sweep with marks drawn', async () => {
    await page.goto(url);
    await page.waitForSelector(`body[data-loaded="${seeded.sweepId}"]`, { timeout: 60_000 });
    for (const name of CHART_NAMES) {
      const chart = page.locator(`[data-chart="${name}"]`);
      await expect.poll(() => chart.getAttribute('data-ready'), { timeout: 30_000 }).toBe('true');
      const { marks, inked } = await drawn(name);
      expect(marks, name).toBeGreaterThan(5);
      expect(inked, name).toBe(true);
    }
    await expect.poll(() => page.locator('#live').getAttribute('data-state')).toBe('open');
    expect(await page.locator('#sweep-name').textContent()).toBe('dashboard-test');
    expect(await page.locator('#run-table tbody tr').count()).toBe(seeded.runs.length);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    for (const name of CHART_NAMES) {
      await page
        .locator(`[data-chart="${name}"]`)
        .screenshot({ path: join(ARTIFACTS, `${name}.png`) });
    }
  });

  it('redraws the loss curves when a run reports progress, once they are in view, without a reload', async () => {
    const run = seeded.running[0]!;
    const chart = page.locator('[data-chart="loss-tokens"]');
    const updatesBefore = Number(await chart.getAttribute('data-updates'));
    const before = await canvasImage('loss-tokens');
    const marksBefore = Number(await chart.getAttribute('data-marks'));
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));
    // Scrolled to the top, the loss curves are out of view (and beyond the margin kept drawn).
    await page.evaluate(() => window.scrollTo(0, 0));
    expect((await chart.boundingBox())!.y).toBeGreaterThan(VIEWPORT.height + 300);
    const lossRequests: string[] = [];
    page.on('request', (request) => {
      if (/\/charts\/loss-tokens\./.test(request.url())) lossRequests.push(request.url());
    });
    // The page has heard the events once it asks for the running runs again.
    const heard = page.waitForRequest((request) => /\/runs\?state=running/.test(request.url()), {
      timeout: 20_000,
    });

    // A worker's progress reports, through BullMQ's job progress: the coordinator follows the queue's
    // event stream, records the metric rows and a 'progress' event, and the page hears it over SSE.
    const queue = new Queue(TRAIN_QUEUE, { connection: redisOptionsFromUrl(redisUrl), prefix });
    const job = await Job.fromId(queue, run.id);
    expect(job, 'the coordinator re-enqueued the unfinished run').toBeDefined();
    const index = seeded.runs.indexOf(run);
    const rows = progressRows(run, syntheticLoss(run, index), run.steps, index);
    await job!.updateProgress({ kind: 'start', runId: run.id, worker: 'browser-test', attempt: 1 });
    for (const row of rows.filter((r) => r.kind === 'train' && r.step > run.steps / 2)) {
      await job!.updateProgress({
        kind: 'train',
        runId: run.id,
        step: row.step,
        steps: run.steps,
        tokens: row.tokens,
        loss: row.loss!,
        lr: 2e-4,
        tokensPerSecond: 1e5,
        gradNorm: 1,
      });
    }
    await queue.close();

    await heard;
    // Past the refresh interval, the chart out of view has not been fetched or drawn again...
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(lossRequests).toEqual([]);
    expect(Number(await chart.getAttribute('data-updates'))).toBe(updatesBefore);
    // ...until it comes into view.
    await chart.scrollIntoViewIfNeeded();

    await expect
      .poll(async () => Number(await chart.getAttribute('data-updates')), { timeout: 20_000 })
      .toBeGreaterThan(updatesBefore);
    expect(await canvasImage('loss-tokens')).not.toBe(before);
    expect(Number(await chart.getAttribute('data-marks'))).toBeGreaterThan(marksBefore);
    expect(navigations).toEqual([]);
    await page.screenshot({
      path: join(ARTIFACTS, 'dashboard-after-progress.png'),
      fullPage: true,
    });
  });
});

/**
 * Runs in the page: the first point of a run in a chart's scenegraph, in canvas coordinates. Item
 * coordinates are relative to their group (a facet's panel), so the groups' offsets are added.
 */
function findPoint(
  app: {
    chartView(
      name: string,
    ): { scenegraph(): { root: unknown }; origin(): [number, number] } | undefined;
  },
  chart: string,
  legendValue: string | null,
) {
  const view = app.chartView(chart);
  if (!view) return undefined;
  type Item = {
    x?: number;
    y?: number;
    datum?: { runId?: string; value?: unknown };
    items?: Item[];
    mark?: { group?: Item; marktype?: string; role?: string };
  };

  const points: { x: number; y: number; runId: string }[] = [];
  const stack: Item[] = [view.scenegraph().root as Item];
  while (stack.length) {
    const item = stack.pop()!;
    const wanted =
      legendValue === null
        ? item.mark?.marktype === 'symbol' && item.datum?.runId
        : item.mark?.role === 'legend-symbol' && item.datum?.value === legendValue;
    if (wanted) {
      let x = item.x ?? 0;
      let y = item.y ?? 0;
      for (let group = item.mark?.group; group; group = group.mark?.group) {
        x += group.x ?? 0;
        y += group.y ?? 0;
      }
      const [ox, oy] = view.origin();
      points.push({ x: x + ox, y: y + oy, runId: item.datum?.runId ?? '' });
    }
    stack.push(...(item.items ?? []));
  }
  return points;
}

/**
 * A place on a chart where the pointer is over a run's point (the page shows a pointer there), searched
 * a few pixels around each point's centre: the canvas's hit test and the scenegraph's centre differ by a
 * few pixels here (measured: about 8 right and 5 down), and a point may sit under another mark.
 */
async function pointOfRun(
  name: string,
  legendValue?: string,
): Promise<{ x: number; y: number; runIds: string[] }> {
  // The import is in a string: the test runner would rewrite a dynamic import in a function for node.
  const args = [name, legendValue].map((arg) => JSON.stringify(arg ?? null)).join(', ');
  const script = `import('/app.js').then((app) => (${findPoint.toString()})(app, ${args}))`;
  const points = (await page.evaluate(script)) as { x: number; y: number; runId: string }[];
  const chart = page.locator(`[data-chart="${name}"]`);
  await chart.scrollIntoViewIfNeeded();
  const box = (await chart.locator('canvas').boundingBox())!;
  const runIds = points.map((point) => point.runId);
  for (const point of points.slice(0, 3)) {
    for (let dx = -2; dx <= 12; dx += 2) {
      for (let dy = -2; dy <= 10; dy += 2) {
        const at = { x: box.x + point.x + dx, y: box.y + point.y + dy };
        await page.mouse.move(at.x, at.y);
        // Chromium hands a pointer move to the page with its next frame, late on a busy machine.
        await page.evaluate(() => new Promise(requestAnimationFrame));
        const cursor = await chart.evaluate((node: HTMLElement) => node.style.cursor);
        if (cursor === 'pointer') return { ...at, runIds };
      }
    }
  }
  throw new Error(`chart ${name}: the pointer finds none of its ${points.length} points`);
}

/** Runs in the page: the opacity of every item of a chart that stands for a run, by run id. */
function runOpacities(
  app: { chartView(name: string): { scenegraph(): { root: unknown } } | undefined },
  chart: string,
) {
  type Item = { opacity?: number; datum?: { runId?: string }; items?: Item[] };
  const view = app.chartView(chart);
  const byRun: Record<string, number[]> = {};
  const stack: Item[] = view ? [view.scenegraph().root as Item] : [];
  while (stack.length) {
    const item = stack.pop()!;
    const runId = item.datum?.runId;
    if (typeof runId === 'string' && typeof item.opacity === 'number') {
      (byRun[runId] ??= []).push(item.opacity);
    }
    stack.push(...(item.items ?? []));
  }
  return byRun;
}

async function opacitiesIn(chart: string): Promise<Record<string, number[]>> {
  const script = `import('/app.js').then((app) => (${runOpacities.toString()})(app, ${JSON.stringify(chart)}))`;
  return (await page.evaluate(script)) as Record<string, number[]>;
}

/** The runs table's values in one column, as shown, top to bottom. */
async function column(key: string): Promise<string[]> {
  const index = await page
    .locator('#run-table thead th')
    .evaluateAll(
      (ths, wanted) => ths.findIndex((th) => (th as HTMLElement).dataset['sort'] === wanted),
      key,
    );
  return page
    .locator(`#run-table tbody tr td:nth-child(${index + 1})`)
    .evaluateAll((tds) => tds.map((td) => td.textContent ?? ''));
}

function hashParams(): URLSearchParams {
  return new URLSearchParams(new URL(page.url()).hash.slice(1));
}

describe('dashboard views', () => {
  it('opens a run from a table row: its curves, plan and events', async () => {
    const run = seeded.runs.find(
      (r) => r.family === 'mdm-prime-v2' && !seeded.running.includes(r),
    )!;
    await page.locator(`#run-table tbody tr[data-run-id="${run.id}"] td:nth-child(3)`).click();
    const view = page.locator('#run-view');
    await expect.poll(() => view.getAttribute('data-ready'), { timeout: 20_000 }).toBe('true');
    expect(await view.getAttribute('data-run')).toBe(run.id);
    expect(hashParams().get('run')).toBe(run.id);
    expect(await page.locator('#run-title').textContent()).toBe(run.id);
    // Training loss, the bound K and Prime's J (named as not a bound) are all drawn.
    expect(Number(await view.getAttribute('data-points'))).toBeGreaterThan(40);
    expect(await view.getAttribute('data-series')).toBe(
      'training loss,evaluated bound (K),objective J (not a bound)',
    );
    const facts = await page.locator('#run-facts').textContent();
    expect(facts).toContain('objective J (not a bound)');
    expect(facts).toContain(`${run.steps} / ${run.steps}`);
    const events = await page.locator('#run-events li').allTextContents();
    expect(events.some((line) => line.includes('running'))).toBe(true);
    expect(events.some((line) => line.includes('done'))).toBe(true);
    for (const chart of ['#run-loss', '#run-lr']) {
      expect(await page.locator(`${chart}[data-ready="true"] canvas`).count(), chart).toBe(1);
    }
    // The seeded metrics carry no tokens/s: the view says so rather than drawing empty axes.
    expect(await page.locator('#run-speed').textContent()).toBe('tokens/s: not recorded');
    await view.screenshot({ path: join(ARTIFACTS, 'run-view.png') });

    await page.locator('#run-close').click();
    await expect.poll(() => view.isHidden()).toBe(true);
    expect(hashParams().get('run')).toBeNull();
  });

  it('opens a run from a point of a chart', async () => {
    const point = await pointOfRun('isoflop-curves');
    await page.mouse.click(point.x, point.y);
    const view = page.locator('#run-view');
    await expect.poll(() => view.getAttribute('data-ready'), { timeout: 20_000 }).toBe('true');
    const opened = await view.getAttribute('data-run');
    expect(point.runIds).toContain(opened);
    expect(hashParams().get('run')).toBe(opened);
    await page
      .locator('#run-view')
      .screenshot({ path: join(ARTIFACTS, 'run-view-from-chart.png') });
    // Back closes it again: opening a run is a step in the history.
    await page.goBack();
    await expect.poll(() => view.isHidden()).toBe(true);
  });

  it('sorts and filters the runs table on the server, and downloads what it shows', async () => {
    const bound = (values: string[]) => values.filter((v) => v !== '–').map(Number);
    const rows = () => page.locator('#run-table tbody tr').count();
    await page.locator('#run-table th[data-sort="valLoss"]').click();
    await expect
      .poll(async () => {
        const bounds = bound(await column('valLoss'));
        return bounds.length > 10 && bounds.every((b, i) => i === 0 || bounds[i - 1]! <= b);
      })
      .toBe(true);
    const bounds = bound(await column('valLoss'));
    await page.locator('#run-table th[data-sort="valLoss"]').click();
    await expect
      .poll(async () => bound(await column('valLoss')))
      .toEqual([...bounds].sort((a, b) => b - a));
    expect(hashParams().get('sort')).toBe('valLoss');
    expect(hashParams().get('desc')).toBe('1');

    await page.locator('#filter-family').selectOption('mdm');
    const mdm = seeded.runs.filter((r) => r.family === 'mdm');
    await expect.poll(rows).toBe(mdm.length);
    expect(new Set(await column('variant'))).toEqual(new Set(['mdm']));

    const budget = mdm[0]!.budgetFlops;
    await page.locator('#filter-budget').selectOption(String(budget));
    const inBudget = mdm.filter((r) => r.budgetFlops === budget);
    await expect.poll(rows).toBe(inBudget.length);

    const wanted = inBudget[1]!.id;
    await page.locator('#filter-search').fill(wanted.slice(0, 12));
    await expect.poll(() => column('id')).toEqual([expect.stringContaining(wanted)]);

    const download = page.waitForEvent('download');
    await page.locator('#runs-csv').click();
    const path = await (await download).path();
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines[0]).toContain('id,variant,state');
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual([wanted]);
    await page.locator('#runs').screenshot({ path: join(ARTIFACTS, 'runs-filtered.png') });

    await page.locator('#filter-search').fill('');
    await page.locator('#filter-budget').selectOption('');
    await page.locator('#filter-family').selectOption('');
    await expect.poll(rows).toBe(seeded.runs.length);
  });

  it('hides a family in every chart from a legend, and shows it again', async () => {
    const marks = async (name: string) =>
      Number(await page.locator(`[data-chart="${name}"]`).getAttribute('data-marks'));
    const before = { frontier: await marks('frontier'), curves: await marks('isoflop-curves') };
    const entry = await pointOfRun('frontier', 'mdm');
    expect(await page.locator('#hidden-series').isVisible()).toBe(false);
    await page.mouse.click(entry.x, entry.y);
    await expect.poll(() => page.locator('body').getAttribute('data-hidden')).toBe('mdm');
    expect(hashParams().get('hide')).toBe('mdm');
    expect(await page.locator('#hidden-series').isVisible()).toBe(true);
    // Gone from this chart and from the others (the isoflop curves lose mdm's panel).
    expect(await marks('frontier')).toBeLessThan(before.frontier);
    expect(await marks('isoflop-curves')).toBeLessThan(before.curves);
    await page.locator('#charts').screenshot({ path: join(ARTIFACTS, 'family-hidden.png') });

    await page.locator('#hidden-series button').click();
    await expect.poll(() => page.locator('body').getAttribute('data-hidden')).toBe('');
    expect(await marks('frontier')).toBe(before.frontier);
    expect(await marks('isoflop-curves')).toBe(before.curves);
    expect(hashParams().get('hide')).toBeNull();
    expect(await page.locator('#hidden-series').isVisible()).toBe(false);
  });

  it('zooms a loss chart, asks the server for the visible range at full detail, and keeps the zoom in the URL', async () => {
    const chart = page.locator('[data-chart="loss-tokens"]');
    await chart.scrollIntoViewIfNeeded();
    const box = (await chart.locator('canvas').boundingBox())!;
    const xs = async () =>
      (await page.evaluate(
        `import('/app.js').then((app) => app.chartView('loss-tokens').data('curves').map((row) => row.x))`,
      )) as number[];
    const whole = await xs();
    const asked = page.waitForRequest((request) =>
      /\/charts\/loss-tokens\.vega\.json\?xmin=[^&]+&xmax=/.test(request.url()),
    );
    // The wheel over the first panel zooms its x axis in, to about a fifth of its decades (the axis is
    // shared by the panels).
    await page.mouse.move(box.x + 200, box.y + 150);
    await page.mouse.wheel(0, -1200);
    const url = new URL((await asked).url());
    const [xmin, xmax] = ['xmin', 'xmax'].map((key) => Number(url.searchParams.get(key)));
    await expect.poll(() => chart.getAttribute('data-range'), { timeout: 10_000 }).not.toBe('');
    expect(whole.some((x) => x < xmin! || x > xmax!)).toBe(true);
    const zoomed = await xs();
    expect(zoomed.length).toBeGreaterThan(0);
    expect(zoomed.every((x) => x >= xmin! && x <= xmax!)).toBe(true);
    await chart.screenshot({ path: join(ARTIFACTS, 'loss-zoomed.png') });
    const range = `${url.searchParams.get('xmin')},${url.searchParams.get('xmax')}`;
    expect(hashParams().get('zoom-loss-tokens')).toBe(range);

    // The URL opens the chart zoomed to the same range: a new view (as when a chart's spec changes)
    // starts at the zoom, from the range's rows, and a double-click still resets it.
    const other = await browser.context.newPage();
    other.on('pageerror', (error) => {
      throw error;
    });
    try {
      await other.goto(page.url());
      await other.waitForSelector(`body[data-loaded="${seeded.sweepId}"]`, { timeout: 60_000 });
      const shared = other.locator('[data-chart="loss-tokens"]');
      expect(await shared.getAttribute('data-range')).toBe(range);
      const view = (await other.evaluate(
        `import('/app.js').then((app) => { const view = app.chartView('loss-tokens'); return { zoom: view.signal('zoom_x'), xs: view.data('curves').map((row) => row.x) }; })`,
      )) as { zoom: number[]; xs: number[] };
      expect(view.zoom).toEqual([xmin, xmax]);
      expect(view.xs.length).toBeGreaterThan(0);
      expect(view.xs.every((x) => x >= xmin! && x <= xmax!)).toBe(true);
      await shared.scrollIntoViewIfNeeded();
      const sharedBox = (await shared.locator('canvas').boundingBox())!;
      await other.mouse.dblclick(sharedBox.x + 320, sharedBox.y + 70);
      await expect.poll(() => shared.getAttribute('data-range'), { timeout: 10_000 }).toBe('');
      expect(new URL(other.url()).hash).not.toContain('zoom-');
    } finally {
      await other.close();
    }

    // A double-click resets the zoom, and the whole curves come back.
    // (top right of the first panel: high loss late in training, where no curve runs to be clicked)
    await page.mouse.dblclick(box.x + 320, box.y + 70);
    await expect.poll(() => chart.getAttribute('data-range'), { timeout: 10_000 }).toBe('');
    expect((await xs()).some((x) => x < xmin! || x > xmax!)).toBe(true);
    expect(hashParams().get('zoom-loss-tokens')).toBeNull();

    // A pasted link zooms the live chart in place, and one without the zoom shows the whole again.
    const unzoomed = new URL(page.url()).hash;
    await page.evaluate((hash) => (location.hash = hash), `${unzoomed}&zoom-loss-tokens=${range}`);
    await expect.poll(() => chart.getAttribute('data-range'), { timeout: 10_000 }).toBe(range);
    expect(
      await page.evaluate(
        `import('/app.js').then((app) => app.chartView('loss-tokens').signal('zoom_x'))`,
      ),
    ).toEqual([xmin, xmax]);
    expect((await xs()).every((x) => x >= xmin! && x <= xmax!)).toBe(true);
    await page.evaluate((hash) => (location.hash = hash), unzoomed);
    await expect.poll(() => chart.getAttribute('data-range'), { timeout: 10_000 }).toBe('');
  });

  it('highlights a hovered run in every chart, and nothing once the pointer leaves', async () => {
    // Tall enough for every chart to be in view: a hover repaints only those.
    await page.setViewportSize(TALL_VIEWPORT);
    const point = await pointOfRun('isoflop-curves');
    await expect
      .poll(() => page.locator('body').getAttribute('data-hover'), { timeout: 10_000 })
      .toMatch(/^run:/);
    const hovered = (await page.locator('body').getAttribute('data-hover'))!.slice('run:'.length);
    expect(point.runIds).toContain(hovered);
    // The point's tooltip, evaluated only for the item under the pointer (compile-vega.ts), names it.
    const tooltip = page.locator('#vg-tooltip-element');
    await expect.poll(() => tooltip.getAttribute('class'), { timeout: 5_000 }).toContain('visible');
    expect(await tooltip.textContent()).toContain(hovered);
    // In another chart, the loss curves: the hovered run's curve keeps its opacity, the others fade.
    const lit = await opacitiesIn('loss-tokens');
    const mine = lit[hovered] ?? [];
    const others = Object.entries(lit)
      .filter(([id]) => id !== hovered)
      .flatMap(([, o]) => o);
    expect(mine.length).toBeGreaterThan(0);
    expect(Math.min(...mine)).toBeGreaterThanOrEqual(0.35);
    expect(Math.max(...others)).toBeLessThan(0.2);
    await page.locator('[data-chart="isoflop-curves"]').screenshot({
      path: join(ARTIFACTS, 'hover-run.png'),
    });

    await page.mouse.move(5, 5);
    await expect.poll(() => page.locator('body').getAttribute('data-hover')).toBe('');
    const unlit = Object.values(await opacitiesIn('loss-tokens')).flat();
    expect(Math.min(...unlit)).toBeGreaterThanOrEqual(0.35);
    await page.setViewportSize(VIEWPORT);
  });

  it('repaints a hover in the charts in view, and in another chart once it comes into view', async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    const loss = page.locator('[data-chart="loss-tokens"]');
    expect((await loss.boundingBox())!.y).toBeGreaterThan(VIEWPORT.height + 300);
    const hoverRunIn = (chart: string) =>
      page.evaluate(
        `import('/app.js').then((app) => app.chartView(${JSON.stringify(chart)}).signal('hoverRun'))`,
      );
    await pointOfRun('isoflop-curves');
    await expect
      .poll(() => page.locator('body').getAttribute('data-hover'), { timeout: 10_000 })
      .toMatch(/^run:/);
    const hovered = (await page.locator('body').getAttribute('data-hover'))!.slice('run:'.length);
    expect(await hoverRunIn('isoflop-curves')).toBe(hovered);
    expect(await hoverRunIn('loss-tokens')).toBe('');
    // A taller window brings the loss curves into view under the same pointer: they show the hover.
    await page.setViewportSize(TALL_VIEWPORT);
    await expect.poll(() => hoverRunIn('loss-tokens'), { timeout: 10_000 }).toBe(hovered);
    await page.mouse.move(5, 5);
    await expect.poll(() => page.locator('body').getAttribute('data-hover')).toBe('');
    await page.setViewportSize(VIEWPORT);
  });

  it('compares two selected runs on one chart', async () => {
    const [a, b] = seeded.runs
      .filter((r) => r.family === 'arm' && !seeded.running.includes(r))
      .slice(0, 2);
    await page.locator(`tr[data-run-id="${a!.id}"] input[type="checkbox"]`).check();
    await page.locator(`tr[data-run-id="${b!.id}"] input[type="checkbox"]`).check();
    const compare = page.locator('#compare');
    await expect.poll(() => compare.getAttribute('data-ready'), { timeout: 20_000 }).toBe('true');
    expect(await compare.getAttribute('data-runs')).toBe(`${a!.id},${b!.id}`);
    expect(hashParams().get('sel')).toBe(`${a!.id},${b!.id}`);
    expect(await page.locator('#run-view').isHidden()).toBe(true);
    // ARM runs: their bound is not named K, and they have no J.
    expect(await compare.getAttribute('data-series')).toBe('training loss,evaluated bound');
    await compare.screenshot({ path: join(ARTIFACTS, 'compare.png') });
  });

  it('compares the runs a brush covers in one panel of the IsoFLOP curves', async () => {
    const script = `import('/app.js').then((app) => (${findPoint.toString()})(app, 'isoflop-curves', null))`;
    const points = (await page.evaluate(script)) as { x: number; y: number; runId: string }[];
    const arm = new Set(seeded.runs.filter((r) => r.family === 'arm').map((r) => r.id));
    const inArm = points.filter((p) => arm.has(p.runId));
    const chart = page.locator('[data-chart="isoflop-curves"]');
    await chart.scrollIntoViewIfNeeded();
    const box = (await chart.locator('canvas').boundingBox())!;
    const xs = inArm.map((p) => box.x + p.x);
    const ys = inArm.map((p) => box.y + p.y);
    // Around every arm point, with room for the few pixels the hit test and the scenegraph differ by.
    await page.mouse.move(Math.min(...xs) - 12, Math.min(...ys) - 12);
    await page.mouse.down();
    await page.mouse.move(Math.max(...xs) + 16, Math.max(...ys) + 14, { steps: 8 });
    await page.mouse.up();
    const compare = page.locator('#compare');
    await expect
      .poll(() => hashParams().get('sel')?.split(',').length ?? 0, { timeout: 10_000 })
      .toBeGreaterThan(2);
    const selected = hashParams().get('sel')!.split(',');
    expect(
      selected.every((id) => arm.has(id)),
      selected.join(','),
    ).toBe(true);
    expect(new Set(selected)).toEqual(new Set(inArm.map((p) => p.runId)));
    await expect.poll(() => compare.getAttribute('data-ready'), { timeout: 20_000 }).toBe('true');
    expect(await compare.getAttribute('data-runs')).toBe(selected.join(','));
    await page.locator('#charts').screenshot({ path: join(ARTIFACTS, 'brushed.png') });
  });

  it('restores the same view from a shared URL', async () => {
    const run = seeded.runs.find((r) => r.family === 'arm' && !seeded.running.includes(r))!;
    const shared = new URLSearchParams({
      sweep: seeded.sweepId,
      run: run.id,
      family: 'arm',
      sort: 'params',
      desc: '1',
      sel: page.url().includes('sel=') ? hashParams().get('sel')! : '',
    });
    const other = await browser.context.newPage();
    other.on('pageerror', (error) => {
      throw error;
    });
    try {
      await other.goto(new URL(`/#${shared}`, url).href);
      await other.waitForSelector(`body[data-loaded="${seeded.sweepId}"]`, { timeout: 60_000 });
      await expect
        .poll(() => other.locator('#run-view').getAttribute('data-ready'), { timeout: 20_000 })
        .toBe('true');
      expect(await other.locator('#run-view').getAttribute('data-run')).toBe(run.id);
      expect(await other.locator('#filter-family').inputValue()).toBe('arm');
      expect(
        await other.locator('#run-table th[data-sort="params"]').getAttribute('aria-sort'),
      ).toBe('descending');
      const variants = await other.locator('#run-table tbody tr td:nth-child(3)').allTextContents();
      expect(new Set(variants)).toEqual(new Set(['arm']));
      await expect
        .poll(() => other.locator('#compare').getAttribute('data-ready'), { timeout: 20_000 })
        .toBe('true');
      expect(await other.locator('#compare').getAttribute('data-runs')).toBe(shared.get('sel'));
      await other.screenshot({ path: join(ARTIFACTS, 'shared-url.png'), fullPage: true });
    } finally {
      await other.close();
    }
  });

  // Fails on main (6b536e2): the sidebar counted failed runs and the header cancelled ones as finished.
  it('counts the same finished runs in the sidebar and the header of a cancelled sweep', async () => {
    const response = await fetch(new URL(`/api/sweeps/${seeded.sweepId}/cancel`, url), {
      method: 'POST',
    });
    expect(response.status, await response.clone().text()).toBe(202);
    const header = page.locator('#progress-summary');
    await expect
      .poll(() => page.locator('#sweep-state').textContent(), { timeout: 20_000 })
      .toBe('cancelled');
    const finished = seeded.runs.length - seeded.running.length;
    await expect
      .poll(() => header.getAttribute('data-finished'), { timeout: 20_000 })
      .toBe(String(finished));
    const sidebar = page.locator(`#sweep-list li[data-sweep-id="${seeded.sweepId}"] .finished`);
    await expect
      .poll(() => sidebar.getAttribute('data-finished'), { timeout: 20_000 })
      .toBe(String(finished));
    expect(await sidebar.textContent()).toBe(`${finished}/${seeded.runs.length} runs`);
    await page.screenshot({ path: join(ARTIFACTS, 'cancelled.png') });
  });
});
