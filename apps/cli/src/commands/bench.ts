import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { badInput, runAction } from '../cli-action.js';

// The benchmarks are scripts of the source checkout (packages/*/bench, apps/*/bench), not of the build.
const CHECKOUT_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const BENCH_RUNNER = `${CHECKOUT_ROOT}scripts/bench.mjs`;

export function register(program: Command): void {
  program
    .command('bench')
    .description(
      'run the benchmarks (JSON lines: {"bench","metric","value","unit",...}); names pick a subset',
    )
    .argument('[names...]', 'benchmark file names or package names, e.g. train-step fit')
    .action(
      runAction((names: string[]) => {
        if (!existsSync(BENCH_RUNNER)) badInput(`no benchmark runner at ${BENCH_RUNNER}`);
        const result = spawnSync(process.execPath, [BENCH_RUNNER, ...names], {
          cwd: CHECKOUT_ROOT,
          stdio: 'inherit',
        });
        process.exitCode = result.status ?? 1;
      }),
    );
}
