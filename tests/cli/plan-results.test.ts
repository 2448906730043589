import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decideAdaptiveStep, parseSweepSpec, toPlanRecord } from '@isoflop/planner';

// Spawns the built CLI: `npm test` runs `tsc -b` first (build before running this file by hand).
const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'apps/cli/bin/isoflop.js');
const scratch = mkdtempSync(join(tmpdir(), 'isoflop-plan-results-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function isoflop(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: scratch, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const SPEC = `
name: ask-tell
families:
  arm: {}
  prime-k8: { family: mdm-prime-v2, base: 8, objective: nelbo }
budgets: [1.0e+11, 3.0e+11]
sizes:
  shapes:
    - { dModel: 36, nLayers: 1, nHeads: 2 }
    - { dModel: 54, nLayers: 1, nHeads: 3 }
    - { dModel: 54, nLayers: 2, nHeads: 3 }
seqLen: 64
batchSize: 8
data: { corpus: { kind: sotu }, tokenizer: { kind: bpe, vocabSize: 512 } }
eval: { tokens: 4096, every: 50 }
`;
writeFileSync(join(scratch, 'adaptive.yaml'), `${SPEC}adaptive: {}\n`);
writeFileSync(join(scratch, 'plain.yaml'), SPEC);

// The quickstart's measured ARM losses at 1e11 (minimum at the smallest size) and 3e11 (inside), and a
// Prime variant whose minimum is at the smallest size: 2 runs to add, one below each edge.
const CSV = `family,N,loss,tokens
arm,15552,3.15,1071616
arm,34992,3.38,476160
arm,69984,3.74,238080
arm,15552,2.82,3214848
arm,34992,2.77,1428480
arm,69984,2.88,714240
prime-k8,15552,4.86,1071616
prime-k8,34992,4.95,476160
prime-k8,69984,5.10,238080
`;
writeFileSync(join(scratch, 'results.csv'), CSV);

describe('isoflop plan SPEC --results FILE.csv', () => {
  it('prints the runs the adaptive step adds next: plan --json lines plus a reason', () => {
    const { code, stdout, stderr } = isoflop(
      'plan',
      'adaptive.yaml',
      '--results',
      'results.csv',
      '--json',
    );
    expect(code).toBe(0);
    const records = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((r) => [r['variant'], r['family'], r['budget_flops']])).toEqual([
      ['arm', 'arm', 1e11],
      ['prime-k8', 'mdm-prime-v2', 1e11],
    ]);
    for (const record of records) {
      expect(record['params']).toBeLessThan(15552);
      expect(record['reason']).toMatchObject({
        rule: 'bracket',
        code: 'min-at-smallest-size',
        budget_flops: 1e11,
      });
      expect(record['d_model']).toBe(18);
    }
    // The same step the library computes, line for line (ids included).
    const spec = parseSweepSpec(`${SPEC}adaptive: {}\n`);
    const rows = CSV.trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(','));
    const step = decideAdaptiveStep({
      spec,
      planned: [],
      results: rows.map(([family, n, loss, tokens], i) => ({
        runId: String(i),
        variant: family!,
        budgetFlops: 6 * Number(n) * Number(tokens) < 2e11 ? 1e11 : 3e11,
        params: Number(n),
        tokens: Number(tokens),
        loss: Number(loss),
        seed: 0,
      })),
    });
    expect(records.map(({ reason: _reason, ...rest }) => rest)).toEqual(
      step.add.map(({ run }) => toPlanRecord(run)),
    );
    expect(stderr).toContain('{"kind":"step","added":2,"settled":false}');
  });

  it('adds nothing once every minimum is bracketed, and says it is settled', () => {
    writeFileSync(
      join(scratch, 'bracketed.csv'),
      'family,N,loss,tokens\narm,15552,2.82,3214848\narm,34992,2.77,1428480\narm,69984,2.88,714240\n',
    );
    const { code, stdout, stderr } = isoflop(
      'plan',
      'adaptive.yaml',
      '--results',
      'bracketed.csv',
      '--json',
    );
    expect(code).toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toContain('{"kind":"step","added":0,"settled":true}');
  });

  it('rejects a family that is not a variant of the spec, and a spec without adaptive: exit 2', () => {
    writeFileSync(join(scratch, 'unknown.csv'), 'family,N,loss,tokens\nmdm,15552,4.3,1071616\n');
    const unknown = isoflop('plan', 'adaptive.yaml', '--results', 'unknown.csv', '--json');
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain(
      "unknown.csv:2: family 'mdm' is not a variant of the spec (arm, prime-k8)",
    );
    const plain = isoflop('plan', 'plain.yaml', '--results', 'results.csv', '--json');
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('--results needs an adaptive block');
    const missing = isoflop('plan', 'adaptive.yaml', '--results', 'results.csv', '--n', 'params');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--n: no column 'params'");
  });
});
