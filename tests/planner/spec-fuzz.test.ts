import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseSweepSpec, planSweep, SpecError, type SpecFormat } from '@isoflop/planner';
import { TrainQueue } from '@isoflop/queue';
import { Coordinator } from '@isoflop/orchestrator';
import { buildServer, type IsoflopServer } from '@isoflop/server';
import type { Store } from '@isoflop/store';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { tempStore } from '../server/support/temp-store.js';

/**
 * Issue 15: seeded malformed sweep specs, fed to the planner entry the CLI's `plan` uses, to the CLI
 * itself (a sample) and to `POST /api/sweeps`. Every spec must be refused as bad input (SpecError, exit
 * 2, HTTP 400) within a second, and nothing may be written. Each generated spec is a valid spec with one
 * to three fields replaced by values that are wrong on their own (so the combination is wrong too), or
 * a malformed text (alias bombs, undefined aliases, deep nesting, tabs, unclosed brackets).
 */
const SEED = 15;
const COUNT = 1000;
const CLI_SAMPLE = 8;
const LIMIT_MS = 1000;

const VALID = {
  name: 'fuzz',
  families: { arm: {}, mdm: {}, 'mdm-prime-v2': { base: 2, embedding: 'cat-share' } },
  budgets: [1e12, 3e12],
  sizes: { count: 3, tokensPerParam: { min: 4, max: 400 } },
  shapeRule: { headDim: 16, aspectRatio: 16, minLayers: 1, maxLayers: 8 },
  seqLen: 64,
  batchSize: 8,
  data: { corpus: { kind: 'sotu' }, tokenizer: { kind: 'bpe', vocabSize: 512 } },
  eval: { tokens: 2048, every: 50 },
  seeds: [0],
};

/** Values each field cannot take (the hanging specs among them). */
const BAD_VALUES: Record<string, unknown[]> = {
  name: [
    '',
    'x'.repeat(129),
    'a\u0000b',
    '\u001b[2J\u001b[31mred',
    'abc\u202Efdp',
    'zero\u200Bwidth',
    5,
    null,
    [],
  ],
  families: [
    {},
    { gpt: {} },
    { 'mdm-prime-v2': { base: 1 } },
    { 'mdm-prime-v2': { base: 0 } },
    { 'mdm-prime-v2': { base: -3 } },
    { 'mdm-prime-v2': { base: 2.5 } },
    { 'mdm-prime-v2': { base: 1e9 } },
    { mdm: { eps: 0 } },
    { mdm: { eps: 1 } },
    'arm',
    null,
  ],
  budgets: [
    [],
    [-1],
    [0],
    [1.7e308],
    [1e6],
    [1e12, 'lots'],
    { min: 1e12, max: 1e13, count: 100_000_000 },
    { min: 1e13, max: 1e12, count: 3 },
    { min: 1e12, max: 1e13, count: 0 },
    { min: 1e12, max: 1e13, count: 1 },
    Array.from({ length: 65 }, (_, i) => 1e12 * (i + 1)),
  ],
  sizes: [
    { count: 100_000_000, tokensPerParam: { min: 4, max: 400 } },
    { count: 3 },
    {},
    { shapes: [] },
    { shapes: [{ dModel: 0, nLayers: 1, nHeads: 1 }] },
    { shapes: [{ dModel: 48, nLayers: 1, nHeads: 5 }] },
    { preset: 'paper', count: 3 },
    { count: 3, params: { min: 1e4 } },
    { count: 3, params: { min: 1e30, max: 1e31 } },
    { count: 3, tokensPerParam: { min: 400, max: 4 } },
  ],
  shapeRule: [
    { maxLayers: 1e9 },
    { headDim: 3 },
    { minLayers: 5, maxLayers: 2 },
    { headDim: 0 },
    { aspectRatio: -1 },
  ],
  seqLen: [0, -1, 1.5, 1e9, '64', null],
  batchSize: [0, -8, 0.5, 1e12],
  seeds: [[], Array.from({ length: 100_000 }, (_, i) => i), [1, 1], [-1], [0.5]],
  eval: [{ tokens: 1e12, every: 1 }, { tokens: 0, every: 1 }, { every: 1 }, { tokens: 10 }],
  data: [
    { corpus: { kind: 'text', paths: ['a\u0000b'] }, tokenizer: { kind: 'gpt2' } },
    { corpus: { kind: 'text', paths: [] }, tokenizer: { kind: 'gpt2' } },
    { corpus: { kind: 'sotu' }, tokenizer: { kind: 'none' } },
    { corpus: { kind: 'bogus' }, tokenizer: { kind: 'gpt2' } },
    { corpus: { kind: 'sotu' }, tokenizer: { kind: 'bpe', vocabSize: 10 } },
  ],
  optimizer: [{ lr: 0 }, { lr: -1 }, { warmupSteps: 1, warmupFraction: 0.1 }, { beta1: 1 }],
  device: ['tpu', 7],
  precision: ['fp8'],
  checkpointEvery: [0, -1],
  paramConvention: ['vibes'],
  surprise: [1],
};

const BAD_TEXTS: string[] = [
  'a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n' +
    'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n',
  'name: *nowhere\n',
  `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
  `${'- '.repeat(5000)}1\n`,
  'name: x\nfamilies:\n\tarm: {}\n',
  'name: {unclosed\n',
  'name: a\nname: b\n',
  '',
  '42',
];

/** mulberry32: a small seeded generator, so that a failing spec can be regenerated from its index. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Generated {
  text: string;
  format: SpecFormat;
  what: string;
}

function generate(count: number, seed: number): Generated[] {
  const random = rng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const fields = Object.keys(BAD_VALUES);
  const specs: Generated[] = [];
  for (let i = 0; i < count; i += 1) {
    if (random() < 0.05) {
      specs.push({ text: pick(BAD_TEXTS), format: 'yaml', what: `text #${i}` });
      continue;
    }
    const spec: Record<string, unknown> = structuredClone(VALID);
    const changed: string[] = [];
    const mutations = 1 + Math.floor(random() * 3);
    for (let m = 0; m < mutations; m += 1) {
      const field = pick(fields);
      spec[field] = pick(BAD_VALUES[field]!);
      changed.push(field);
    }
    const format: SpecFormat = random() < 0.5 ? 'json' : 'yaml';
    specs.push({
      text: format === 'json' ? JSON.stringify(spec) : stringify(spec),
      format,
      what: `#${i} (${changed.join(', ')})`,
    });
  }
  return specs;
}

const specs = generate(COUNT, SEED);

describe(`${COUNT} malformed specs (seed ${SEED})`, () => {
  it('the generator makes what it claims: the valid base plans, every spec differs from it', () => {
    expect(planSweep(parseSweepSpec(JSON.stringify(VALID), 'json')).runs.length).toBeGreaterThan(0);
    expect(new Set(specs.map((spec) => spec.text)).size).toBeGreaterThan(COUNT / 2);
  });

  it('are each refused by the planner entry the CLI uses, as a SpecError, within a second', () => {
    let slowest = 0;
    for (const spec of specs) {
      const started = performance.now();
      let caught: unknown;
      try {
        planSweep(parseSweepSpec(spec.text, spec.format));
      } catch (error) {
        caught = error;
      }
      const elapsed = performance.now() - started;
      slowest = Math.max(slowest, elapsed);
      expect(caught, spec.what).toBeInstanceOf(SpecError);
      expect(elapsed, spec.what).toBeLessThan(LIMIT_MS);
    }
    expect(slowest).toBeLessThan(LIMIT_MS);
  });

  it('exit the real CLI with code 2 (a sample)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isoflop-fuzz-'));
    const cli = join(process.cwd(), 'apps/cli/bin/isoflop.js');
    try {
      // Spread over the specs, and each malformed text once (a parser error exits 2 too, not 1).
      const texts = BAD_TEXTS.map((text, i) => ({ text, format: 'yaml', what: `bad text ${i}` }));
      const sample = [
        ...specs.filter((_, i) => i % Math.floor(COUNT / CLI_SAMPLE) === 0),
        ...texts,
      ];
      for (const [i, spec] of sample.entries()) {
        const file = join(dir, `spec-${i}.${spec.format}`);
        writeFileSync(file, spec.text);
        const exit = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, [cli, 'plan', file, '--json'], {
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          let stderr = '';
          child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
          // Process start-up on a loaded machine takes seconds; a hang is killed here.
          const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
          child.on('exit', (code) => {
            clearTimeout(timer);
            resolve({ code, stderr });
          });
        });
        expect(exit.code, spec.what).toBe(2);
        expect(exit.stderr, spec.what).toMatch(/^error: /);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('POST /api/sweeps', () => {
    const redisUrl = inject('redisUrl');
    const prefix = `test-spec-fuzz-${process.pid}-${Date.now().toString(36)}`;
    let temp: ReturnType<typeof tempStore>;
    let store: Store;
    let coordinator: Coordinator;
    let server: IsoflopServer;

    beforeAll(async () => {
      temp = tempStore();
      store = temp.store;
      coordinator = Coordinator.open({ store, redisUrl, prefix, log: () => undefined });
      server = await buildServer({ store, coordinator, port: 0 });
      // The first request compiles the route's schemas and serialisers: not the spec's doing.
      await server.app.inject({ method: 'POST', url: '/api/sweeps', payload: {} });
    });

    afterAll(async () => {
      await server?.close();
      await coordinator?.close();
      temp?.dispose();
      const queue = new TrainQueue({ redisUrl, prefix });
      await queue.obliterate();
      await queue.close();
    });

    it('answers 400 to each within a second, never 500, and writes no row', async () => {
      for (const spec of specs) {
        const started = performance.now();
        const response = await server.app.inject({
          method: 'POST',
          url: '/api/sweeps',
          headers: {
            'content-type': spec.format === 'json' ? 'application/json' : 'application/yaml',
          },
          payload: spec.text,
        });
        expect(performance.now() - started, spec.what).toBeLessThan(LIMIT_MS);
        expect(response.statusCode, `${spec.what}: ${response.body.slice(0, 200)}`).toBe(400);
      }
      for (const table of ['sweeps', 'runs', 'events', 'metrics', 'fits']) {
        const { n } = store.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as {
          n: number;
        };
        expect(n, table).toBe(0);
      }
    });

    it('stays responsive to reads while the formerly hanging specs arrive', async () => {
      const base = await server.listen();
      const hanging = [
        { families: { 'mdm-prime-v2': { base: 1 } } },
        { budgets: { min: 1e12, max: 1e13, count: 100_000_000 } },
        { sizes: { count: 100_000_000, tokensPerParam: { min: 4, max: 400 } } },
        { seeds: Array.from({ length: 100_000 }, (_, i) => i) },
        { shapeRule: { maxLayers: 1e9 } },
        { budgets: [1.7e308] },
      ].map((patch) => JSON.stringify({ ...VALID, ...patch }));
      const started = performance.now();
      const answers = await Promise.all([
        ...hanging.map((body) =>
          fetch(new URL('/api/sweeps', base), {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          }).then((response) => response.status),
        ),
        fetch(new URL('/api/sweeps', base)).then((response) => response.status),
      ]);
      expect(performance.now() - started).toBeLessThan(LIMIT_MS * 5);
      expect(answers).toEqual([400, 400, 400, 400, 400, 400, 200]);
    });
  });
});
