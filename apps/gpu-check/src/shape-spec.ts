import type { ModelShape } from '@isoflop/models';
import { TrainerError } from '@isoflop/trainer';

/** A benchmark shape: the model's shape and the batch size it is stepped with. */
export interface BenchShape {
  spec: string;
  shape: ModelShape;
  batchSize: number;
}

/**
 * Named shape lists. `prototype` holds the two shapes measured by the H200 prototype
 * (../shared/gpu/README.md), the second being the issue's target shape; `quick` is small enough for a
 * 2-core CPU in seconds.
 */
export const SHAPE_PRESETS: Readonly<Record<string, string>> = {
  prototype: 'd512-L8-T512-B16-V4096,d1024-L12-T1024-B8-V8192',
  quick: 'd64-L2-T32-B2-V256,d128-L2-T32-B2-V256',
};

const FIELDS: Record<string, string> = {
  d: 'dModel',
  L: 'nLayers',
  T: 'seqLen',
  B: 'batchSize',
  V: 'vocabSize',
  H: 'nHeads',
  F: 'ffnHidden',
};
const REQUIRED = ['d', 'L', 'T', 'B', 'V'];

/**
 * Parses `d1024-L12-T1024-B8-V8192` (d_model, layers, context, batch, vocabulary; optional `-H` heads,
 * default d/64 as the planner's head width, and `-F` SwiGLU width, default 4d as the planner's rule).
 */
export function parseShape(spec: string, path = 'shape'): BenchShape {
  const values = new Map<string, number>();
  for (const part of spec.split('-')) {
    const match = /^([dLTBVHF])(\d+)$/.exec(part);
    if (match === null) {
      throw invalid(
        path,
        `"${part}" in "${spec}" is not one of d<N> L<N> T<N> B<N> V<N> H<N> F<N>`,
      );
    }
    const [, key, digits] = match as unknown as [string, string, string];
    if (values.has(key)) throw invalid(path, `${key} is given twice in "${spec}"`);
    const value = Number(digits);
    if (value < 1) throw invalid(path, `${FIELDS[key]} must be positive in "${spec}"`);
    values.set(key, value);
  }
  const missing = REQUIRED.filter((key) => !values.has(key));
  if (missing.length > 0) {
    throw invalid(path, `"${spec}" lacks ${missing.map((key) => `${key}<N>`).join(', ')}`);
  }
  const dModel = values.get('d') as number;
  const nHeads = values.get('H') ?? Math.max(1, Math.floor(dModel / 64));
  if (dModel % nHeads !== 0 || (dModel / nHeads) % 2 !== 0) {
    throw invalid(
      path,
      `d_model ${dModel} must split into ${nHeads} heads of even width ("${spec}")`,
    );
  }
  return {
    spec,
    batchSize: values.get('B') as number,
    shape: {
      dModel,
      nLayers: values.get('L') as number,
      nHeads,
      ffnHidden: values.get('F') ?? 4 * dModel,
      vocabSize: values.get('V') as number,
      seqLen: values.get('T') as number,
    },
  };
}

/** A comma-separated list of shapes or preset names. */
export function parseShapeList(list: string, path = 'shapes'): BenchShape[] {
  const specs = list
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
    .flatMap((item) => (SHAPE_PRESETS[item] ?? item).split(','));
  if (specs.length === 0) throw invalid(path, 'expected at least one shape');
  return specs.map((spec, index) => parseShape(spec, `${path}[${index}]`));
}

/** The shape fields every JSON line carries, in the bench contract's snake_case. */
export function shapeContext(bench: BenchShape): Record<string, number | string> {
  const { shape } = bench;
  return {
    shape: bench.spec,
    d_model: shape.dModel,
    n_layers: shape.nLayers,
    n_heads: shape.nHeads,
    ffn_hidden: shape.ffnHidden,
    seq_len: shape.seqLen,
    batch_size: bench.batchSize,
    vocab_size: shape.vocabSize,
  };
}

function invalid(path: string, message: string): TrainerError {
  return new TrainerError('INVALID_OPTIONS', `${path}: ${message}`, { path });
}
