// The gpu-check entry as the GPU host runs it: bundled by scripts/gpu/bundle.ts into one CommonJS file and
// run by node with --device cpu. This proves the bundle and the check's logic on this machine; it says
// nothing about a GPU.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flopsPerStep } from '@isoflop/models';
import { bundleGpuCheck } from '../../scripts/gpu/bundle.js';
import { parseShapeList } from '../../apps/gpu-check/src/shape-spec.js';

interface Line {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  [key: string]: unknown;
}

const root = resolve(import.meta.dirname, '..', '..');
let dir: string;
let app: string;

function runApp(args: string[]): { status: number | null; stdout: string; stderr: string } {
  // The bundle keeps onnxruntime-node external; NODE_PATH finds it as the packed node_modules would.
  const result = spawnSync(process.execPath, [app, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
    timeout: 110_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function jsonLines(stdout: string): Line[] {
  return stdout
    .split('\n')
    .filter((text) => text.length > 0)
    .map((text) => JSON.parse(text) as Line);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gpu-check-'));
  app = join(dir, 'app.cjs');
  await bundleGpuCheck(app);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gpu-check bundle', () => {
  // A GPU host has node and the packed onnxruntime-node, nothing else: the app imports the trainer's
  // public entry, which reaches the data package's native tokenizers, and the bundle must leave them out
  // (scripts/gpu/bundle.ts).
  it("requires nothing at run time but Node's own modules and onnxruntime-node", () => {
    const requires = [...readFileSync(app, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map(
      (m) => m[1],
    );
    expect(
      [...new Set(requires)].filter(
        (name) => !name!.startsWith('node:') && name !== 'onnxruntime-node',
      ),
    ).toEqual([]);
    expect(requires).toContain('onnxruntime-node');
  });
});

describe('gpu-check bundle on the CPU (--device cpu --reference-device cpu --quick)', () => {
  let lines: Line[];
  let status: number | null;
  const shapes = parseShapeList('quick');

  beforeAll(() => {
    const run = runApp([
      ...['--device', 'cpu', '--reference-device', 'cpu', '--quick'],
      ...['--only', 'compare,peak,throughput,profile'],
    ]);
    status = run.status;
    lines = jsonLines(run.stdout);
    if (status !== 0) throw new Error(`gpu-check exited with ${status}: ${run.stderr}`);
  });

  /** The lines of one metric of a phase, for one shape and precision. */
  const linesOf = (phase: string, metric: string, shape: string, precision: string) =>
    lines.filter(
      (l) =>
        l.metric === metric &&
        l['phase'] === phase &&
        l['shape'] === shape &&
        l['precision'] === precision,
    );

  it('prints only bench-contract JSON lines', () => {
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) {
      expect(line.bench).toBe('gpu-check');
      expect(typeof line.metric).toBe('string');
      expect(Number.isFinite(line.value)).toBe(true);
      expect(typeof line.unit).toBe('string');
    }
  });

  it('trains every family identically on device and reference in fp32, and mixed within its tolerance', () => {
    for (const family of ['arm', 'mdm', 'mdm-prime-v2']) {
      const losses = (role: string, precision: string) =>
        lines
          .filter(
            (l) =>
              l.metric === 'loss' &&
              l['phase'] === 'compare' &&
              l['family'] === family &&
              l['role'] === role &&
              l['precision'] === precision,
          )
          .map((l) => l.value);
      const reference = losses('reference', 'fp32');
      expect(reference).toHaveLength(3);
      expect(losses('device', 'fp32')).toEqual(reference);
      const mixed = losses('device', 'mixed');
      expect(mixed).toHaveLength(3);
      // The stated tolerance of the mixed path's loss curve against fp32 (1e-2 relative, every step).
      for (const [i, loss] of mixed.entries()) {
        expect(Math.abs(loss - reference[i]!) / reference[i]!).toBeLessThan(1e-2);
      }
      const summary = (metric: string, precision: string) =>
        lines.find(
          (l) => l.metric === metric && l['family'] === family && l['precision'] === precision,
        );
      expect(summary('loss_max_rel_diff', 'fp32')).toMatchObject({
        value: 0,
        within_tolerance: true,
      });
      expect(summary('state_max_abs_diff', 'fp32')?.value).toBe(0);
      expect(summary('loss_max_rel_diff', 'mixed')).toMatchObject({
        tolerance: 1e-2,
        within_tolerance: true,
      });
      // Mixed really differs from fp32 (float16 rounding reaches the parameters), or the check is vacuous.
      expect(summary('state_max_abs_diff', 'mixed')?.value).toBeGreaterThan(0);
    }
  });

  it('measures fp32 and fp16 MatMul peaks and the throughput of each shape and precision', () => {
    for (const dtype of ['float32', 'float16']) {
      const peak = lines.find(
        (l) => l.metric === 'matmul_peak' && l['phase'] === 'peak' && l['dtype'] === dtype,
      );
      expect(peak?.value).toBeGreaterThan(0);
    }
    for (const bench of shapes) {
      for (const precision of ['fp32', 'mixed'] as const) {
        const of = (metric: string) => linesOf('throughput', metric, bench.spec, precision)[0];
        const step = of('step_time')!.value;
        const flops = flopsPerStep(
          { family: 'arm', shape: bench.shape, precision },
          bench.batchSize,
        );
        expect(of('tokens_per_second')!.value).toBeCloseTo(
          (bench.batchSize * bench.shape.seqLen) / step,
          6,
        );
        expect(of('model_flops_per_second')).toMatchObject({ flops_per_step: flops });
        expect(of('model_flops_per_second')!.value).toBeCloseTo(flops / step, 0);
        const peak = of('matmul_peak')!;
        expect(peak).toMatchObject({
          dtype: precision === 'fp32' ? 'float32' : 'float16',
          m: bench.batchSize * bench.shape.seqLen,
          k: bench.shape.dModel,
          n: bench.shape.ffnHidden,
        });
        expect(of('mfu')!.value).toBeCloseTo(flops / step / peak.value, 9);
      }
    }
  });

  it('profiles each shape and precision: kernel shares that add up, and a busy share', () => {
    for (const bench of shapes) {
      for (const precision of ['fp32', 'mixed']) {
        const of = (metric: string) => linesOf('profile', metric, bench.spec, precision);
        const shares = of('kernel_share');
        expect(shares.reduce((sum, l) => sum + l.value, 0)).toBeCloseTo(1, 9);
        expect(shares.map((l) => l['kernel'])).toContain('MatMul');
        for (const line of shares) expect(line['source']).toBe('CPU kernel timer');
        const busy = of('device_busy_share')[0]!.value;
        expect(busy).toBeGreaterThan(0);
        expect(busy).toBeLessThan(1.5);
        expect(of('top_kernel_share').length).toBeGreaterThan(0);
      }
    }
  });

  it('summarises a log: targets, speedups and ratios to PyTorch', () => {
    const log = join(dir, 'log.jsonl');
    const torchLine = (mode: string, value: number) =>
      JSON.stringify({
        bench: 'gpu-check',
        metric: 'tokens_per_second',
        value,
        unit: 'tokens/s',
        phase: 'torch',
        mode,
        shape: shapes[0]!.spec,
      });
    const exit = (experiment: string, value: number) =>
      JSON.stringify({
        bench: 'gpu-check',
        metric: 'exit_status',
        value,
        unit: 'code',
        experiment,
      });
    // An A/B variant of the fp32 step (other ORT options, twice as fast) must not pair with the
    // default run's mixed step.
    const fp32Tokens = lines.find(
      (l) => l.metric === 'tokens_per_second' && l['precision'] === 'fp32',
    )!;
    const variantLine = { ...fp32Tokens, value: 2 * fp32Tokens.value, ort_options: '{"a":1}' };
    writeFileSync(
      log,
      [
        ...lines.map((l) => JSON.stringify(l)),
        JSON.stringify(variantLine),
        torchLine('fp32', 1000),
        'a line that is not JSON',
        exit('peak webgpu', 0),
        exit('throughput webgpu x', 134),
      ].join('\n'),
    );
    const summary = runApp(['--summary', log]);
    expect(summary.status).toBe(0);
    const summaryLines = jsonLines(summary.stdout);
    const ours = (precision: string) =>
      lines.find(
        (l) =>
          l.metric === 'tokens_per_second' &&
          l['shape'] === shapes[0]!.spec &&
          l['precision'] === precision,
      )!.value;
    const tagged = summaryLines.filter((l) => l['ort_options'] !== undefined);
    expect(tagged.map((l) => l.metric)).toEqual(['tokens_per_second_ratio']);
    expect(tagged[0]!.value).toBeCloseTo(variantLine.value / 1000, 9);
    const ratios = summaryLines.filter(
      (l) => l.metric === 'tokens_per_second_ratio' && l['ort_options'] === undefined,
    );
    expect(ratios.map((l) => l['precision']).sort()).toEqual(['fp32', 'mixed']);
    for (const ratio of ratios) {
      expect(ratio.value).toBeCloseTo(ours(String(ratio['precision'])) / 1000, 9);
      expect(ratio['torch_mode']).toBe('fp32');
    }
    const speedups = summaryLines.filter((l) => l.metric === 'mixed_speedup');
    expect(speedups).toHaveLength(shapes.length);
    expect(speedups[0]!.value).toBeCloseTo(ours('mixed') / ours('fp32'), 9);
    expect(speedups[0]).toMatchObject({ target: 2, met: speedups[0]!.value >= 2 });
    const squarePeak = lines.find(
      (l) => l.metric === 'matmul_peak' && l['phase'] === 'peak' && l['dtype'] === 'float16',
    )!.value;
    const mixedFlops = lines.find(
      (l) =>
        l.metric === 'model_flops_per_second' &&
        l['shape'] === shapes[0]!.spec &&
        l['precision'] === 'mixed',
    )!.value;
    const square = summaryLines.find(
      (l) =>
        l.metric === 'mfu_square_peak' &&
        l['shape'] === shapes[0]!.spec &&
        l['precision'] === 'mixed',
    );
    expect(square?.value).toBeCloseTo(mixedFlops / squarePeak, 9);
    const mfu = summaryLines.filter((l) => l.metric === 'fp32_mfu');
    expect(mfu).toHaveLength(shapes.length);
    expect(mfu[0]).toMatchObject({ target: 0.85 });
    expect(summaryLines.find((l) => l.metric === 'comparisons_out_of_tolerance')).toMatchObject({
      value: 0,
      comparisons: 6,
    });
    expect(summaryLines.find((l) => l.metric === 'failed_experiments')).toMatchObject({
      value: 1,
      experiments: 'throughput webgpu x',
    });
  });
});

describe('gpu-check PyTorch reference', () => {
  const torchImports = spawnSync('python3', ['-c', 'import torch']).status === 0;

  it.skipIf(torchImports)('is skipped, saying why, where python3 cannot import torch', () => {
    const run = runApp(['--only', 'torch']);
    expect(run.status).toBe(0);
    expect(jsonLines(run.stdout).filter((l) => l['phase'] === 'torch')).toEqual([
      expect.objectContaining({
        metric: 'skipped',
        reason: expect.stringMatching(/^python3 (cannot import torch|not runnable)/),
      }),
    ]);
  });

  it.runIf(torchImports)('times the same model in PyTorch where torch imports', () => {
    const run = runApp([
      ...['--only', 'torch', '--shapes', 'd64-L1-T8-B1-V64'],
      ...['--warmup', '1', '--timed-steps', '1'],
    ]);
    expect(run.status).toBe(0);
    const fp32 = jsonLines(run.stdout).filter(
      (l) => l['impl'] === 'pytorch' && l['mode'] === 'fp32',
    );
    expect(fp32.find((l) => l.metric === 'tokens_per_second')?.value).toBeGreaterThan(0);
    expect(fp32.find((l) => l.metric === 'model_flops_per_second')?.value).toBeGreaterThan(0);
  });
});

describe('gpu-check options', () => {
  it.each([
    [['--device', 'tpu'], '--device: expected one of cpu, webgpu, cuda, got "tpu"'],
    [['--shapes', 'd64-L2'], 'shapes[0]: "d64-L2" lacks T<N>, B<N>, V<N>'],
    [
      ['--compare-shape', 'd96-L1-T8-B1-V64-H5'],
      'compare-shape: d_model 96 must split into 5 heads of even width ("d96-L1-T8-B1-V64-H5")',
    ],
    [['--steps', '0'], '--steps: expected a positive integer, got "0"'],
  ])('%j is rejected, naming the option', (args, message) => {
    const run = runApp(args);
    expect(run.status).toBe(2);
    expect(jsonLines(run.stdout)).toEqual([
      expect.objectContaining({ metric: 'error', code: 'INVALID_OPTIONS', message }),
    ]);
  });

  it('expands shape presets for scripts, with heads and SwiGLU width by the planner rules', () => {
    const run = runApp(['--list-shapes', 'prototype']);
    expect(run.status).toBe(0);
    const specs = parseShapeList('prototype');
    expect(run.stdout.trim().split('\n')).toEqual(specs.map((s) => s.spec));
    expect(specs.map((s) => s.spec)).toEqual([
      'd512-L8-T512-B16-V4096',
      'd1024-L12-T1024-B8-V8192',
    ]);
    expect(specs[1]).toMatchObject({
      batchSize: 8,
      shape: {
        dModel: 1024,
        nLayers: 12,
        nHeads: 16,
        ffnHidden: 4096,
        vocabSize: 8192,
        seqLen: 1024,
      },
    });
  });
});

describe('gpu-check with K steps per run (the Loop graph the CUDA phases use)', () => {
  it('trains blocks of K steps on the device exactly as single steps on the reference', () => {
    const run = runApp([
      ...['--device', 'cpu', '--reference-device', 'cpu', '--quick', '--only', 'compare'],
      ...['--families', 'mdm', '--precisions', 'fp32', '--steps-per-run', '3', '--steps', '5'],
    ]);
    expect(run.status, run.stderr).toBe(0);
    const lines = jsonLines(run.stdout);
    const losses = (role: string) =>
      lines.filter((l) => l.metric === 'loss' && l['role'] === role).map((l) => l.value);
    expect(losses('device')).toHaveLength(5);
    expect(losses('device')).toEqual(losses('reference'));
    expect(lines.find((l) => l.metric === 'state_max_abs_diff')).toMatchObject({
      value: 0,
      steps_per_run: 3,
    });
  });

  it('holds CUDA throughput against PyTorch per precision: fp32 ≥ 1.0, tf32 ≥ 0.8, mixed ≥ 0.6 of bf16', () => {
    const log = join(dir, 'cuda-log.jsonl');
    const line = (fields: Record<string, unknown>) =>
      JSON.stringify({
        bench: 'gpu-check',
        metric: 'tokens_per_second',
        unit: 'tokens/s',
        ...fields,
      });
    const shape = 'd1024-L12-T1024-B8-V8192';
    const ours = { phase: 'throughput', device: 'cuda', shape, steps_per_run: 32 };
    writeFileSync(
      log,
      [
        line({ ...ours, precision: 'fp32', value: 500 }),
        line({ ...ours, precision: 'tf32', value: 900 }),
        line({ ...ours, precision: 'mixed', value: 700 }),
        line({ phase: 'torch', mode: 'fp32', shape, value: 1000 }),
        line({ phase: 'torch', mode: 'tf32', shape, value: 1000 }),
        line({ phase: 'torch', mode: 'bf16', shape, value: 1000 }),
      ].join('\n'),
    );
    const summary = runApp(['--summary', log]);
    expect(summary.status).toBe(0);
    const targets = jsonLines(summary.stdout).filter((l) => l.metric === 'cuda_target');
    expect(
      targets.map((l) => [l['precision'], l['torch_mode'], l.value, l['target'], l['met']]),
    ).toEqual([
      ['fp32', 'fp32', 0.5, 1, false],
      ['tf32', 'tf32', 0.9, 0.8, true],
      ['mixed', 'bf16', 0.7, 0.6, true],
    ]);
  });
});
