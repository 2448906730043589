import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildServer, type IsoflopServer } from '@isoflop/server';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  FIXTURES,
  fixtureText,
  processEnv,
  spawnNode,
  startCoordinatorBed,
  sweepState,
  waitFor,
  WORKER_MAIN,
  type CoordinatorBed,
  type Spawned,
} from '../orchestration/harness.js';
import { launchChromium } from './support/chromium.js';

const TOKEN = 'a-long-enough-browser-token';
// Screenshots go to a fresh directory each run, for a person to look at; the path is printed.
const SHOTS = mkdtempSync(join(tmpdir(), 'isoflop-submit-shots-'));
const redisUrl = inject('redisUrl');

// Two ARM runs (two seeds) of ~50,000 steps for one worker: the first is still training and the second
// waiting when the page cancels the sweep. Over HTTP there is no spec directory: the corpus is absolute.
const VALID_SPEC = `${fixtureText('one-long-run.yaml')
  .replace('budgets: [6.0e+8]', 'budgets: [3.0e+10]')
  .replace(
    'paths: [corpus.jsonl]',
    `paths: [${JSON.stringify(join(FIXTURES, 'corpus.jsonl'))}]`,
  )}seeds: [0, 1]\n`;
const INVALID_SPEC = VALID_SPEC.replace('budgets: [3.0e+10]', 'budgets: [-1]').replace(
  'seqLen: 16',
  'seqLen: many',
);

let bed: CoordinatorBed;
let server: IsoflopServer;
let guarded: IsoflopServer;
let url: string;
let guardedUrl: string;
let worker: Spawned;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

beforeAll(async () => {
  bed = await startCoordinatorBed('browser-submit', redisUrl);
  server = await buildServer({ store: bed.store, coordinator: bed.coordinator, port: 0 });
  url = await server.listen();
  guarded = await buildServer({
    store: bed.store,
    coordinator: bed.coordinator,
    host: '0.0.0.0',
    port: 0,
    token: TOKEN,
  });
  guardedUrl = (await guarded.listen()).replace('0.0.0.0', '127.0.0.1');
  worker = spawnNode(WORKER_MAIN, [], processEnv(bed.box, redisUrl));
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.on('pageerror', (error) => {
    throw error;
  });
  process.stdout.write(`submit-panel screenshots: ${SHOTS}\n`);
});

afterAll(async () => {
  await browser?.close();
  await worker?.kill('SIGTERM');
  await server?.close();
  await guarded?.close();
  await bed?.close();
});

function storedRows(): { sweeps: number; runs: number; events: number } {
  const count = (table: string) =>
    (bed.store.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { sweeps: count('sweeps'), runs: count('runs'), events: count('events') };
}

async function openPanel(target: string): Promise<void> {
  await page.goto(target);
  await page.locator('#submit-details > summary').click();
  await page.locator('#submit-spec').waitFor();
}

describe('the submit panel', () => {
  it('shows the field paths of an invalid spec and writes nothing', async () => {
    await openPanel(url);
    // A page without sweeps shows no sweep header (its export buttons) and no hidden-entries row.
    expect(await page.locator('#sweep-header').isVisible()).toBe(false);
    expect(await page.locator('#hidden-series').isVisible()).toBe(false);
    await page.locator('#submit-spec').fill(INVALID_SPEC);
    await page.locator('#submit-send').click();
    const issues = page.locator('#submit-issues li');
    await issues.first().waitFor();
    const paths = await issues.evaluateAll((items) =>
      items.map((item) => item.getAttribute('data-path')),
    );
    expect(paths).toEqual(expect.arrayContaining([expect.stringContaining('budgets'), 'seqLen']));
    await expect.poll(() => page.locator('#submit-issues').innerText()).toContain('seqLen');
    expect(await page.locator('#submit-status').innerText()).toContain('INVALID_SPEC');
    await page.screenshot({ path: join(SHOTS, 'invalid-spec.png'), fullPage: true });
    expect(storedRows()).toEqual({ sweeps: 0, runs: 0, events: 0 });
  });

  it('sends the bearer token where the server requires one', async () => {
    await openPanel(guardedUrl);
    await page.locator('#submit-spec').fill(INVALID_SPEC);
    await page.locator('#submit-send').click();
    await expect.poll(() => page.locator('#submit-status').innerText()).toContain('UNAUTHORIZED');
    await page.locator('#submit-token').fill(TOKEN);
    await page.locator('#submit-send').click();
    // Past the token check, the spec is validated: the same field paths come back.
    await expect.poll(() => page.locator('#submit-status').innerText()).toContain('INVALID_SPEC');
    expect(await page.evaluate(() => sessionStorage.getItem('isoflop-token'))).toBe(TOKEN);
    expect(storedRows()).toEqual({ sweeps: 0, runs: 0, events: 0 });
  });

  it('previews the plan without writing, then submits a valid spec that trains', async () => {
    await openPanel(url);
    await page.locator('#submit-spec').fill(VALID_SPEC);
    await page.locator('#submit-preview').click();
    const plan = page.locator('#submit-plan');
    await expect.poll(() => plan.innerText()).toContain('orchestration-one-long-run');
    expect(await plan.innerText()).toContain('2 runs');
    // Nothing has finished in this store yet: the page says the wall time is unknown and why.
    expect(await page.locator('#submit-wall').innerText()).toMatch(/unknown.*no run has finished/);
    expect(await plan.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('#submit-issues').isVisible()).toBe(false);
    await page.screenshot({ path: join(SHOTS, 'preview.png'), fullPage: true });
    expect(storedRows()).toEqual({ sweeps: 0, runs: 0, events: 0 });

    await page.locator('#submit-send').click();
    await expect.poll(() => page.locator('#submit-status').innerText()).toMatch(/Submitted/);
    const sweepId = await waitFor('the sweep to be stored', () => {
      const row = bed.store.sqlite.prepare('SELECT id FROM sweeps').get() as
        { id: string } | undefined;
      return row?.id;
    });
    // The page opens the new sweep, and the worker trains it.
    await expect
      .poll(() => page.evaluate(() => document.body.dataset['loaded']), { timeout: 20_000 })
      .toBe(sweepId);
    await waitFor(
      'a run to train',
      () =>
        bed.store.sqlite
          .prepare("SELECT id FROM runs WHERE sweep_id = ? AND state = 'running' AND last_step > 0")
          .get(sweepId) ?? undefined,
      120_000,
    );
    await page.screenshot({ path: join(SHOTS, 'submitted-training.png'), fullPage: true });
  });

  it('cancels the running sweep from the page', async () => {
    const sweepId = (bed.store.sqlite.prepare('SELECT id FROM sweeps').get() as { id: string }).id;
    expect(sweepState(bed.store, sweepId)).not.toBe('cancelled');
    await openPanel(url);
    const select = page.locator('#cancel-sweep');
    await expect.poll(() => select.inputValue()).toBe(sweepId);
    await page.locator('#cancel-send').click();
    // The first click only asks: cancelling cannot be undone.
    expect(await page.locator('#cancel-send').innerText()).toMatch(/again/);
    expect(sweepState(bed.store, sweepId)).not.toBe('cancelled');
    await page.locator('#cancel-send').click();
    await expect.poll(() => page.locator('#submit-status').innerText()).toMatch(/Cancelled/);
    expect(sweepState(bed.store, sweepId)).toBe('cancelled');
    const states = bed.store.sqlite
      .prepare('SELECT DISTINCT state FROM runs WHERE sweep_id = ?')
      .all(sweepId) as { state: string }[];
    expect(states).toEqual([{ state: 'cancelled' }]);
    await expect.poll(() => page.locator('#cancel-send').innerText()).toBe('Nothing to cancel');
    // The dashboard hears of it through the live event stream.
    await expect.poll(() => page.locator('#sweep-state').innerText()).toBe('cancelled');
    await page.screenshot({ path: join(SHOTS, 'cancelled.png'), fullPage: true });
  });
});
