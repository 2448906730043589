import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSweepSpec, planSweep, withResolvedFiles } from '@isoflop/planner';

// Spawns the built CLI: `npm test` runs `tsc -b` first (build before running this file by hand).
const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'apps/cli/bin/isoflop.js');
const scratch = mkdtempSync(join(tmpdir(), 'isoflop-plan-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function isoflop(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const VALID = {
  name: 'cli',
  families: { arm: {}, 'mdm-prime-v2': {} },
  budgets: [1e12],
  sizes: { shapes: [{ dModel: 40, nLayers: 1, nHeads: 2 }] },
  seqLen: 64,
  batchSize: 8,
  data: {
    corpus: { kind: 'text', paths: ['corpus.txt'] },
    tokenizer: { kind: 'bpe', vocabSize: 1024 },
  },
  eval: { tokens: 4096, every: 50 },
};
writeFileSync(join(scratch, 'corpus.txt'), 'some text\n');

function specFile(name: string, spec: unknown): string {
  const path = join(scratch, `${name}.json`);
  writeFileSync(path, JSON.stringify(spec));
  return path;
}

describe('isoflop plan', () => {
  it('prints the paper grid as JSON lines with the contract keys, dropped sizes as JSON on stderr', () => {
    const { code, stdout, stderr } = isoflop('plan', 'experiments/paper-owt.yaml', '--json');
    expect(code).toBe(0);
    const records = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const key of [
      'id',
      'family',
      'budget_flops',
      'params',
      'tokens',
      'steps',
      'd_model',
      'n_layers',
      'n_heads',
      'seq_len',
      'batch_size',
    ]) {
      expect(records[0]).toHaveProperty(key);
    }
    expect(new Set(records.map((r) => r['budget_flops']))).toEqual(
      new Set([3e18, 6e18, 1e19, 3e19, 6e19, 1e20, 3e20]),
    );
    for (const r of records) {
      const n = 12 * (r['d_model'] as number) ** 2 * (r['n_layers'] as number);
      expect(r['params']).toBe(n);
      expect(r['param_convention']).toBe('paper');
      expect(
        Math.abs((r['tokens'] as number) / ((r['budget_flops'] as number) / (6 * n)) - 1),
      ).toBeLessThan(0.01);
    }
    // Same ids as planning in-process, with the corpus path resolved against the spec file's folder.
    const specPath = join(root, 'experiments/paper-owt.yaml');
    const spec = parseSweepSpec(readFileSync(specPath, 'utf8'));
    const resolved = withResolvedFiles(spec, (file) => resolve(dirname(specPath), file));
    expect(records.map((r) => r['id'])).toEqual(planSweep(resolved).runs.map((run) => run.id));
    const notes = stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(notes.filter((n) => n['kind'] === 'dropped').length).toBeGreaterThan(0);
    // The OWT corpus is not in the repository: planning still works and names the missing file's field.
    expect(notes).toContainEqual(
      expect.objectContaining({ kind: 'missing-file', path: 'data.corpus.paths[0]' }),
    );
  });

  it('prints a readable table for the quickstart', () => {
    const { code, stdout } = isoflop('plan', 'experiments/quickstart.yaml');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^id\s+C\s+N\s+d x L x H\s+D\s+D\/N\s+steps\s+B x S\s+achieved C\s+seed$/,
    );
    expect(
      lines.filter((line) => /^(arm|mdm|mdm-prime-v2|prime-k8)-[0-9a-f]{16} /.test(line)),
    ).toHaveLength(59);
    expect(lines.at(-1)).toMatch(/^sweep quickstart: 59 runs, /);
  });

  it('rejects a wrong type, an unknown family and a negative budget: exit 2, every field path, no output', () => {
    const spec = { ...VALID, batchSize: 'eight', families: { gpt: {} }, budgets: [1e12, -1] };
    const { code, stdout, stderr } = isoflop('plan', specFile('types', spec), '--json');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')).toEqual([
      'error: invalid sweep spec:',
      '  families.gpt: unknown family; expected one of arm, mdm, mdm-prime-v2',
      '  budgets[1]: expected number to be >0',
      '  batchSize: expected number, received string',
      '',
    ]);
  });

  it('rejects heads that do not divide dModel and a cat-share width not divisible by l', () => {
    const shapes = [
      { dModel: 40, nLayers: 1, nHeads: 3 },
      { dModel: 64, nLayers: 1, nHeads: 2 },
    ];
    const { code, stdout, stderr } = isoflop(
      'plan',
      specFile('shapes', { ...VALID, sizes: { shapes } }),
    );
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('  sizes.shapes[0].nHeads: expected a divisor of dModel 40\n');
    // V = 1024 gives l = ceil(log2 1024) = 10.
    expect(stderr).toContain(
      '  sizes.shapes[1].dModel: expected a multiple of the Prime length l = 10',
    );
  });

  it('rejects a missing corpus file under --check-data, naming its field', () => {
    const spec = {
      ...VALID,
      data: { ...VALID.data, corpus: { kind: 'text', paths: ['corpus.txt', 'absent.txt'] } },
    };
    const { code, stdout, stderr } = isoflop('plan', specFile('missing', spec), '--check-data');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      `  data.corpus.paths[1]: expected an existing file, not found: ${join(scratch, 'absent.txt')}`,
    );
  });

  it('rejects a missing spec file with exit code 2', () => {
    const missing = isoflop('plan', join(scratch, 'nope.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: SPEC: file not found: /);
  });

  it('is listed in --help (exit 0), and a usage error exits 2 like any bad input', () => {
    const help = isoflop('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^\s+plan \[options\] <spec>\s+expand a sweep spec/m);
    const usage = isoflop('plan');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^error: missing required argument 'spec'/);
  });
});
