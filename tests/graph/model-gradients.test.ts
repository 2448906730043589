import { describe, expect, it } from 'vitest';
import {
  checkGradients,
  fromFloat16Bits,
  GraphBuilder,
  relativeError,
  toFloat16Bits,
  type FloatDType,
} from '@isoflop/graph';
import { loadGraph, type Feed } from './ort-harness.js';
import { Rng } from './random.js';
import { buildTinyTransformer, type TinyShape } from './tiny-transformer.js';

const shape: TinyShape = { batch: 2, seqLen: 5, dModel: 8, heads: 2, ffn: 12, vocab: 11 };

function build(dtype: FloatDType) {
  const b = new GraphBuilder({ dtype });
  const { loss, params } = buildTinyTransformer(b, shape);
  const grads = b.backward(loss, params);
  b.output('loss', loss);
  grads.forEach((g, i) => b.output(`g${i}`, g));
  return { b, params };
}

/** Float32-representable values so both precisions see the same parameters. */
function draw(seed: number) {
  const r = new Rng(seed);
  const values = new Map<string, Float64Array>();
  for (const p of paramSpecs) {
    const scale = p.tensor.rank === 1 ? 0.2 : 0.5;
    values.set(
      p.name,
      r
        .uniform(p.tensor.size, -scale, scale)
        .map((x) => Math.fround((p.tensor.rank === 1 ? 1 : 0) + x)),
    );
  }
  const n = shape.batch * shape.seqLen;
  return {
    values,
    ids: r.ints(n, shape.vocab),
    targets: r.ints(n, shape.vocab),
    weights: r.uniform(n, 0, 2).map(Math.fround),
  };
}

const paramSpecs = build('float64').b.params;

function feeds(
  dtype: FloatDType,
  data: ReturnType<typeof draw>,
): Record<string, { data: Feed; shape: readonly number[] }> {
  const cast = (x: Float64Array): Feed =>
    dtype === 'float64'
      ? x
      : dtype === 'float32'
        ? Float32Array.from(x)
        : Uint16Array.from(x, toFloat16Bits);
  const bt = [shape.batch, shape.seqLen];
  return {
    ids: { data: data.ids, shape: bt },
    targets: { data: data.targets, shape: bt },
    weights: { data: cast(data.weights), shape: bt },
    ...Object.fromEntries(
      paramSpecs.map((p) => [
        `p.${p.name}`,
        { data: cast(data.values.get(p.name)!), shape: p.tensor.shape },
      ]),
    ),
  };
}

describe('whole-model gradients (tiny transformer block, ORT CPU)', () => {
  it('float64 analytic gradients match central differences for every parameter', async () => {
    const { b } = build('float64');
    const data = draw(7);
    const session = await loadGraph(b.toOnnxBytes());
    const out = await session.run(feeds('float64', data));
    const report = await checkGradients(
      b.params.map((p, i) => ({
        name: p.name,
        values: data.values.get(p.name)!,
        analytic: out[`g${i}`] as Float64Array,
      })),
      async () => ((await session.run(feeds('float64', data))).loss as Float64Array)[0]!,
      { probesPerTensor: 8, seed: 3 },
    );
    await session.release();
    for (const t of report.tensors) expect(t.analyticNorm, t.name).toBeGreaterThan(1e-4);
    expect(report.worstRelativeError).toBeLessThan(1e-4);
  });

  it('the float32 graph agrees with float64 gradients', async () => {
    const data = draw(11);
    const results = await Promise.all(
      (['float32', 'float64'] as const).map(async (dtype) => {
        const session = await loadGraph(build(dtype).b.toOnnxBytes());
        const out = await session.run(feeds(dtype, data));
        await session.release();
        return out;
      }),
    );
    const [f32, f64] = results as [Record<string, Feed>, Record<string, Feed>];
    expect(Math.abs(Number(f32.loss![0]) - Number(f64.loss![0]))).toBeLessThan(1e-5);
    paramSpecs.forEach((_, i) => {
      const a = Array.from(f32[`g${i}`] as Float32Array);
      const ref = Array.from(f64[`g${i}`] as Float64Array);
      expect(relativeError(a, ref), `g${i}`).toBeLessThan(1e-4);
    });
  });

  it('a float16 graph runs on the CPU EP (ORT computes it in float32) close to float64', async () => {
    const data = draw(13);
    const run = async (dtype: FloatDType) => {
      const session = await loadGraph(build(dtype).b.toOnnxBytes());
      const out = await session.run(feeds(dtype, data));
      await session.release();
      return out;
    };
    const half = await run('float16');
    const ref = await run('float64');
    const toNumbers = (x: Feed): number[] => Array.from(x as Uint16Array, fromFloat16Bits);
    expect(
      Math.abs(toNumbers(half.loss!)[0]! - Number(ref.loss![0])) / Number(ref.loss![0]),
    ).toBeLessThan(5e-3);
    paramSpecs.forEach((_, i) => {
      expect(
        relativeError(toNumbers(half[`g${i}`]!), Array.from(ref[`g${i}`] as Float64Array)),
        `g${i}`,
      ).toBeLessThan(5e-2);
    });
  });
});
