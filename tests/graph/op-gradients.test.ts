import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import {
  checkGradients,
  GraphBuilder,
  relativeError,
  type FloatDType,
  type OpTarget,
  type Tensor,
} from '@isoflop/graph';
import { loadGraph, type Feed } from './ort-harness.js';
import { Rng } from './random.js';

/** A differentiable input of the op under test: values drawn in [lo, hi]. */
interface Arg {
  readonly shape: readonly number[];
  readonly lo?: number;
  readonly hi?: number;
}

interface OpCase {
  readonly name: string;
  readonly args: readonly Arg[];
  readonly build: (b: GraphBuilder, xs: Tensor[], rng: Rng) => Tensor;
  /** Finite-difference step (larger for ops that round through float32). */
  readonly step?: number;
}

const rng = new Rng(20261127);
const B = rng.dim(2, 3);
const T = rng.dim(2, 4);
const D = rng.dim(3, 5);
const V = rng.dim(5, 7);
const pos = { lo: 0.5, hi: 2 };

const unary = (
  name: string,
  op: (b: GraphBuilder, x: Tensor) => Tensor,
  range: Partial<Arg> = {},
): OpCase => ({
  name,
  args: [{ shape: [B, T, D], ...range }],
  build: (b, [x]) => op(b, x!),
});

const cases: OpCase[] = [
  {
    name: 'add (broadcast [D])',
    args: [{ shape: [B, T, D] }, { shape: [D] }],
    build: (b, [x, y]) => b.add(x!, y!),
  },
  {
    name: 'add (broadcast [T,1])',
    args: [{ shape: [T, 1] }, { shape: [B, T, D] }],
    build: (b, [x, y]) => b.add(x!, y!),
  },
  {
    name: 'sub',
    args: [{ shape: [T, 1] }, { shape: [B, T, D] }],
    build: (b, [x, y]) => b.sub(x!, y!),
  },
  {
    name: 'mul',
    args: [{ shape: [B, 1, D] }, { shape: [T, D] }],
    build: (b, [x, y]) => b.mul(x!, y!),
  },
  {
    name: 'div',
    args: [{ shape: [B, T] }, { shape: [T], ...pos }],
    build: (b, [x, y]) => b.div(x!, y!),
  },
  {
    name: 'maximum',
    args: [{ shape: [B, T] }, { shape: [B, T] }],
    build: (b, [x, y]) => b.maximum(x!, y!),
  },
  { name: 'minimum (scalar)', args: [{ shape: [B, T] }], build: (b, [x]) => b.minimum(x!, 0.1) },
  {
    name: 'addN',
    args: [{ shape: [B, T] }, { shape: [T] }, { shape: [B, 1] }],
    build: (b, xs) => b.addN(xs),
  },
  // Three gradient contributions to x meet in backward's fan-in sum.
  unary('fan-out of three', (b, x) => b.add(b.mul(x, x), b.mul(x, 0.5))),
  unary('logSoftmax', (b, x) => b.logSoftmax(x), { lo: -3, hi: 3 }),
  unary('neg', (b, x) => b.neg(x)),
  unary('exp', (b, x) => b.exp(x)),
  unary('log', (b, x) => b.log(x), pos),
  unary('sqrt', (b, x) => b.sqrt(x), pos),
  unary('reciprocal', (b, x) => b.reciprocal(x), pos),
  unary('sigmoid', (b, x) => b.sigmoid(x), { lo: -3, hi: 3 }),
  unary('tanh', (b, x) => b.tanh(x), { lo: -2, hi: 2 }),
  unary('square (fan-out)', (b, x) => b.square(x)),
  unary('pow 3', (b, x) => b.pow(x, 3), pos),
  unary('pow -0.5', (b, x) => b.pow(x, -0.5), pos),
  unary('pow 2', (b, x) => b.pow(x, 2)),
  {
    name: 'matmul batched × 2-D',
    args: [{ shape: [B, T, D] }, { shape: [D, V] }],
    build: (b, [x, w]) => b.matmul(x!, w!),
  },
  {
    name: 'matmul x·Wᵀ',
    args: [{ shape: [B, T, D] }, { shape: [V, D] }],
    build: (b, [x, w]) => b.matmul(x!, w!, { transposeB: true }),
  },
  {
    name: 'matmul aᵀ·b',
    args: [{ shape: [D, T] }, { shape: [D, V] }],
    build: (b, [x, w]) => b.matmul(x!, w!, { transposeA: true }),
  },
  {
    // Attention's Pᵀ·dO: built for WebGPU as (dOᵀ·P)ᵀ, which transposes the small operands.
    name: 'matmul Pᵀ·v, square P batched',
    args: [{ shape: [B, V, V] }, { shape: [B, V, 2] }],
    build: (b, [p, v]) => b.matmul(p!, v!, { transposeA: true }),
  },
  {
    name: 'matmul aᵀ·bᵀ batched',
    args: [{ shape: [B, D, T] }, { shape: [B, V, D] }],
    build: (b, [x, w]) => b.matmul(x!, w!, { transposeA: true, transposeB: true }),
  },
  {
    name: 'matmul batch broadcast',
    args: [{ shape: [B, 1, T, D] }, { shape: [2, D, T] }],
    build: (b, [x, w]) => b.matmul(x!, w!),
  },
  {
    name: 'matmul 2-D × batched',
    args: [{ shape: [T, D] }, { shape: [B, D, V] }],
    build: (b, [x, w]) => b.matmul(x!, w!),
  },
  unary('reduceSum axis 1', (b, x) => b.reduceSum(x, [1])),
  unary('reduceMean axes 0,2 keepdims', (b, x) => b.reduceMean(x, [0, 2], true)),
  unary('reduceMean all', (b, x) => b.reduceMean(x)),
  unary('reduceMax last axis', (b, x) => b.reduceMax(x, [-1])),
  unary('reduceSumSquare all', (b, x) => b.reduceSumSquare(x)),
  unary('softmax axis 1', (b, x) => b.softmax(x, 1), { lo: -2, hi: 2 }),
  unary('logSoftmax', (b, x) => b.logSoftmax(x, -1), { lo: -2, hi: 2 }),
  unary('logsumexp', (b, x) => b.logsumexp(x, -1), { lo: -2, hi: 2 }),
  unary('logsumexp keepdims axis 0', (b, x) => b.logsumexp(x, 0, true), { lo: -2, hi: 2 }),
  unary('reshape', (b, x) => b.reshape(x, [B * T, -1])),
  unary('transpose', (b, x) => b.transpose(x, [2, 0, 1])),
  {
    name: 'concat',
    args: [{ shape: [B, 1, D] }, { shape: [B, T, D] }, { shape: [B, 2, D] }],
    build: (b, xs) => b.concat(xs, 1),
  },
  unary('slice', (b, x) => b.slice(x, [1, -2], [T, D], [1, 2])),
  unary('reverse axis 1', (b, x) => b.reverse(x, 1)),
  unary('reverse halves ([2, D/2] view, as RoPE swaps them)', (b, x) =>
    b.reshape(b.reverse(b.reshape(x, [B, T, D, 1]), 2), [B, T, D]),
  ),
  unary('split (one part unused)', (b, x) => {
    const [p0, , p2] = b.split(x, [1, D - 2, 1], 2);
    return b.mul(p0!, p2!);
  }),
  unary('unsqueeze + squeeze', (b, x) => b.squeeze(b.unsqueeze(x, [0, 3]), [0])),
  { name: 'expand', args: [{ shape: [T, 1] }], build: (b, [x]) => b.expand(x!, [B, T, D]) },
  {
    name: 'where',
    args: [{ shape: [B, T] }, { shape: [T] }],
    build: (b, [x, y], r) => {
      const cond = b.constant(Uint8Array.from(r.ints(B * T, 2)), [B, T], 'bool');
      return b.where(cond, x!, y!);
    },
  },
  {
    ...unary('cast round trip', (b, x) =>
      b.cast(b.cast(x, b.dtype === 'float64' ? 'float32' : 'float64'), b.dtype),
    ),
    step: 1e-2,
  },
  {
    name: 'gather (repeated ids)',
    args: [{ shape: [V, D] }],
    build: (b, [table], r) => b.gather(table!, b.constant(r.ints(B * T, 3), [B, T])),
  },
  {
    name: 'rmsNorm',
    args: [{ shape: [B, T, D] }, { shape: [D], ...pos }],
    build: (b, [x, g]) => b.rmsNorm(x!, g!, 1e-5),
  },
  {
    name: 'swiglu',
    args: [{ shape: [B, T, D], lo: -3, hi: 3 }, { shape: [B, T, D] }],
    build: (b, [g, u]) => b.swiglu(g!, u!),
  },
  {
    name: 'crossEntropy (weighted)',
    args: [
      { shape: [B, T, V], lo: -3, hi: 3 },
      { shape: [B, T], lo: 0, hi: 2 },
    ],
    build: (b, [logits, w], r) => b.crossEntropy(logits!, b.constant(r.ints(B * T, V), [B, T]), w),
  },
  {
    name: 'crossEntropy (unweighted, 2-D)',
    args: [{ shape: [T, V], lo: -3, hi: 3 }],
    build: (b, [logits], r) => b.crossEntropy(logits!, b.constant(r.ints(T, V), [T])),
  },
  {
    name: 'restricted logsumexp (additive mask)',
    args: [{ shape: [B, T, V], lo: -3, hi: 3 }],
    build: (b, [logits], r) => {
      const mask = Float64Array.from(r.ints(T * V, 2), (k, i) =>
        k === 0 && i % V !== 0 ? -1e6 : 0,
      );
      return b.logsumexp(b.add(logits!, b.floatConstant(mask, [T, V])), -1);
    },
  },
  {
    name: 'softmax · digit table',
    args: [{ shape: [B, T, V], lo: -3, hi: 3 }],
    build: (b, [logits], r) =>
      b.matmul(b.softmax(logits!), b.floatConstant(r.ints(V * 3, 2), [V, 3])),
  },
];

interface Built {
  readonly bytes: Uint8Array;
  readonly values: Float64Array[];
}

/** The case's graph: loss = Σ op(x)·R for a random R, and the gradient of every x. */
function buildCase(c: OpCase, seed: number, dtype: FloatDType, target: OpTarget): Built {
  const r = new Rng(seed);
  const b = new GraphBuilder({ dtype, target });
  const xs = c.args.map((a, i) => b.param(`x${i}`, a.shape));
  const values = c.args.map((a) =>
    r.uniform(
      a.shape.reduce((p, d) => p * d, 1),
      a.lo ?? -1,
      a.hi ?? 1,
    ),
  );
  const y = c.build(b, xs, r);
  // A random projection makes every output entry matter with a distinct weight.
  const loss = b.reduceSum(b.mul(y, b.floatConstant(r.uniform(y.size), y.shape)));
  const grads = b.backward(loss, xs);
  b.output('loss', loss);
  grads.forEach((g, i) => b.output(`g${i}`, g));
  return { bytes: b.toOnnxBytes(), values };
}

function feedsOf(
  c: OpCase,
  values: Float64Array[],
  dtype: FloatDType,
): Record<string, { data: Feed; shape: readonly number[] }> {
  return Object.fromEntries(
    c.args.map((a, i) => [
      `p.x${i}`,
      { data: dtype === 'float64' ? values[i]! : Float32Array.from(values[i]!), shape: a.shape },
    ]),
  );
}

async function gradcheck(c: OpCase, seed: number, target: OpTarget) {
  const { bytes, values } = buildCase(c, seed, 'float64', target);
  const session = await loadGraph(bytes);
  const out = await session.run(feedsOf(c, values, 'float64'));
  const report = await checkGradients(
    c.args.map((_, i) => ({
      name: `x${i}`,
      values: values[i]!,
      analytic: out[`g${i}`] as Float64Array,
    })),
    async () => ((await session.run(feedsOf(c, values, 'float64'))).loss as Float64Array)[0]!,
    { probesPerTensor: 12, step: c.step ?? 1e-5, seed },
  );
  await session.release();
  return { report, analytic: c.args.map((_, i) => Array.from(out[`g${i}`] as Float64Array)) };
}

async function float32Gradients(c: OpCase, seed: number, target: OpTarget): Promise<number[][]> {
  const { bytes, values } = buildCase(c, seed, 'float32', target);
  const session = await loadGraph(bytes);
  const out = await session.run(feedsOf(c, values, 'float32'));
  await session.release();
  return c.args.map((_, i) => Array.from(out[`g${i}`] as Float32Array));
}

// The WebGPU lowerings (Add trees for Sum, logsumexp for LogSoftmax) are checked on ORT's CPU provider,
// which runs them just as well: only the op choice differs by target.
describe.each(['cpu', 'webgpu'] as const)(
  'per-op gradient rules built for %s: float64 vs central differences, float32 vs float64 (ORT CPU)',
  (target) => {
    it.each(cases.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
      const { report, analytic } = await gradcheck(c, 1000 + i, target);
      for (const t of report.tensors) expect(t.analyticNorm, t.name).toBeGreaterThan(1e-3);
      expect(report.worstRelativeError).toBeLessThan(1e-4);
      // The same rule emitted in float32 runs in ORT and agrees with the float64 gradient.
      const single = await float32Gradients(c, 1000 + i, target);
      single.forEach((g, k) => expect(relativeError(g, analytic[k]!), `x${k}`).toBeLessThan(1e-4));
    });
  },
);

/**
 * The ops that record a gradient rule on the tape: the exported functions of `packages/graph/src/ops/`
 * whose body calls `record` or a function private to their module that (transitively) does. Read from
 * the source, so an op added with a rule is found without anyone listing it. Each is the GraphBuilder
 * method of the same name.
 */
function opsWithGradientRules(): Set<string> {
  const dir = fileURLToPath(new URL('../../packages/graph/src/ops/', import.meta.url));
  const ops = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const source = ts.createSourceFile(
      file,
      readFileSync(join(dir, file), 'utf8'),
      ts.ScriptTarget.Latest,
    );
    const calls = new Map<string, Set<string>>();
    const exported = new Set<string>();
    for (const statement of source.statements) {
      if (!ts.isFunctionDeclaration(statement) || !statement.name || !statement.body) continue;
      const called = new Set<string>();
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node)) {
          const callee = node.expression;
          if (ts.isIdentifier(callee)) called.add(callee.text);
          else if (ts.isPropertyAccessExpression(callee)) called.add(callee.name.text);
        }
        ts.forEachChild(node, visit);
      };
      visit(statement.body);
      calls.set(statement.name.text, called);
      if (ts.getCombinedModifierFlags(statement) & ts.ModifierFlags.Export) {
        exported.add(statement.name.text);
      }
    }
    const recording = new Set(['record']);
    for (let grew = true; grew;) {
      grew = false;
      for (const [name, called] of calls) {
        if (
          !exported.has(name) &&
          !recording.has(name) &&
          [...called].some((c) => recording.has(c))
        ) {
          recording.add(name);
          grew = true;
        }
      }
    }
    for (const [name, called] of calls) {
      if (exported.has(name) && [...called].some((c) => recording.has(c))) ops.add(name);
    }
  }
  return ops;
}

/** The builder methods the cases call themselves (not the ones those methods call inside). */
function opsWithCases(): Set<string> {
  const called = new Set<string>();
  cases.forEach((c, i) => {
    const b = new GraphBuilder({ dtype: 'float64' });
    const watched = new Proxy(b, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== 'function' || typeof key !== 'string') return value;
        return (...args: unknown[]) => {
          called.add(key);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    c.build(
      watched,
      c.args.map((a, k) => b.param(`x${k}`, a.shape)),
      new Rng(i),
    );
  });
  return called;
}

describe('per-op gradient cases', () => {
  it('cover every op that records a gradient rule', () => {
    const ops = opsWithGradientRules();
    // The source reader still sees the ops of every group (a guard against it silently finding nothing).
    for (const op of ['add', 'reshape', 'reduceSum', 'matmul', 'crossEntropy', 'gather']) {
      expect(ops).toContain(op);
    }
    // Cases call the public methods: an op without a GraphBuilder method of its name would go unseen.
    const methods = Object.getOwnPropertyNames(GraphBuilder.prototype);
    expect([...ops].filter((op) => !methods.includes(op))).toEqual([]);
    const covered = opsWithCases();
    expect([...ops].filter((op) => !covered.has(op)).sort()).toEqual([]);
  });
});
