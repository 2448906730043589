import { fitRowsOf, refreshSweepFit } from '@isoflop/orchestrator';
import { buildServer, type IsoflopServer } from '@isoflop/server';
import { listEventsAfter, recordRunResult, sweepRuns, type Store } from '@isoflop/store';
import { parse, View } from 'vega';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHART_NAMES } from './support/chart-names.js';
import { seedSweep, TEST_FIT_INITS, type SeededSweep } from './support/seed-sweep.js';
import { tempStore } from './support/temp-store.js';

let temp: ReturnType<typeof tempStore>;
let store: Store;
let seeded: SeededSweep;
let server: IsoflopServer;

beforeAll(async () => {
  temp = tempStore();
  store = temp.store;
  seeded = seedSweep(store, { leaveRunning: 1, bootstrap: 8 });
  server = await buildServer({ store, port: 0 });
});

afterAll(async () => {
  await server?.close();
  temp?.dispose();
});

/** A vega data entry: inline rows where vega-lite inlined a dataset. */
interface VegaData {
  name: string;
  values?: unknown[];
}

async function get(url: string) {
  const response = await server.app.inject({ method: 'GET', url });
  return {
    status: response.statusCode,
    body: response.body,
    type: String(response.headers['content-type']),
    json: () => response.json(),
  };
}

describe('sweeps', () => {
  it('lists sweeps with run counts per state', async () => {
    const response = await get('/api/sweeps');
    expect(response.status).toBe(200);
    const [sweep] = response.json().sweeps;
    expect(sweep).toMatchObject({
      id: seeded.sweepId,
      name: 'dashboard-test',
      runCount: seeded.runs.length,
    });
    expect(sweep.runs).toEqual({ done: seeded.runs.length - 1, running: 1 });
  });

  it('answers an unknown sweep with 404 and a JSON body naming it', async () => {
    const response = await get('/api/sweeps/nope');
    expect(response.status).toBe(404);
    expect(response.json()).toEqual({
      error: 'SWEEP_NOT_FOUND',
      message: "no sweep with id 'nope'",
    });
  });

  it('returns one sweep with its spec text and the id of its newest event', async () => {
    const sweep = (await get(`/api/sweeps/${seeded.sweepId}`)).json();
    expect(sweep.specText).toContain('name: dashboard-test');
    expect(sweep.lastEventId).toBe(listEventsAfter(store, seeded.sweepId, 0, 10_000).at(-1)!.id);
  });
});

describe('runs', () => {
  it('pages through runs in grid order', async () => {
    const first = (await get(`/api/sweeps/${seeded.sweepId}/runs?limit=10`)).json();
    const second = (await get(`/api/sweeps/${seeded.sweepId}/runs?limit=10&offset=10`)).json();
    expect(first.total).toBe(seeded.runs.length);
    expect(first.runs).toHaveLength(10);
    const ids = [...first.runs, ...second.runs].map((run: { id: string }) => run.id);
    expect(new Set(ids).size).toBe(20);
    const all = sweepRuns(store, seeded.sweepId).map((run) => run.id);
    expect(ids).toEqual(all.slice(0, 20));
  });

  it('filters by family and state', async () => {
    const prime = (
      await get(`/api/sweeps/${seeded.sweepId}/runs?family=mdm-prime-v2&limit=100`)
    ).json();
    expect(prime.total).toBe(seeded.runs.filter((run) => run.family === 'mdm-prime-v2').length);
    expect(prime.runs.every((run: { family: string }) => run.family === 'mdm-prime-v2')).toBe(true);
    const running = (await get(`/api/sweeps/${seeded.sweepId}/runs?state=running`)).json();
    expect(running.runs.map((run: { id: string }) => run.id)).toEqual(
      seeded.running.map((run) => run.id),
    );
  });

  it('sorts by a column with runs lacking a value last, ties in grid order, either way', async () => {
    const grid = sweepRuns(store, seeded.sweepId);
    const bySign = (sign: number) =>
      grid
        .map((run, index) => ({ run, index }))
        .sort((a, b) => {
          const [x, y] = [a.run.valLoss, b.run.valLoss];
          if (x === null || y === null) return x === y ? a.index - b.index : x === null ? 1 : -1;
          return sign * (x - y) || a.index - b.index;
        })
        .map(({ run }) => run.id);
    const ids = async (query: string) =>
      (await get(`/api/sweeps/${seeded.sweepId}/runs?limit=100&${query}`))
        .json()
        .runs.map((run: { id: string }) => run.id);
    expect(grid.some((run) => run.valLoss === null)).toBe(true);
    expect(await ids('sort=valLoss')).toEqual(bySign(1));
    expect(await ids('sort=valLoss&desc=true')).toEqual(bySign(-1));
    const shapes = (await get(`/api/sweeps/${seeded.sweepId}/runs?limit=100&sort=shape`))
      .json()
      .runs.map((run: { dModel: number; nLayers: number }) => run.dModel * 1000 + run.nLayers);
    expect(shapes).toEqual([...shapes].sort((a, b) => a - b));
  });

  it('filters by variant, budget and text in the id, and counts what the filter keeps', async () => {
    const run = seeded.runs.find((r) => r.family === 'mdm')!;
    const kept = seeded.runs.filter((r) => r.family === 'mdm' && r.budgetFlops === run.budgetFlops);
    const page = (
      await get(`/api/sweeps/${seeded.sweepId}/runs?variant=mdm&budget=${run.budgetFlops}&limit=2`)
    ).json();
    expect(page.total).toBe(kept.length);
    expect(page.runs.map((r: { id: string }) => r.id)).toEqual(kept.slice(0, 2).map((r) => r.id));
    const text = run.id.slice(4, 14).toUpperCase();
    const found = (
      await get(`/api/sweeps/${seeded.sweepId}/runs?q=${encodeURIComponent(text)}`)
    ).json();
    expect(found.runs.map((r: { id: string }) => r.id)).toEqual(
      seeded.runs.filter((r) => r.id.includes(text.toLowerCase())).map((r) => r.id),
    );
    const sweep = (await get(`/api/sweeps/${seeded.sweepId}`)).json();
    expect(sweep.variants).toEqual(['arm', 'mdm', 'mdm-prime-v2']);
    expect(sweep.budgets).toEqual(
      [...new Set(seeded.runs.map((r) => r.budgetFlops))].sort((a, b) => a - b),
    );
  });

  it('rejects a bad query with the field and the problem', async () => {
    const response = await get(`/api/sweeps/${seeded.sweepId}/runs?limit=0`);
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({
      error: 'FST_ERR_VALIDATION',
      issues: [{ path: 'querystring.limit', message: 'must be >= 1' }],
    });
    const state = (await get(`/api/sweeps/${seeded.sweepId}/runs?state=bogus`)).json();
    expect(state.issues[0].path).toBe('querystring.state');
    const sort = (await get(`/api/sweeps/${seeded.sweepId}/runs?sort=spec`)).json();
    expect(sort.issues[0].path).toBe('querystring.sort');
  });

  it('serves complete metrics by default and min/max-downsampled ones on request', async () => {
    const run = seeded.runs[0]!;
    const full = (await get(`/api/sweeps/${seeded.sweepId}/runs/${run.id}/metrics`)).json();
    expect(full.downsampled).toBe(false);
    expect(full.metrics).toHaveLength(full.totalPoints);
    expect(full.metrics.filter((m: { kind: string }) => m.kind === 'train')).toHaveLength(40);
    const small = (
      await get(`/api/sweeps/${seeded.sweepId}/runs/${run.id}/metrics?maxPoints=10`)
    ).json();
    expect(small.downsampled).toBe(true);
    const train = small.metrics.filter((m: { kind: string }) => m.kind === 'train');
    expect(train.length).toBeLessThanOrEqual(10);
    const losses = full.metrics
      .filter((m: { kind: string }) => m.kind === 'train')
      .map((m: { loss: number }) => m.loss);
    expect(train.map((m: { loss: number }) => m.loss)).toContain(Math.min(...losses));
    expect((await get(`/api/sweeps/${seeded.sweepId}/runs/nope/metrics`)).status).toBe(404);
  });
});

describe('fit', () => {
  it('serves the stored fit, computed by @isoflop/fit from the finished runs (K for Prime)', async () => {
    const fit = (await get(`/api/sweeps/${seeded.sweepId}/fit`)).json();
    expect(fit.runCount).toBe(seeded.runs.length - 1);
    const rows = fitRowsOf(sweepRuns(store, seeded.sweepId));
    // The synthetic losses follow laws with alpha = beta, whose optimum grows as N_opt ∝ C^0.5.
    for (const family of ['arm', 'mdm', 'mdm-prime-v2']) {
      expect(fit.document.families[family].approach2.a).toBeGreaterThan(0.45);
      expect(fit.document.families[family].approach2.a).toBeLessThan(0.55);
      expect(fit.document.families[family].approach2.a_ci).toHaveLength(2);
    }
    const primeLosses = rows.filter((row) => row.family === 'mdm-prime-v2').map((row) => row.loss);
    const primeK = sweepRuns(store, seeded.sweepId)
      .filter((run) => run.family === 'mdm-prime-v2' && run.state === 'done')
      .map((run) => run.valLoss);
    expect(primeLosses.sort()).toEqual(primeK.sort());
  });

  it('keeps the fit while the finished runs are the same, and refits when one more finishes', async () => {
    const before = (await get(`/api/sweeps/${seeded.sweepId}/fit`)).json();
    expect(
      refreshSweepFit(store, seeded.sweepId, { bootstrap: 0, inits: TEST_FIT_INITS })?.refreshed,
    ).toBe(false);
    const lastEvent = listEventsAfter(store, seeded.sweepId, 0, 10_000).at(-1)!.id;
    const run = seeded.running[0]!;
    recordRunResult(
      store,
      run.id,
      {
        valLoss: 4.3,
        valLossStdErr: 0.01,
        primeObjective: 3.95,
        finalTrainLoss: 4.28,
        steps: run.steps,
        tokens: run.tokens,
        wallSeconds: 5,
        tokensPerSecond: 1000,
      },
      Date.now(),
    );
    const refreshed = refreshSweepFit(store, seeded.sweepId, {
      bootstrap: 0,
      inits: TEST_FIT_INITS,
    });
    expect(refreshed?.refreshed).toBe(true);
    const after = (await get(`/api/sweeps/${seeded.sweepId}/fit`)).json();
    expect(after.runCount).toBe(before.runCount + 1);
    expect(after.fingerprint).not.toBe(before.fingerprint);
    const events = listEventsAfter(store, seeded.sweepId, lastEvent, 10);
    expect(events.map((event) => event.kind)).toEqual(['fit']);
  });
});

describe('fit early in a sweep', () => {
  it('stores no fit while too few runs have finished, and /fit says so', async () => {
    const early = tempStore();
    try {
      const sweep = seedSweep(early.store, { leaveRunning: 34, fit: false });
      expect(
        refreshSweepFit(early.store, sweep.sweepId, { inits: TEST_FIT_INITS }),
      ).toBeUndefined();
      const earlyServer = await buildServer({ store: early.store, port: 0 });
      const response = await earlyServer.app.inject(`/api/sweeps/${sweep.sweepId}/fit`);
      // Every chart still draws (runs so far, "fit pending") rather than failing.
      const charts = await Promise.all(
        CHART_NAMES.map((name) =>
          earlyServer.app.inject(`/api/sweeps/${sweep.sweepId}/charts/${name}.svg`),
        ),
      );
      await earlyServer.close();
      expect(response.statusCode).toBe(404);
      expect(response.json().error).toBe('FIT_NOT_READY');
      expect(charts.map((chart) => chart.statusCode)).toEqual(CHART_NAMES.map(() => 200));
    } finally {
      early.dispose();
    }
  });
});

describe('export', () => {
  it('exports the fit document and the runs table as JSON', async () => {
    const exported = (await get(`/api/sweeps/${seeded.sweepId}/export?format=json`)).json();
    const fit = (await get(`/api/sweeps/${seeded.sweepId}/fit`)).json();
    // The fit document's keys at the top level, as `isoflop fit --json` prints them; beside them the
    // sweep, which fit, the runs and the adaptive step's decisions (none: this sweep is not adaptive).
    const { sweep, fit: provenance, runs, decisions, ...document } = exported;
    expect(document).toEqual(fit.document);
    expect(decisions).toEqual([]);
    expect(sweep.id).toBe(seeded.sweepId);
    expect(provenance.runCount).toBe(fit.runCount);
    expect(runs).toHaveLength(seeded.runs.length);
    expect(exported.runs).toHaveLength(seeded.runs.length);
    expect(typeof exported.runs[0].params).toBe('number');
  });

  it('exports the runs table as CSV with plain numbers', async () => {
    const response = await get(`/api/sweeps/${seeded.sweepId}/export?format=csv`);
    expect(response.type).toContain('text/csv');
    const [header, ...lines] = response.body.trim().split('\n');
    const columns = header!.split(',');
    expect(columns).toEqual(
      expect.arrayContaining(['id', 'family', 'params', 'tokens', 'achieved_flops', 'val_loss']),
    );
    expect(lines).toHaveLength(seeded.runs.length);
    const runs = sweepRuns(store, seeded.sweepId);
    const first = Object.fromEntries(columns.map((column, i) => [column, lines[0]!.split(',')[i]]));
    expect(Number(first['params'])).toBe(runs[0]!.params);
    expect(Number(first['achieved_flops'])).toBe(runs[0]!.achievedFlops);
    expect(Number(first['val_loss'])).toBe(runs[0]!.valLoss);
    expect((await get(`/api/sweeps/${seeded.sweepId}/export?format=xml`)).status).toBe(400);
  });
});

describe('charts', () => {
  const names = CHART_NAMES;

  it('lists the charts in dashboard order', async () => {
    expect((await get(`/api/sweeps/${seeded.sweepId}/charts`)).json().charts).toEqual(names);
  });

  it.each(names)(
    'serves %s as a vega-lite spec with data and as an SVG with marks',
    async (name) => {
      const spec = (await get(`/api/sweeps/${seeded.sweepId}/charts/${name}.json`)).json();
      const rows = Object.values(spec.datasets as Record<string, unknown[]>).flat();
      expect(rows.length).toBeGreaterThan(0);
      const svg = await get(`/api/sweeps/${seeded.sweepId}/charts/${name}.svg`);
      expect(svg.status).toBe(200);
      expect(svg.type).toContain('image/svg+xml');
      expect(svg.body.startsWith('<svg')).toBe(true);
      expect((svg.body.match(/<path/g) ?? []).length).toBeGreaterThan(10);
    },
  );

  it.each(names)(
    "serves %s compiled to vega, its data the vega-lite spec's datasets, ready for vega to draw",
    async (name) => {
      const lite = (await get(`/api/sweeps/${seeded.sweepId}/charts/${name}.json`)).json();
      const response = await get(`/api/sweeps/${seeded.sweepId}/charts/${name}.vega.json`);
      expect(response.status).toBe(200);
      expect(response.type).toContain('application/json');
      const compiled = response.json() as { $schema: string; data: VegaData[] };
      expect(compiled.$schema).toContain('/vega/');
      const inline = Object.fromEntries(
        compiled.data.flatMap((data) => (data.values ? [[data.name, data.values]] : [])),
      );
      // vega-lite leaves out a dataset no mark reads (an empty one, say).
      const read = Object.entries(lite.datasets as Record<string, unknown[]>).filter(
        ([dataset, rows]) => rows.length > 0 || dataset in inline,
      );
      expect(inline).toEqual(Object.fromEntries(read));
      const view = new View(parse(compiled as never), { renderer: 'none' });
      try {
        await view.runAsync();
        // vega types its scenegraph without the root it has.
        const scene = view.scenegraph() as unknown as { root: { items: unknown[] } };
        expect(scene.root.items.length).toBeGreaterThan(0);
      } finally {
        view.finalize();
      }
    },
  );

  it('labels Prime J as an objective that is not a likelihood bound', async () => {
    const spec = (await get(`/api/sweeps/${seeded.sweepId}/charts/prime-objectives.json`)).json();
    const measures = new Set(spec.datasets.prime.map((row: { measure: string }) => row.measure));
    expect(measures).toEqual(
      new Set(['bound K (valid, used in fits)', 'objective J (not a likelihood bound)']),
    );
  });

  it('answers an unknown chart with 404 and the list of charts', async () => {
    const response = await get(`/api/sweeps/${seeded.sweepId}/charts/pie.svg`);
    expect(response.status).toBe(404);
    expect(response.json().message).toContain('isoflop-curves');
    expect((await get(`/api/sweeps/${seeded.sweepId}/charts/..%2Fetc.svg`)).status).toBe(400);
    expect((await get(`/api/sweeps/${seeded.sweepId}/charts/pie.vega.json`)).status).toBe(404);
    expect((await get(`/api/sweeps/${seeded.sweepId}/charts/frontier.vega.svg`)).status).toBe(400);
  });
});

describe('docs and safety', () => {
  it('publishes OpenAPI for every route, with the sweep-spec schema and the sweep event union', async () => {
    const document = (await get('/docs/json')).json();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/sweeps',
        '/api/sweeps/{id}',
        '/api/sweeps/{id}/runs',
        '/api/sweeps/{id}/runs/{run}/metrics',
        '/api/sweeps/{id}/fit',
        '/api/sweeps/{id}/export',
        '/api/sweeps/{id}/cancel',
        '/api/sweeps/{id}/events',
        '/api/sweeps/{id}/charts/{file}',
      ]),
    );
    expect(
      document.paths['/api/sweeps'].post.requestBody.content['application/json'].schema.$ref,
    ).toBe('#/components/schemas/SweepSpec');
    expect(document.components.schemas.SweepSpec.properties).toHaveProperty('budgets');
    const events = document.paths['/api/sweeps/{id}/events'].get.responses['200'];
    expect(events.content['text/event-stream'].schema.$ref).toBe('#/components/schemas/SweepEvent');
    const kinds = (
      document.components.schemas.SweepEvent.oneOf as { properties: { kind: { const: string } } }[]
    ).map((variant) => variant.properties.kind.const);
    expect(kinds.sort()).toEqual(['decision', 'fit', 'progress', 'run', 'sweep']);
    expect((await get('/docs/')).type).toContain('text/html');
  });

  it('is read-only without a coordinator', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/sweeps',
      payload: 'name: x',
      headers: { 'content-type': 'application/yaml' },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().error).toBe('NO_COORDINATOR');
  });

  it('refuses to bind beyond loopback without a token', async () => {
    await expect(buildServer({ store, host: '0.0.0.0', port: 0 })).rejects.toMatchObject({
      code: 'INSECURE_BIND',
    });
  });

  it('serves the dashboard page and the vega browser builds', async () => {
    const page = await get('/');
    expect(page.type).toContain('text/html');
    expect(page.body).toContain('/vendor/vega-embed.min.js');
    for (const file of ['vega.min.js', 'vega-lite.min.js', 'vega-embed.min.js']) {
      const asset = await get(`/vendor/${file}`);
      expect(asset.status).toBe(200);
      expect(asset.body.length).toBeGreaterThan(10_000);
    }
    expect((await get('/vendor/..%2F..%2Fpackage.json')).status).toBe(404);
  });

  it("answers a browser's copy of a page file that is still current with 304, so it keeps its compiled code", async () => {
    const inject = (url: string, ifNoneMatch?: string) =>
      server.app.inject({
        method: 'GET',
        url,
        headers: ifNoneMatch ? { 'if-none-match': ifNoneMatch } : {},
      });
    const first = await inject('/vendor/vega.min.js');
    const etag = String(first.headers['etag']);
    expect(etag).toMatch(/^"[\w-]{43}"$/);
    expect(first.headers['cache-control']).toBe('no-cache');
    const again = await inject('/vendor/vega.min.js', etag);
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    // Another file's tag, or a stale one, gets the file.
    const app = await inject('/app.js');
    expect(app.headers['etag']).not.toBe(etag);
    const stale = await inject('/app.js', etag);
    expect(stale.statusCode).toBe(200);
    expect(stale.body).toBe(app.body);
  });

  it('lets a browser keep each file the page names at its version, and only at that version', async () => {
    const page = await server.app.inject({ method: 'GET', url: '/' });
    expect(page.headers['cache-control']).toBe('no-cache');
    const named = [...page.body.matchAll(/(?:src|href)="(\/[^"]+\?v=[^"]+)"/g)].map((m) => m[1]!);
    // The three vega builds, the stylesheet and every module of public/.
    expect(named.length).toBeGreaterThanOrEqual(12);
    expect(named.some((url) => url.startsWith('/vendor/vega.min.js?v='))).toBe(true);
    for (const url of named) {
      const pinned = await server.app.inject({ method: 'GET', url });
      expect(pinned.statusCode, url).toBe(200);
      expect(pinned.headers['cache-control'], url).toBe('public, max-age=31536000, immutable');
      const [path] = url.split('?');
      const current = await server.app.inject({ method: 'GET', url: path! });
      expect(current.headers['cache-control'], url).toBe('no-cache');
      expect(current.body, url).toBe(pinned.body);
      const old = await server.app.inject({ method: 'GET', url: `${path}?v=older` });
      expect(old.headers['cache-control'], url).toBe('no-cache');
    }
    // The modules' own imports (./dom.js) resolve through the import map to the same URLs.
    const map = JSON.parse(/<script type="importmap">(.*?)<\/script>/.exec(page.body)![1]!) as {
      imports: Record<string, string>;
    };
    expect(named).toContain(map.imports['/app.js']);
    expect(named).toContain(map.imports['/dom.js']);
  });
});
