import { z } from 'zod';
import { adaptiveSpecSchema } from './adaptive/adaptive-spec.js';
import { DEVICES, FAMILIES, PARAM_CONVENTIONS, PRECISIONS } from './run-spec.js';
import { SPEC_LIMITS, UNPRINTABLE } from './spec-limits.js';
import { primeLength, vocabSizeOf } from './vocab.js';

const positive = z.number().positive();
const positiveInt = z.int().positive();
const nonNegativeInt = z.int().nonnegative();
const unitOpen = z.number().gt(0).lt(1);
const layerCount = positiveInt.max(SPEC_LIMITS.layers);
const width = positiveInt.max(SPEC_LIMITS.width);
const listCount = positiveInt.max(SPEC_LIMITS.listLength);
const budget = positive.max(SPEC_LIMITS.budgetFlops);
const printable = (what: string) =>
  z.string().refine((text) => !UNPRINTABLE.test(text), {
    message: `expected ${what} without control, format or bidirectional-override characters`,
  });

/** A log-spaced range: `count` values from `min` to `max` inclusive (count 1 needs min = max). */
const logRange = z
  .strictObject({ min: budget, max: budget, count: listCount })
  .superRefine((range, ctx) => {
    if (range.max < range.min) {
      ctx.addIssue({
        code: 'custom',
        path: ['max'],
        message: `expected at least min (${range.min})`,
      });
    }
    if (range.count === 1 && range.max !== range.min) {
      ctx.addIssue({
        code: 'custom',
        path: ['count'],
        message: 'expected at least 2 when min < max',
      });
    }
  })
  .describe('count log-spaced values from min to max inclusive');

/** Compute budgets C in FLOPs: a list, or a log-spaced range. */
const budgetList = z.union([z.array(budget).min(1).max(SPEC_LIMITS.listLength), logRange]);

const bounds = (limit: number) =>
  z
    .strictObject({ min: positive.max(limit).optional(), max: positive.max(limit).optional() })
    .superRefine((w, ctx) => {
      if (w.min !== undefined && w.max !== undefined && w.max < w.min) {
        ctx.addIssue({
          code: 'custom',
          path: ['max'],
          message: `expected at least min (${w.min})`,
        });
      }
    });

const explicitShape = z.strictObject({
  dModel: width,
  nLayers: layerCount,
  nHeads: width,
  ffnHidden: width
    .optional()
    .describe('SwiGLU hidden width; default shapeRule.ffnMultiplier x dModel'),
  batchSize: positiveInt
    .max(SPEC_LIMITS.sequence)
    .optional()
    .describe('overrides the sweep batchSize for this size'),
});

type ExplicitShape = z.output<typeof explicitShape>;

const sizes = z
  .strictObject({
    preset: z
      .enum(['paper'])
      .optional()
      .describe(
        "the paper's grid (paper-notes 7.2): 18 sizes for MDM/Prime, 16 for ARM; the three largest use 2 x batchSize",
      ),
    shapes: z
      .array(explicitShape)
      .min(1)
      .max(SPEC_LIMITS.listLength)
      .optional()
      .describe('explicit shapes'),
    count: listCount.optional().describe('number of log-spaced sizes, shaped by shapeRule'),
    params: bounds(SPEC_LIMITS.params)
      .optional()
      .describe('with count: sizes log-spaced in [min, max] parameters (under paramConvention)'),
    tokensPerParam: bounds(SPEC_LIMITS.tokensPerParam)
      .optional()
      .describe(
        'with count: per budget, sizes log-spaced so that D/N spans [min, max]; with preset or shapes: keep only sizes whose D/N lies in [min, max]',
      ),
  })
  .superRefine((s, ctx) => {
    const modes = [s.preset, s.shapes, s.count].filter((m) => m !== undefined).length;
    if (modes !== 1) {
      ctx.addIssue({ code: 'custom', message: 'expected exactly one of preset, shapes or count' });
      return;
    }
    if (s.count !== undefined) {
      const ranges = [s.params, s.tokensPerParam].filter((r) => r !== undefined);
      if (ranges.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['count'],
          message: 'expected exactly one of params or tokensPerParam with count',
        });
      }
      for (const key of ['params', 'tokensPerParam'] as const) {
        const range = s[key];
        if (range !== undefined && (range.min === undefined || range.max === undefined)) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: 'expected both min and max with count',
          });
        }
      }
    } else if (s.params !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['params'], message: 'only allowed with count' });
    }
  });

/**
 * What every variant may set whatever its family: its own budgets and sizes. Families differ in compute
 * efficiency by one or two orders of magnitude, so the budgets and sizes where one family's minima can
 * be resolved are wasted on another.
 */
const variantCommon = {
  budgets: budgetList
    .optional()
    .describe("this variant's compute budgets in FLOPs, instead of the sweep's budgets"),
  sizes: sizes.optional().describe("this variant's sizes, instead of the sweep's sizes"),
};

const armOptions = z.strictObject({ ...variantCommon });

const mdmOptions = z.strictObject({
  ...variantCommon,
  eps: unitOpen.default(1e-3).describe('masking time t is drawn in [eps, 1]'),
});

const primeOptions = z.strictObject({
  ...variantCommon,
  base: z
    .int()
    .min(2)
    .max(SPEC_LIMITS.primeBase)
    .default(2)
    .describe('sub-token base b; the length l = ceil(log_b V) is derived'),
  shuffle: z.boolean().default(true).describe('seeded permutation of the b^l codes'),
  shuffleSeed: nonNegativeInt.default(0),
  embedding: z
    .enum(['cat-share', 'sum'])
    .default('cat-share')
    .describe(
      'cat-share: one (b+1) x d/l table, l pieces concatenated (d divisible by l); sum: l tables summed',
    ),
  objective: z
    .enum(['published', 'nelbo'])
    .default('published')
    .describe('published: the paper objective J; nelbo: the valid sub-token bound K'),
  eps: unitOpen.default(1e-3).describe('masking time t is drawn in [eps, 1]'),
});

/** A variant's name: the key under `families` (kebab-case, so it reads well in run ids and charts). */
const VARIANT_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Said of a `families` key that names no family and no `family:` field. */
export const UNKNOWN_FAMILY = `unknown family; expected one of ${FAMILIES.join(', ')}`;

/** A named variant: a family with its options, e.g. `prime-k8: { family: mdm-prime-v2, base: 8 }`. */
const variantOptions = z.discriminatedUnion(
  'family',
  [
    armOptions.extend({ family: z.literal('arm') }),
    mdmOptions.extend({ family: z.literal('mdm') }),
    primeOptions.extend({ family: z.literal('mdm-prime-v2') }),
  ],
  {
    // Reached for a key that is not a family name and has no `family` field; a wrong `family` value keeps
    // zod's own message, which lists the options.
    error: (issue) =>
      issue.code === 'invalid_union' && (issue.input as { family?: unknown }).family === undefined
        ? UNKNOWN_FAMILY
        : undefined,
  },
);

/** The options of one variant, with its family resolved: what the planner reads. */
export type VariantOptions = z.output<typeof variantOptions>;

/** A key that is a family name: that family's options, `family` optional (it is the key). */
const familyKeys = {
  arm: armOptions.extend({ family: z.literal('arm').optional() }),
  mdm: mdmOptions.extend({ family: z.literal('mdm').optional() }),
  'mdm-prime-v2': primeOptions.extend({ family: z.literal('mdm-prime-v2').optional() }),
};

const families = z
  .strictObject({
    arm: familyKeys.arm.optional(),
    mdm: familyKeys.mdm.optional(),
    'mdm-prime-v2': familyKeys['mdm-prime-v2'].optional(),
  })
  .catchall(variantOptions)
  .superRefine((f, ctx) => {
    if (Object.keys(f).length === 0) {
      ctx.addIssue({ code: 'custom', message: `expected at least one of ${FAMILIES.join(', ')}` });
    }
    for (const name of Object.keys(f)) {
      if (!VARIANT_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'expected a kebab-case variant name (lower-case letters, digits, single dashes)',
        });
      }
    }
  })
  .transform((f): Record<string, VariantOptions> => {
    const resolved: Record<string, VariantOptions> = {};
    for (const [name, options] of Object.entries(f)) {
      if (options === undefined) continue;
      // A key that is a family name is that family (its `family` field is optional there).
      resolved[name] = { ...options, family: options.family ?? name } as VariantOptions;
    }
    return resolved;
  })
  .describe(
    "the variants to train: a family name with its options ({} for the defaults), or any kebab-case name with family: and that family's options",
  );

const shapeRule = z
  .strictObject({
    headDim: width
      .refine((h) => h % 2 === 0, {
        message: 'expected an even number (RoPE rotates channel pairs)',
      })
      .default(64),
    aspectRatio: positive.default(64).describe('target dModel / nLayers'),
    minLayers: layerCount.default(1),
    maxLayers: layerCount.default(128),
    ffnMultiplier: positive.default(4).describe('SwiGLU hidden width = ffnMultiplier x dModel'),
  })
  .default({ headDim: 64, aspectRatio: 64, minLayers: 1, maxLayers: 128, ffnMultiplier: 4 });

const optimizer = z
  .strictObject({
    lr: positive.default(2e-4),
    minLr: z.number().nonnegative().default(2e-5).describe('cosine decay floor'),
    warmupSteps: nonNegativeInt
      .optional()
      .describe('linear warmup steps (exclusive with warmupFraction)'),
    warmupFraction: z
      .number()
      .min(0)
      .lt(1)
      .optional()
      .describe('warmup as a fraction of each run (default 0.01, at least one step)'),
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.95),
    eps: positive.default(1e-8),
    weightDecay: z.number().nonnegative().default(0.1),
    gradClip: positive.default(1),
  })
  .superRefine((o, ctx) => {
    if (o.warmupSteps !== undefined && o.warmupFraction !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['warmupSteps'],
        message: 'expected only one of warmupSteps and warmupFraction',
      });
    }
    if (o.minLr > o.lr) {
      ctx.addIssue({ code: 'custom', path: ['minLr'], message: `expected at most lr (${o.lr})` });
    }
  })
  .describe('AdamW; linear warmup, then cosine decay to minLr');

/** 256 byte symbols plus end-of-text: a byte-level BPE with no merges. */
const MIN_BPE_VOCAB = 257;
/** Token shards store ids as uint16 up to this vocabulary size. */
const UINT16_VOCAB = 65_536;

const filePath = printable('a path')
  .min(1)
  .max(SPEC_LIMITS.pathLength)
  .describe('relative to the spec file');
const corpusPaths = z.array(filePath).min(1).max(SPEC_LIMITS.paths);

const corpus = z.discriminatedUnion('kind', [
  z
    .strictObject({ kind: z.literal('sotu') })
    .describe('the default corpus: US State of the Union addresses'),
  z.strictObject({ kind: z.literal('text'), paths: corpusPaths }),
  z.strictObject({
    kind: z.literal('jsonl'),
    paths: corpusPaths,
    field: printable('a field name').min(1).max(SPEC_LIMITS.pathLength),
  }),
  z
    .strictObject({
      kind: z.literal('shards'),
      train: filePath,
      val: filePath,
      dtype: z.enum(['uint16', 'uint32']),
      vocabSize: z.int().min(2).max(SPEC_LIMITS.vocabSize),
    })
    .superRefine((shards, ctx) => {
      if (shards.dtype === 'uint16' && shards.vocabSize > UINT16_VOCAB) {
        ctx.addIssue({
          code: 'custom',
          path: ['vocabSize'],
          message: `expected at most ${UINT16_VOCAB} for uint16 shards`,
        });
      }
    }),
]);

const tokenizer = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('gpt2') }).describe('GPT-2 BPE, V = 50257'),
  z
    .strictObject({
      kind: z.literal('bpe'),
      vocabSize: z.int().min(MIN_BPE_VOCAB).max(UINT16_VOCAB),
    })
    .describe('a byte-level BPE trained on the corpus (256 bytes + end-of-text + merges)'),
  z.strictObject({ kind: z.literal('none') }).describe('pre-tokenized shards'),
]);

const data = z
  .strictObject({
    corpus,
    tokenizer,
    valFraction: z.number().gt(0).lt(1).default(0.02),
  })
  .superRefine((d, ctx) => {
    const shards = d.corpus.kind === 'shards';
    if (shards !== (d.tokenizer.kind === 'none')) {
      ctx.addIssue({
        code: 'custom',
        path: ['tokenizer', 'kind'],
        message: shards
          ? "expected 'none' for a 'shards' corpus"
          : "'none' needs a 'shards' corpus",
      });
    }
  });

const evaluation = z.strictObject({
  tokens: positiveInt.max(SPEC_LIMITS.evalTokens).describe('held-out tokens per evaluation'),
  every: positiveInt.describe('evaluate every this many steps (and at the end)'),
  seed: nonNegativeInt
    .default(0)
    .describe('fixes the evaluation batches and (t, mask) draws for every run'),
});

/** @isoflop/fit's Approach-2 estimators (the planner does not import fit; tests keep the lists equal). */
export const FIT_ESTIMATORS = ['parabola', 'parabola-nearest', 'akima'] as const;

// No defaults here: a spec without a fit block keeps its canonical form, and so its sweep id.
const fit = z
  .strictObject({
    estimator: z
      .enum(FIT_ESTIMATORS)
      .optional()
      .describe(
        "how Approach 2 finds each budget's optimum (default parabola): parabola, parabola-nearest (the nearestK runs nearest the lowest loss) or akima (Porian et al.: Akima interpolation, seed-noise draws, weighted power law)",
      ),
    nearestK: z.int().min(3).optional().describe('parabola-nearest: runs per budget (default 5)'),
    seedNoise: z
      .number()
      .nonnegative()
      .optional()
      .describe('akima: std in nats of the Gaussian noise added to each loss (default 0.005)'),
    seedNoiseDraws: positiveInt.optional().describe('akima: draws per budget (default 1000)'),
    stdFloor: positive
      .optional()
      .describe('akima: floor on the std of ln N*, in units of 25 grid steps (default 0.33)'),
  })
  .superRefine((options, ctx) => {
    const estimator = options.estimator ?? 'parabola';
    if (options.nearestK !== undefined && estimator !== 'parabola-nearest') {
      ctx.addIssue({
        code: 'custom',
        path: ['nearestK'],
        message: `only with estimator parabola-nearest, not ${estimator}`,
      });
    }
    for (const key of ['seedNoise', 'seedNoiseDraws', 'stdFloor'] as const) {
      if (options[key] !== undefined && estimator !== 'akima') {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `only with estimator akima, not ${estimator}`,
        });
      }
    }
  })
  .describe("options of the sweep's scaling-law fit");

function validBase(base: number): boolean {
  return Number.isInteger(base) && base >= 2 && base <= SPEC_LIMITS.primeBase;
}

/** Sizes the paper preset trains per family, at most (paper-notes 7.2). */
const PAPER_PRESET_SIZES = 18;

/** Runs before any size is dropped; a field that failed its own bound counts as its limit. */
type SizesCount = {
  preset?: string | undefined;
  shapes?: readonly unknown[] | undefined;
  count?: number | undefined;
};

function runsUpperBound(spec: {
  families: Record<
    string,
    { budgets?: number[] | { count: number } | undefined; sizes?: SizesCount | undefined }
  >;
  budgets: number[] | { count: number };
  sizes: SizesCount;
  seeds: readonly number[];
}): number {
  const clamp = (n: number) => (Number.isFinite(n) ? Math.min(n, SPEC_LIMITS.listLength) : 0);
  const budgetCount = (budgets: number[] | { count: number }) =>
    clamp(Array.isArray(budgets) ? budgets.length : budgets.count);
  const sizeCount = (sizes: SizesCount) =>
    clamp(
      sizes.preset !== undefined ? PAPER_PRESET_SIZES : (sizes.shapes?.length ?? sizes.count ?? 0),
    );
  const grid = Object.values(spec.families).reduce(
    (sum, options) =>
      sum + budgetCount(options.budgets ?? spec.budgets) * sizeCount(options.sizes ?? spec.sizes),
    0,
  );
  return grid * clamp(spec.seeds.length);
}

/** The sweep spec: what `isoflop plan` and `isoflop run` read (YAML or JSON). */
export const sweepSpecSchema = z
  .strictObject({
    name: printable('a name')
      .min(1)
      .max(SPEC_LIMITS.nameLength)
      .describe('sweep name (not part of run ids)'),
    families,
    budgets: budgetList.describe(
      "compute budgets C in FLOPs: a list, or a log-spaced range (a variant's own budgets replace them)",
    ),
    sizes,
    shapeRule,
    paramConvention: z
      .enum(PARAM_CONVENTIONS)
      .default('paper')
      .describe('paper: N = 12·d²·n_layers; exact: the exact non-embedding count'),
    seqLen: positiveInt.max(SPEC_LIMITS.sequence),
    batchSize: positiveInt.max(SPEC_LIMITS.sequence),
    optimizer: optimizer.default({
      lr: 2e-4,
      minLr: 2e-5,
      beta1: 0.9,
      beta2: 0.95,
      eps: 1e-8,
      weightDecay: 0.1,
      gradClip: 1,
    }),
    data,
    eval: evaluation,
    device: z.enum(DEVICES).default('cpu'),
    precision: z
      .enum(PRECISIONS)
      .default('fp32')
      .describe(
        'fp32 (on CUDA: TF32 off, the reference), tf32 (CUDA only) or mixed (fp16 products)',
      ),
    seeds: z
      .array(nonNegativeInt)
      .min(1)
      .max(SPEC_LIMITS.listLength)
      .default([0])
      .describe('one run per seed for every (family, budget, size)'),
    checkpointEvery: positiveInt.default(1000).describe('steps between checkpoints'),
    fit: fit.optional(),
    adaptive: adaptiveSpecSchema.optional(),
    stepsPerRun: positiveInt
      .optional()
      .describe(
        'optimizer steps per ONNX Runtime run (an ONNX Loop); default per device: cpu 1, webgpu 1, cuda 32',
      ),
  })
  .superRefine((spec, ctx) => {
    // Without a vocabulary (already reported under data.tokenizer) there is no l to check against.
    const hasVocab = spec.data.corpus.kind === 'shards' || spec.data.tokenizer.kind !== 'none';
    const grids: {
      path: PropertyKey[];
      shapes: ExplicitShape[];
      variants: [string, VariantOptions][];
    }[] = [];
    const ownSizes = Object.entries(spec.families).filter(([, v]) => v.sizes !== undefined);
    if (spec.sizes.shapes !== undefined) {
      grids.push({
        path: ['sizes'],
        shapes: spec.sizes.shapes,
        // A variant with sizes of its own never trains the sweep's.
        variants: Object.entries(spec.families).filter(([, v]) => v.sizes === undefined),
      });
    }
    for (const [name, variant] of ownSizes) {
      if (variant.sizes?.shapes !== undefined) {
        grids.push({
          path: ['families', name, 'sizes'],
          shapes: variant.sizes.shapes,
          variants: [[name, variant]],
        });
      }
    }
    for (const grid of grids) {
      grid.shapes.forEach((shape, i) => {
        if (shape.dModel % shape.nHeads !== 0) {
          ctx.addIssue({
            code: 'custom',
            path: [...grid.path, 'shapes', i, 'nHeads'],
            message: `expected a divisor of dModel ${shape.dModel}`,
          });
        } else if ((shape.dModel / shape.nHeads) % 2 !== 0) {
          ctx.addIssue({
            code: 'custom',
            path: [...grid.path, 'shapes', i, 'nHeads'],
            message: `expected an even head dimension (dModel / nHeads = ${shape.dModel / shape.nHeads}; RoPE rotates channel pairs)`,
          });
        }
      });
      for (const [name, variant] of grid.variants) {
        if (variant.family !== 'mdm-prime-v2' || variant.embedding !== 'cat-share') continue;
        // Refinements run beside field issues: a base already reported as invalid has no l to check.
        if (!hasVocab || !validBase(variant.base)) continue;
        const length = primeLength(variant.base, vocabSizeOf(spec.data));
        grid.shapes.forEach((shape, i) => {
          if (shape.dModel % length !== 0) {
            ctx.addIssue({
              code: 'custom',
              path: [...grid.path, 'shapes', i, 'dModel'],
              message: `expected a multiple of the Prime length l = ${length} (families.${name}.embedding is cat-share)`,
            });
          }
        });
      }
    }
    if (spec.adaptive !== undefined) {
      const known = (name: string) => Object.hasOwn(spec.families, name);
      const names: [string | undefined, PropertyKey[]][] = [
        [spec.adaptive.overlap.baseline, ['adaptive', 'overlap', 'baseline']],
        [spec.adaptive.narrow?.target.variant, ['adaptive', 'narrow', 'target', 'variant']],
      ];
      const target = spec.adaptive.narrow?.target;
      if (target?.quantity === 'compute-ratio') {
        names.push([target.baseline, ['adaptive', 'narrow', 'target', 'baseline']]);
      }
      for (const [name, path] of names) {
        if (name !== undefined && !known(name)) {
          ctx.addIssue({
            code: 'custom',
            path,
            message: `expected a variant of this spec (${Object.keys(spec.families).join(', ')})`,
          });
        }
      }
      const bounds = spec.adaptive.sizes;
      if (bounds?.min !== undefined && bounds.max !== undefined && bounds.max < bounds.min) {
        ctx.addIssue({
          code: 'custom',
          path: ['adaptive', 'sizes', 'max'],
          message: `expected at least min (${bounds.min})`,
        });
      }
    }
    const runs = runsUpperBound(spec);
    if (runs > SPEC_LIMITS.runs) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `expands to up to ${runs} runs (families x budgets x sizes x seeds); expected at most ${SPEC_LIMITS.runs}`,
      });
    }
    if (new Set(spec.seeds).size !== spec.seeds.length) {
      ctx.addIssue({ code: 'custom', path: ['seeds'], message: 'expected distinct seeds' });
    }
    if (spec.shapeRule.maxLayers < spec.shapeRule.minLayers) {
      ctx.addIssue({
        code: 'custom',
        path: ['shapeRule', 'maxLayers'],
        message: 'expected at least minLayers',
      });
    }
    if (spec.precision === 'tf32' && spec.device !== 'cuda') {
      ctx.addIssue({
        code: 'custom',
        path: ['precision'],
        message: `tf32 is a CUDA math mode: expected device cuda, got ${spec.device} (use fp32)`,
      });
    }
  });

/** A validated sweep spec with every default filled in. */
export type SweepSpec = z.output<typeof sweepSpecSchema>;
/**
 * What one `families` entry may hold, as TypeScript can say it: zod's own input type of a strict object
 * with a catchall asks every key, `arm` included, to satisfy the catchall.
 */
export type FamilyEntryInput =
  z.input<(typeof familyKeys)[keyof typeof familyKeys]> | z.input<typeof variantOptions>;

/** What a user may write: defaults optional. */
export type SweepSpecInput = Omit<z.input<typeof sweepSpecSchema>, 'families'> & {
  families: Record<string, FamilyEntryInput>;
};
