import { describe, expect, it } from 'vitest';
import { SpecError } from './errors.js';
import { parseSweepSpec, validateSweepSpec } from './parse-sweep-spec.js';

const VALID_YAML = `
name: tiny
families:
  arm: {}
  mdm: { eps: 0.001 }
  mdm-prime-v2: { embedding: cat-share }
budgets: [1.0e+12, 3.0e+12]
sizes:
  shapes:
    - { dModel: 40, nLayers: 1, nHeads: 2 }
    - { dModel: 80, nLayers: 2, nHeads: 4 }
seqLen: 64
batchSize: 8
data:
  corpus: { kind: sotu }
  tokenizer: { kind: bpe, vocabSize: 1024 }
eval: { tokens: 4096, every: 50 }
`;

function validObject(): Record<string, unknown> {
  return structuredClone(parseSweepSpec(VALID_YAML)) as unknown as Record<string, unknown>;
}

function issuesOf(value: unknown): { path: string; message: string }[] {
  try {
    validateSweepSpec(value);
  } catch (error) {
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).code).toBe('INVALID_SPEC');
    return [...(error as SpecError).issues];
  }
  throw new Error('expected the spec to be rejected');
}

describe('parseSweepSpec', () => {
  it('fills in the defaults of a minimal YAML spec', () => {
    const spec = parseSweepSpec(VALID_YAML);
    expect(spec.families['mdm-prime-v2']).toEqual({
      family: 'mdm-prime-v2',
      base: 2,
      shuffle: true,
      shuffleSeed: 0,
      embedding: 'cat-share',
      objective: 'published',
      eps: 1e-3,
    });
    expect(spec.paramConvention).toBe('paper');
    expect(spec.optimizer).toMatchObject({
      lr: 2e-4,
      minLr: 2e-5,
      beta2: 0.95,
      weightDecay: 0.1,
      gradClip: 1,
    });
    expect(spec.seeds).toEqual([0]);
    expect(spec.device).toBe('cpu');
  });

  it('reads the same spec from JSON', () => {
    const spec = parseSweepSpec(VALID_YAML);
    expect(parseSweepSpec(JSON.stringify(spec), 'json')).toEqual(spec);
  });

  it('rejects a field of the wrong type, naming its path and the expected type', () => {
    const spec = { ...validObject(), seqLen: 'long' };
    expect(issuesOf(spec)).toEqual([
      { path: 'seqLen', message: 'expected number, received string' },
    ]);
  });

  it('rejects an unknown family, listing the known ones', () => {
    const spec = validObject();
    spec['families'] = { arm: {}, gpt: {} };
    expect(issuesOf(spec)).toEqual([
      { path: 'families.gpt', message: 'unknown family; expected one of arm, mdm, mdm-prime-v2' },
    ]);
  });

  it('reads named variants of a family beside the family keys, with their defaults', () => {
    const spec = validObject();
    spec['families'] = {
      'mdm-prime-v2': {},
      'prime-k8': { family: 'mdm-prime-v2', base: 8, objective: 'nelbo' },
      'arm-again': { family: 'arm' },
    };
    const families = validateSweepSpec(spec).families;
    expect(families['prime-k8']).toEqual({
      family: 'mdm-prime-v2',
      base: 8,
      shuffle: true,
      shuffleSeed: 0,
      embedding: 'cat-share',
      objective: 'nelbo',
      eps: 1e-3,
    });
    expect(families['arm-again']).toEqual({ family: 'arm' });
    expect(families['mdm-prime-v2']?.family).toBe('mdm-prime-v2');
  });

  it('rejects a variant with a bad option, an unknown family, a family key of another family, a bad name', () => {
    const spec = validObject();
    spec['families'] = {
      'prime-k1': { family: 'mdm-prime-v2', base: 1 },
      other: { family: 'gpt' },
      mdm: { family: 'arm' },
    };
    expect(issuesOf(spec)).toEqual([
      { path: 'families.mdm.family', message: 'expected "mdm"' },
      { path: 'families.prime-k1.base', message: 'expected number to be >=2' },
      {
        path: 'families.other.family',
        message: "invalid discriminator value. Expected 'arm' | 'mdm' | 'mdm-prime-v2'",
      },
    ]);
    spec['families'] = { Prime_K8: { family: 'mdm-prime-v2' } };
    expect(issuesOf(spec)).toEqual([
      {
        path: 'families.Prime_K8',
        message: 'expected a kebab-case variant name (lower-case letters, digits, single dashes)',
      },
    ]);
  });

  it('checks cat-share divisibility against the length l of every Prime variant', () => {
    // V = 1024: base 2 gives l = 10 (dModel 40 and 80 divide), base 4 gives l = 5 (they divide), base 3
    // gives l = 7 (they do not).
    const spec = validObject();
    spec['families'] = {
      'prime-b4': { family: 'mdm-prime-v2', base: 4 },
      'prime-b3': { family: 'mdm-prime-v2', base: 3 },
    };
    expect(issuesOf(spec)).toEqual([
      {
        path: 'sizes.shapes[0].dModel',
        message:
          'expected a multiple of the Prime length l = 7 (families.prime-b3.embedding is cat-share)',
      },
      {
        path: 'sizes.shapes[1].dModel',
        message:
          'expected a multiple of the Prime length l = 7 (families.prime-b3.embedding is cat-share)',
      },
    ]);
  });

  it('rejects a negative budget by its index', () => {
    const spec = { ...validObject(), budgets: [1e12, -3e12] };
    expect(issuesOf(spec)).toEqual([{ path: 'budgets[1]', message: 'expected number to be >0' }]);
  });

  it('rejects a budget range whose max is below its min', () => {
    const spec = { ...validObject(), budgets: { min: 1e13, max: 1e12, count: 3 } };
    expect(issuesOf(spec)).toEqual([
      { path: 'budgets.max', message: 'expected at least min (10000000000000)' },
    ]);
  });

  it('accepts tf32 on cuda only, naming precision otherwise', () => {
    const spec = validObject();
    spec['precision'] = 'tf32';
    expect(issuesOf(spec)).toEqual([
      {
        path: 'precision',
        message: 'tf32 is a CUDA math mode: expected device cuda, got cpu (use fp32)',
      },
    ]);
    spec['device'] = 'cuda';
    expect(validateSweepSpec(spec).precision).toBe('tf32');
  });

  it('rejects a shape whose dModel is not divisible by its heads', () => {
    const spec = validObject();
    spec['sizes'] = {
      shapes: [
        { dModel: 40, nLayers: 1, nHeads: 2 },
        { dModel: 80, nLayers: 2, nHeads: 3 },
      ],
    };
    expect(issuesOf(spec)).toEqual([
      { path: 'sizes.shapes[1].nHeads', message: 'expected a divisor of dModel 80' },
    ]);
  });

  it('rejects a shape whose head dimension is odd (RoPE)', () => {
    const spec = validObject();
    spec['sizes'] = { shapes: [{ dModel: 90, nLayers: 1, nHeads: 2 }] };
    expect(issuesOf(spec)[0]?.path).toBe('sizes.shapes[0].nHeads');
  });

  it('rejects a cat-share Prime shape whose dModel is not divisible by l = ceil(log2 V)', () => {
    const spec = validObject();
    // V = 1024 gives l = 10; 64 is a fine width for heads but not for ten sub-token pieces.
    spec['sizes'] = { shapes: [{ dModel: 64, nLayers: 1, nHeads: 2 }] };
    expect(issuesOf(spec)).toEqual([
      {
        path: 'sizes.shapes[0].dModel',
        message:
          'expected a multiple of the Prime length l = 10 (families.mdm-prime-v2.embedding is cat-share)',
      },
    ]);
    const summed = validObject();
    summed['sizes'] = { shapes: [{ dModel: 64, nLayers: 1, nHeads: 2 }] };
    summed['families'] = { 'mdm-prime-v2': { embedding: 'sum' } };
    expect(() => validateSweepSpec(summed)).not.toThrow();
  });

  it('rejects an unknown corpus kind and a tokenizer that does not fit the corpus', () => {
    const spec = validObject();
    spec['data'] = { corpus: { kind: 'web' }, tokenizer: { kind: 'gpt2' } };
    expect(issuesOf(spec)).toEqual([
      {
        path: 'data.corpus.kind',
        message: "invalid discriminator value. Expected 'sotu' | 'text' | 'jsonl' | 'shards'",
      },
    ]);
    spec['data'] = { corpus: { kind: 'sotu' }, tokenizer: { kind: 'none' } };
    expect(issuesOf(spec)).toEqual([
      { path: 'data.tokenizer.kind', message: "'none' needs a 'shards' corpus" },
    ]);
  });

  it('requires exactly one way of choosing sizes', () => {
    const spec = validObject();
    spec['sizes'] = { preset: 'paper', count: 4, params: { min: 1e5, max: 1e6 } };
    expect(issuesOf(spec)).toEqual([
      { path: 'sizes', message: 'expected exactly one of preset, shapes or count' },
    ]);
    spec['sizes'] = { count: 4 };
    expect(issuesOf(spec)).toEqual([
      {
        path: 'sizes.count',
        message: 'expected exactly one of params or tokensPerParam with count',
      },
    ]);
  });

  it('lists every problem at once, one line per field in the message', () => {
    const spec = { ...validObject(), seqLen: 0, batchSize: 2.5, device: 'tpu' };
    const issues = issuesOf(spec);
    expect(issues.map((issue) => issue.path)).toEqual(['seqLen', 'batchSize', 'device']);
    try {
      validateSweepSpec(spec);
    } catch (error) {
      expect((error as Error).message.split('\n')).toEqual([
        'invalid sweep spec:',
        '  seqLen: expected number to be >0',
        '  batchSize: expected int, received number',
        `  device: invalid option: expected one of "cpu"|"webgpu"|"cuda"`,
      ]);
    }
  });

  it('reports YAML syntax errors as INVALID_SPEC', () => {
    expect(() => parseSweepSpec('name: [unclosed')).toThrow(SpecError);
    expect(() => parseSweepSpec('{"name": ', 'json')).toThrow(/not valid JSON/);
  });
});

describe('the fit block', () => {
  it('is absent unless written, so specs without one keep their canonical form', () => {
    expect(parseSweepSpec(VALID_YAML)).not.toHaveProperty('fit');
    const spec = validateSweepSpec({
      ...validObject(),
      fit: { estimator: 'akima', seedNoise: 0.01 },
    });
    expect(spec.fit).toEqual({ estimator: 'akima', seedNoise: 0.01 });
  });

  it('names the field of an unknown estimator or of an option the estimator does not take', () => {
    expect(issuesOf({ ...validObject(), fit: { estimator: 'spline' } })[0]!.path).toBe(
      'fit.estimator',
    );
    expect(issuesOf({ ...validObject(), fit: { nearestK: 5 } })).toEqual([
      { path: 'fit.nearestK', message: 'only with estimator parabola-nearest, not parabola' },
    ]);
    expect(issuesOf({ ...validObject(), fit: { estimator: 'parabola', seedNoise: 0.01 } })).toEqual(
      [{ path: 'fit.seedNoise', message: 'only with estimator akima, not parabola' }],
    );
  });
});

describe('hostile specs (issue 15): rejected with a field path, in well under a second', () => {
  // Before the bounds, the first five hung the planner (and the server's one event loop) or grew to GBs.
  const cases: [string, (spec: Record<string, unknown>) => void, string][] = [
    [
      'a Prime base of 1',
      (s) => (s['families'] = { 'mdm-prime-v2': { base: 1, embedding: 'cat-share' } }),
      'families.mdm-prime-v2.base',
    ],
    [
      'a Prime base of 0',
      (s) => (s['families'] = { 'mdm-prime-v2': { base: 0, embedding: 'cat-share' } }),
      'families.mdm-prime-v2.base',
    ],
    [
      'a budget range of 1e8 budgets',
      (s) => (s['budgets'] = { min: 1e12, max: 1e13, count: 100_000_000 }),
      'budgets.count',
    ],
    [
      'sizes.count of 1e8',
      (s) => (s['sizes'] = { count: 100_000_000, params: { min: 1e4, max: 1e6 } }),
      'sizes.count',
    ],
    ['100k seeds', (s) => (s['seeds'] = Array.from({ length: 100_000 }, (_, i) => i)), 'seeds'],
    [
      'a shape rule of a billion layers',
      (s) => {
        s['sizes'] = { count: 3, params: { min: 1e4, max: 1e6 } };
        s['shapeRule'] = { maxLayers: 1e9 };
      },
      'shapeRule.maxLayers',
    ],
    [
      '64 budgets x 64 sizes x 64 seeds',
      (s) => {
        s['budgets'] = { min: 1e12, max: 1e14, count: 64 };
        s['sizes'] = { count: 64, params: { min: 1e4, max: 1e6 } };
        s['seeds'] = Array.from({ length: 64 }, (_, i) => i);
      },
      '',
    ],
    ['a budget of 1.7e308', (s) => (s['budgets'] = [1e12, 1.7e308]), 'budgets[1]'],
    ['a NUL in the name', (s) => (s['name'] = 'a\u0000b'), 'name'],
    ['an ANSI escape in the name', (s) => (s['name'] = '\u001b[2J\u001b[31mred'), 'name'],
    ['a right-to-left override in the name', (s) => (s['name'] = 'abc\u202Efdp.exe'), 'name'],
    ['a name of 10k characters', (s) => (s['name'] = 'x'.repeat(10_000)), 'name'],
    [
      'a NUL in a corpus path',
      (s) =>
        (s['data'] = { corpus: { kind: 'text', paths: ['a\u0000'] }, tokenizer: { kind: 'gpt2' } }),
      'data.corpus.paths[0]',
    ],
    ['eval.tokens of 1e12', (s) => (s['eval'] = { tokens: 1e12, every: 50 }), 'eval.tokens'],
  ];
  for (const [what, mutate, path] of cases) {
    it(`rejects ${what} at ${path || '(root)'}`, () => {
      const spec = validObject();
      mutate(spec);
      const started = performance.now();
      const issues = issuesOf(spec);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(issues.map((issue) => issue.path)).toContain(path);
    });
  }

  const texts: [string, string, 'yaml' | 'json'][] = [
    [
      'a YAML alias bomb',
      'a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n' +
        'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n',
      'yaml',
    ],
    ['an undefined YAML alias', 'name: *nowhere\n', 'yaml'],
    ['YAML nested 100k deep', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'yaml'],
    ['YAML block sequences nested 5000 deep', `${'- '.repeat(5000)}1\n`, 'yaml'],
    ['JSON nested 100k deep', `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`, 'json'],
    ['a spec of 1 MB', `name: x\n# ${'x'.repeat(1024 * 1024)}\n`, 'yaml'],
  ];
  for (const [what, text, format] of texts) {
    it(`rejects ${what} as a SpecError at the root`, () => {
      const started = performance.now();
      let caught: unknown;
      try {
        parseSweepSpec(text, format);
      } catch (error) {
        caught = error;
      }
      expect(performance.now() - started).toBeLessThan(1000);
      expect(caught).toBeInstanceOf(SpecError);
      expect((caught as SpecError).issues[0]!.path).toBe('');
    });
  }
});
