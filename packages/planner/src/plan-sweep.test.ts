import { describe, expect, it } from 'vitest';
import { parseSweepSpec } from './parse-sweep-spec.js';
import { planSweep } from './plan-sweep.js';
import type { SweepSpecInput } from './sweep-spec.js';
import { validateSweepSpec } from './parse-sweep-spec.js';

function spec(overrides: Partial<SweepSpecInput> = {}) {
  return validateSweepSpec({
    name: 'tiny',
    families: { arm: {}, mdm: {}, 'mdm-prime-v2': {} },
    budgets: [1e12],
    sizes: { shapes: [{ dModel: 40, nLayers: 1, nHeads: 2 }] },
    seqLen: 64,
    batchSize: 8,
    data: { corpus: { kind: 'sotu' }, tokenizer: { kind: 'bpe', vocabSize: 1024 } },
    eval: { tokens: 4096, every: 50 },
    ...overrides,
  });
}

describe('planSweep grid arithmetic', () => {
  it('gives D = C/(6N) rounded to whole batches, N = 12·d²·layers, achieved C within 1%', () => {
    const plan = planSweep(spec({ families: { arm: {} } }));
    expect(plan.runs).toHaveLength(1);
    const run = plan.runs[0]!;
    // N = 12·40²·1 = 19200; D = 1e12 / (6·19200) = 8,680,555.6 tokens = 16954.2 batches of 8·64.
    expect(run.params).toBe(19200);
    expect(run.steps).toBe(16954);
    expect(run.tokens).toBe(16954 * 512);
    expect(run.achievedFlops).toBe(6 * 19200 * 16954 * 512);
    expect(Math.abs(run.achievedFlops / run.budgetFlops - 1)).toBeLessThan(0.01);
    expect(run.shape).toEqual({
      dModel: 40,
      nLayers: 1,
      nHeads: 2,
      ffnHidden: 160,
      vocabSize: 1024,
      seqLen: 64,
    });
    // Attention 4d², SwiGLU 3·d·4d, two RMSNorm gains and QK-norm gains per layer, a final norm.
    expect(run.exactParams).toBe(4 * 1600 + 3 * 40 * 160 + 2 * 40 + 2 * 20 + 40);
    expect(run.optimizer.warmupSteps).toBe(170);
    expect(plan.warnings).toEqual([]);
  });

  it('counts N exactly (non-embedding) under the exact convention', () => {
    const run = planSweep(spec({ families: { arm: {} }, paramConvention: 'exact' })).runs[0]!;
    expect(run.params).toBe(run.exactParams);
    expect(run.steps).toBe(Math.round(1e12 / (6 * run.params) / 512));
  });

  it('holds every run of a sweep to D = C/(6N) within half a batch', () => {
    const plan = planSweep(
      spec({
        budgets: { min: 1e11, max: 1e13, count: 5 },
        sizes: { count: 4, tokensPerParam: { min: 5, max: 500 } },
        shapeRule: { headDim: 20, aspectRatio: 40 },
      }),
    );
    expect(plan.runs.length).toBeGreaterThan(10);
    for (const run of plan.runs) {
      const tokensPerStep = run.batchSize * run.shape.seqLen;
      expect(run.tokens).toBe(run.steps * tokensPerStep);
      expect(Math.abs(run.tokens - run.budgetFlops / (6 * run.params))).toBeLessThanOrEqual(
        tokensPerStep / 2,
      );
      expect(run.params).toBe(12 * run.shape.dModel ** 2 * run.shape.nLayers);
      expect(run.shape.dModel % 20).toBe(0);
      expect(run.shape.dModel % 10).toBe(0); // cat-share with l = 10
      expect(run.shape.nHeads).toBe(run.shape.dModel / 20);
    }
  });

  it('expands a log-spaced budget range', () => {
    const plan = planSweep(
      spec({ families: { arm: {} }, budgets: { min: 1e12, max: 1e14, count: 3 } }),
    );
    expect(plan.runs.map((run) => run.budgetFlops)).toEqual([1e12, 1e13, 1e14]);
  });

  it('resolves family options: the Prime length from V, MDM eps', () => {
    const plan = planSweep(spec());
    expect(plan.runs.map((run) => run.family)).toEqual(['arm', 'mdm', 'mdm-prime-v2']);
    expect(plan.runs[1]!.mdm).toEqual({ eps: 1e-3 });
    expect(plan.runs[2]!.prime).toMatchObject({ base: 2, length: 10, embedding: 'cat-share' });
    const gpt2 = planSweep(
      spec({
        families: { 'mdm-prime-v2': {} },
        sizes: { shapes: [{ dModel: 64, nLayers: 1, nHeads: 1 }] },
        data: { corpus: { kind: 'sotu' }, tokenizer: { kind: 'gpt2' } },
      }),
    );
    expect(gpt2.runs[0]!.prime?.length).toBe(16);
    expect(gpt2.runs[0]!.shape.vocabSize).toBe(50257);
  });
});

describe('planSweep dropped sizes and warnings', () => {
  it('drops a size whose D is under one batch, with the reason', () => {
    const plan = planSweep(spec({ families: { arm: {} }, budgets: [1e7, 1e12] }));
    expect(plan.runs.map((run) => run.budgetFlops)).toEqual([1e12]);
    expect(plan.dropped).toEqual([
      {
        family: 'arm',
        variant: 'arm',
        budgetFlops: 1e7,
        params: 19200,
        reason: 'D = C/(6N) = 87 tokens is less than one batch (8 x 64 = 512 tokens)',
      },
    ]);
  });

  it('warns when rounding to whole steps moves C by more than 1%', () => {
    // 1.4 batches of tokens round to one step: C lands 29% under the target.
    const budget = 6 * 19200 * 512 * 1.4;
    const plan = planSweep(
      spec({ families: { arm: {} }, budgets: [budget], optimizer: { warmupSteps: 0 } }),
    );
    expect(plan.runs).toHaveLength(1);
    expect(plan.warnings).toHaveLength(1);
    expect(plan.warnings[0]!.runId).toBe(plan.runs[0]!.id);
    expect(plan.warnings[0]!.message).toMatch(/-28\.6% off the target.*1\.40 steps rounds to 1/);
  });

  it('drops a run that warmup would not leave room for', () => {
    const plan = planSweep(
      spec({ families: { arm: {} }, budgets: [1e10, 1e11], optimizer: { warmupSteps: 500 } }),
    );
    expect(plan.runs.map((run) => run.budgetFlops)).toEqual([1e11]);
    expect(plan.dropped[0]!.reason).toBe(
      'warmup of 500 steps is not shorter than the run (170 steps)',
    );
  });

  it('rejects a spec that leaves no run to train, naming the reason', () => {
    // Before: an empty plan, stored as a sweep that was done at once.
    expect(() =>
      planSweep(spec({ families: { arm: {} }, budgets: [1e10], optimizer: { warmupSteps: 500 } })),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_SPEC',
        issues: [
          {
            path: 'sizes',
            message: expect.stringMatching(/no run left to train.*warmup of 500 steps/),
          },
        ],
      }),
    );
  });

  it('keeps only sizes inside the tokens-per-parameter window', () => {
    const plan = planSweep(
      spec({
        families: { arm: {} },
        sizes: {
          shapes: [
            { dModel: 40, nLayers: 1, nHeads: 2 },
            { dModel: 120, nLayers: 3, nHeads: 6 },
          ],
          tokensPerParam: { max: 100 },
        },
      }),
    );
    // d=40: D/N = 8.68e6 / 19200 = 452 > 100; d=120: N = 518400, D/N = 0.62.
    expect(plan.runs.map((run) => run.shape.dModel)).toEqual([120]);
    expect(plan.dropped.map((d) => d.reason)).toEqual([
      'D/N = 452 is outside sizes.tokensPerParam [0, 100]',
    ]);
  });

  it('drops sizes the shape rule cannot build or that duplicate an earlier shape', () => {
    const plan = planSweep(
      spec({
        families: { arm: {} },
        sizes: { count: 3, params: { min: 1000, max: 20000 } },
        shapeRule: { headDim: 20, aspectRatio: 40 },
      }),
    );
    // The smallest shape is d = 20 (one head), 1 layer: N = 4800. A target of 1000 is 4.8x away.
    expect(plan.dropped.map((d) => [d.params, d.reason])).toEqual([
      [
        1000,
        'no shape with dModel a multiple of 20 and 1-128 layers within 1.5x of N = 1000; nearest is dModel 20 x 1 layers with N = 4800',
      ],
    ]);
    expect(plan.runs.map((run) => run.params)).toEqual([4800, 19200]);
  });
});

describe('paper preset with another vocabulary', () => {
  it('drops, for Prime only, the preset widths that cat-share cannot split into l pieces', () => {
    const plan = planSweep(
      spec({
        families: { mdm: {}, 'mdm-prime-v2': {} },
        budgets: [1e20],
        sizes: { preset: 'paper' },
        seqLen: 2048,
        batchSize: 256,
      }),
    );
    // V = 1024 gives l = 10; of the 18 widths only 640, 1280 and 2560 are multiples of 10.
    const prime = plan.runs.filter((run) => run.family === 'mdm-prime-v2');
    expect(new Set(prime.map((run) => run.shape.dModel))).toEqual(new Set([640, 1280, 2560]));
    expect(plan.runs.filter((run) => run.family === 'mdm')).toHaveLength(18);
    expect(plan.dropped).toHaveLength(18 - prime.length);
    expect(plan.dropped[0]).toEqual({
      family: 'mdm-prime-v2',
      variant: 'mdm-prime-v2',
      budgetFlops: 1e20,
      params: 12 * 448 ** 2 * 6,
      reason: 'cat-share needs dModel 448 divisible by the Prime length l = 10',
    });
  });
});

describe('run ids', () => {
  it('are stable: the same spec gives the same ids, another sweep name too', () => {
    const first = planSweep(spec()).runs.map((run) => run.id);
    expect(planSweep(spec()).runs.map((run) => run.id)).toEqual(first);
    expect(planSweep(spec({ name: 'renamed' })).runs.map((run) => run.id)).toEqual(first);
    expect(first[0]).toMatch(/^arm-[0-9a-f]{16}$/);
  });

  it('change when anything that determines the run changes, and only for the runs it touches', () => {
    const ids = (sweep: ReturnType<typeof spec>) => planSweep(sweep).runs.map((run) => run.id);
    const base = ids(spec());
    for (const changed of [
      spec({ optimizer: { lr: 3e-4 } }),
      spec({ seeds: [1] }),
      spec({ eval: { tokens: 8192, every: 50 } }),
    ]) {
      expect(ids(changed).filter((id) => base.includes(id))).toEqual([]);
    }
    // arm, mdm, prime: only the MDM's options changed.
    const [arm, mdm, prime] = ids(
      spec({ families: { arm: {}, mdm: { eps: 1e-2 }, 'mdm-prime-v2': {} } }),
    );
    expect([arm === base[0], mdm === base[1], prime === base[2]]).toEqual([true, false, true]);
  });

  it('stay the same under stepsPerRun, which says how a run executes, not what it computes', () => {
    const base = planSweep(spec()).runs;
    const blocked = planSweep(spec({ stepsPerRun: 16 })).runs;
    expect(blocked.map((run) => run.id)).toEqual(base.map((run) => run.id));
    expect(blocked.map((run) => run.stepsPerRun)).toEqual([16, 16, 16]);
    expect(base[0]).not.toHaveProperty('stepsPerRun');
    expect(() => spec({ stepsPerRun: 0 })).toThrow(/stepsPerRun/);
  });

  it('are unique within a plan, one run per seed', () => {
    const plan = planSweep(spec({ seeds: [0, 1, 2], budgets: [1e12, 3e12] }));
    expect(plan.runs).toHaveLength(3 * 2 * 3);
    expect(new Set(plan.runs.map((run) => run.id)).size).toBe(plan.runs.length);
  });
});

describe('paper preset', () => {
  it('gives MDM/Prime the 18-size grid, ARM its 16, the largest three at twice the batch', () => {
    const plan = planSweep(
      parseSweepSpec(`
name: paper
families: { arm: {}, mdm: {} }
budgets: [3.0e+20]
sizes: { preset: paper }
seqLen: 2048
batchSize: 256
data: { corpus: { kind: sotu }, tokenizer: { kind: gpt2 } }
eval: { tokens: 1000000, every: 1000 }
`),
    );
    const params = (family: string) =>
      [...plan.runs, ...plan.dropped]
        .filter((r) => r.family === family)
        .map((r) => r.params)
        .sort((a, b) => a - b);
    expect(params('mdm')).toHaveLength(18);
    expect(params('arm')).toHaveLength(16);
    expect(params('mdm')[0]).toBe(12 * 448 ** 2 * 6);
    expect(params('mdm')).toContain(12 * 768 ** 2 * 15); // the paper's "106M" = 106,168,320
    expect(params('arm')).toContain(12 * 1280 ** 2 * 16); // ARM-only 315M
    expect(params('arm')).not.toContain(12 * 448 ** 2 * 6); // ARM lacks 14M
    const largest = plan.runs.find((run) => run.shape.dModel === 2816)!;
    expect(largest.batchSize).toBe(512);
    expect(plan.runs.find((run) => run.shape.dModel === 2048)!.batchSize).toBe(256);
  });
});

describe('planSweep variants', () => {
  it('trains one family under several named variants, each with its own options, length and ids', () => {
    // V = 1024: base 2 gives l = 10, base 32 gives l = 2; dModel 40 serves both.
    const plan = planSweep(
      spec({
        families: {
          mdm: {},
          'mdm-prime-v2': {},
          'prime-k32': { family: 'mdm-prime-v2', base: 32, objective: 'nelbo' },
        },
      }),
    );
    expect(plan.runs.map((run) => [run.family, run.variant])).toEqual([
      ['mdm', 'mdm'],
      ['mdm-prime-v2', 'mdm-prime-v2'],
      ['mdm-prime-v2', 'prime-k32'],
    ]);
    const [, published, k32] = plan.runs;
    expect(published?.prime).toMatchObject({ base: 2, length: 10, objective: 'published' });
    expect(k32?.prime).toMatchObject({ base: 32, length: 2, objective: 'nelbo' });
    expect(k32?.id).toMatch(/^prime-k32-[0-9a-f]{16}$/);
    expect(published?.id).toMatch(/^mdm-prime-v2-[0-9a-f]{16}$/);
  });

  it('gives two variants with the same options different ids', () => {
    const plan = planSweep(spec({ families: { arm: {}, 'arm-twin': { family: 'arm' } } }));
    const [arm, twin] = plan.runs;
    expect(twin?.variant).toBe('arm-twin');
    expect(twin?.id).not.toBe(arm?.id);
    expect({ ...twin, id: arm?.id, variant: 'arm' }).toEqual(arm);
  });

  it("trains a variant at its own budgets, with the same run ids as at the sweep's", () => {
    const shared = planSweep(spec({ families: { arm: {}, mdm: {} }, budgets: [1e11, 1e12] }));
    const own = planSweep(
      spec({
        families: {
          arm: { budgets: [1e11] },
          mdm: { budgets: { min: 1e12, max: 1e13, count: 2 } },
        },
        budgets: [1e11, 1e12],
      }),
    );
    expect(own.runs.map((run) => [run.variant, run.budgetFlops])).toEqual([
      ['arm', 1e11],
      ['mdm', 1e12],
      ['mdm', 1e13],
    ]);
    // What a run computes does not depend on where its budget was written.
    const key = (run: { variant: string; budgetFlops: number }) =>
      `${run.variant}@${run.budgetFlops}`;
    const sharedIds = new Map(shared.runs.map((run) => [key(run), run.id]));
    for (const run of own.runs.filter((r) => sharedIds.has(key(r)))) {
      expect(run.id).toBe(sharedIds.get(key(run)));
    }
  });

  it('trains a variant at its own sizes, and checks them against its own Prime length', () => {
    const plan = planSweep(
      spec({
        families: {
          arm: {},
          mdm: { sizes: { shapes: [{ dModel: 80, nLayers: 2, nHeads: 4 }] } },
        },
      }),
    );
    expect(plan.runs.map((run) => [run.variant, run.shape.dModel, run.shape.nLayers])).toEqual([
      ['arm', 40, 1],
      ['mdm', 80, 2],
    ]);
    // V = 1024, base 4: l = 5, so a cat-share variant's own widths must be multiples of 5 ...
    expect(() =>
      spec({
        families: {
          'prime-b4': {
            family: 'mdm-prime-v2',
            base: 4,
            sizes: { shapes: [{ dModel: 48, nLayers: 1, nHeads: 2 }] },
          },
        },
      }),
    ).toThrow(
      /families\.prime-b4\.sizes\.shapes\[0\]\.dModel: expected a multiple of the Prime length l = 5/,
    );
    // ... while the sweep's sizes, which that variant does not train, are not held to its l.
    expect(() =>
      spec({
        families: {
          arm: {},
          'prime-b4': {
            family: 'mdm-prime-v2',
            base: 4,
            sizes: { shapes: [{ dModel: 40, nLayers: 1, nHeads: 2 }] },
          },
        },
        sizes: { shapes: [{ dModel: 48, nLayers: 1, nHeads: 2 }] },
      }),
    ).not.toThrow();
  });

  it("holds a variant's own shapes to its own tokens-per-parameter window", () => {
    // N = 19200 at 1e12: D/N = 452. The sweep's window would drop it; the variant's keeps it.
    const plan = planSweep(
      spec({
        families: {
          arm: {},
          mdm: {
            sizes: {
              shapes: [{ dModel: 40, nLayers: 1, nHeads: 2 }],
              tokensPerParam: { min: 100, max: 1000 },
            },
          },
        },
        sizes: {
          shapes: [{ dModel: 40, nLayers: 1, nHeads: 2 }],
          tokensPerParam: { min: 1, max: 100 },
        },
      }),
    );
    expect(plan.runs.map((run) => run.variant)).toEqual(['mdm']);
    expect(plan.dropped).toEqual([
      expect.objectContaining({ variant: 'arm', reason: expect.stringMatching(/^D\/N = 452 /) }),
    ]);
  });

  it("rejects a variant's budgets with the field path", () => {
    expect(() =>
      spec({ families: { arm: {}, 'prime-k8': { family: 'mdm-prime-v2', budgets: [-1] } } }),
    ).toThrow(/families\.prime-k8\.budgets/);
  });

  it('shapes count-rule sizes so that every cat-share variant can split them', () => {
    // V = 1024: base 4 gives l = 5, base 2 gives l = 10, head width 8: dModel a multiple of lcm = 40.
    const plan = planSweep(
      spec({
        families: {
          'mdm-prime-v2': {},
          'prime-b4': { family: 'mdm-prime-v2', base: 4 },
        },
        sizes: { count: 3, params: { min: 2e4, max: 2e5 } },
        shapeRule: { headDim: 8, aspectRatio: 40 },
      }),
    );
    expect(plan.runs.length).toBe(6);
    for (const run of plan.runs) expect(run.shape.dModel % 40).toBe(0);
  });
});
