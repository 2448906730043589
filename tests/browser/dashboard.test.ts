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
import { launchChromium } from './support/chromium.js';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'browser');
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

  it('redraws the loss curves when a run reports progress, without a reload', async () => {
    const run = seeded.running[0]!;
    const chart = page.locator('[data-chart="loss-tokens"]');
    const updatesBefore = Number(await chart.getAttribute('data-updates'));
    const before = await canvasImage('loss-tokens');
    const marksBefore = Number(await chart.getAttribute('data-marks'));
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));

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
