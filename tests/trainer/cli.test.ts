import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticShards, tinySweepSpec } from './support/tiny-run.js';

// Spawns the built CLI: `npm test` runs `tsc -b` first (build before running this file by hand).
const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'apps/cli/bin/isoflop.js');
let scratch: string;
let specPath: string;

function isoflop(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: scratch, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'isoflop-cli-train-'));
  const data = await syntheticShards(join(scratch, 'corpus'));
  specPath = join(scratch, 'tiny.json');
  await writeFile(
    specPath,
    JSON.stringify(tinySweepSpec('cli-train', ['arm', 'mdm', 'mdm-prime-v2'], data)),
  );
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('isoflop train', () => {
  // Prime through the CLI (each spawn loads every command); trainRun's tests cover all three families.
  it('trains a planned run of a spec and prints its result', () => {
    const plan = isoflop('plan', specPath, '--json');
    expect(plan.code, plan.stderr).toBe(0);
    const runs = plan.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; family: string; steps: number });
    expect(runs.map((run) => run.family).sort()).toEqual(['arm', 'mdm', 'mdm-prime-v2']);
    const prime = runs.find((run) => run.family === 'mdm-prime-v2');
    if (prime === undefined) throw new Error('the plan has no mdm-prime-v2 run');
    const trained = isoflop('train', specPath, '--run', prime.id, '--threads', '1', '--json');
    expect(trained.code, trained.stderr).toBe(0);
    const result = JSON.parse(trained.stdout) as Record<string, number | string>;
    expect(result['runId']).toBe(prime.id);
    expect(result['steps']).toBe(prime.steps);
    expect(Number.isFinite(result['valLoss'])).toBe(true);
    expect(Number.isFinite(result['primeObjective'])).toBe(true);
  });
});

describe('isoflop gradcheck', () => {
  it('prints the contract JSON with float64 errors far below float32 noise', () => {
    const out = isoflop('gradcheck', '--family', 'mdm-prime-v2', '--json', '--probes', '2');
    expect(out.code, out.stderr).toBe(0);
    const report = JSON.parse(out.stdout) as {
      family: string;
      tensors: { name: string; relative_error: number }[];
      worst_relative_error: number;
    };
    expect(report.family).toBe('mdm-prime-v2');
    expect(report.tensors.length).toBeGreaterThan(5);
    expect(report.worst_relative_error).toBe(
      Math.max(...report.tensors.map((t) => t.relative_error)),
    );
    expect(report.worst_relative_error).toBeLessThan(1e-6);
  });
});
