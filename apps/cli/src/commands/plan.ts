import type { Command } from 'commander';
import { planSweep, toPlanRecord, type Plan } from '@isoflop/planner';
import { runAction } from '../cli-action.js';
import { formatCount, formatTable } from '../format.js';
import { loadSweepSpec } from '../load-spec.js';
import { planFromResults, type ResultColumns } from './plan-results.js';

function printJson(plan: Plan): void {
  process.stdout.write(plan.runs.map((run) => `${JSON.stringify(toPlanRecord(run))}\n`).join(''));
  for (const drop of plan.dropped) {
    process.stderr.write(
      `${JSON.stringify({ kind: 'dropped', family: drop.family, variant: drop.variant, budget_flops: drop.budgetFlops, params: drop.params, reason: drop.reason })}\n`,
    );
  }
  for (const warning of plan.warnings) {
    process.stderr.write(
      `${JSON.stringify({ kind: 'warning', id: warning.runId, message: warning.message })}\n`,
    );
  }
}

function printTable(plan: Plan): void {
  const rows = plan.runs.map((run) => {
    const error = run.achievedFlops / run.budgetFlops - 1;
    return [
      run.id,
      formatCount(run.budgetFlops),
      formatCount(run.params),
      `${run.shape.dModel}x${run.shape.nLayers}x${run.shape.nHeads}`,
      formatCount(run.tokens),
      (run.tokens / run.params).toFixed(1),
      String(run.steps),
      `${run.batchSize}x${run.shape.seqLen}`,
      `${formatCount(run.achievedFlops)} (${error >= 0 ? '+' : ''}${(error * 100).toFixed(2)}%)`,
      String(run.seed),
    ];
  });
  const header = ['id', 'C', 'N', 'd x L x H', 'D', 'D/N', 'steps', 'B x S', 'achieved C', 'seed'];
  const lines = [formatTable(header, rows), ''];
  const first = plan.runs[0];
  const totalFlops = plan.runs.reduce((sum, run) => sum + run.achievedFlops, 0);
  const totalTokens = plan.runs.reduce((sum, run) => sum + run.tokens, 0);
  lines.push(
    `sweep ${plan.sweepName}: ${plan.runs.length} runs, ${formatCount(totalFlops)} FLOPs and ${formatCount(totalTokens)} tokens in all` +
      (first
        ? `; N counted as ${first.paramConvention === 'paper' ? '12·d²·n_layers (paper)' : 'exact non-embedding'}, V = ${first.shape.vocabSize}`
        : ''),
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  for (const drop of plan.dropped) {
    process.stderr.write(
      `dropped ${drop.family} C=${formatCount(drop.budgetFlops)} N=${formatCount(drop.params)}: ${drop.reason}\n`,
    );
  }
  for (const warning of plan.warnings)
    process.stderr.write(`warning ${warning.runId}: ${warning.message}\n`);
}

interface PlanOptions {
  json?: boolean;
  checkData?: boolean;
  results?: string;
}

export function register(program: Command): void {
  program
    .command('plan')
    .description(
      'expand a sweep spec into its runs (IsoFLOP grid, D = C/(6N)) without training anything',
    )
    .argument(
      '<spec>',
      'sweep spec file (YAML, or JSON by .json extension); corpus paths are relative to it',
    )
    .option('--json', 'one JSON object per run on stdout (JSON lines)')
    .option(
      '--results <file>',
      'a CSV of finished runs (trained anywhere): print the runs the adaptive step would add next',
    )
    .option('--n <col>', 'with --results: column of N (default N)')
    .option('--loss <col>', 'with --results: column of the loss (default loss)')
    .option('--family <col>', 'with --results: column of the variant (default family)')
    .option('--d <col>', 'with --results: column of tokens D (default tokens, if present)')
    .option('--flops <col>', 'with --results: column of compute C, D = C/(6N) (default flops)')
    .option(
      '--budget <col>',
      'with --results: column of the IsoFLOP budget (default budget, if present)',
    )
    .option(
      '--check-data',
      'fail (exit 2) when a corpus file the spec names is missing, as run and submit do; without it, plan warns',
    )
    .addHelpText(
      'after',
      `
Output:
  stdout  one run per line (--json: snake_case keys id, family, budget_flops, achieved_flops, flops_error,
          params, exact_params, param_convention, tokens, tokens_per_param, steps, d_model, n_layers,
          n_heads, ffn_hidden, seq_len, batch_size, vocab_size, prime_length, lr, min_lr, warmup_steps,
          seed, device, precision), or a table
  stderr  sizes dropped with the reason, runs whose achieved C is more than 1% off the target, and
          missing corpus files (--json: JSON lines {"kind":"dropped",family,budget_flops,params,reason},
          {"kind":"warning",id,message} and {"kind":"missing-file",path,message})
With --results FILE.csv (columns as isoflop fit takes them: family = the variant, N, loss, and tokens or
flops, optionally budget): the runs the spec's adaptive step would add next, each line as above plus
"reason": {rule, code, variant, budget_flops, message}; stderr: {"kind":"limit",...} for each limit that
stopped a rule and {"kind":"step","added","settled"}.
Exit codes: 0 planned, 2 invalid spec (each problem as <field.path>: <what was expected>), 1 failure.`,
    )
    .action(
      runAction((specPath: string, options: ResultColumns & PlanOptions) => {
        const { spec, missingFiles } = loadSweepSpec(specPath, {
          requireFiles: options.checkData ?? false,
        });
        if (options.results !== undefined) {
          planFromResults(spec, options.results, options, options.json ?? false);
          return;
        }
        const plan = planSweep(spec);
        if (options.json) printJson(plan);
        else printTable(plan);
        // Planning reads no data, so a sweep can be planned before its corpus is downloaded.
        for (const missing of missingFiles) {
          process.stderr.write(
            options.json
              ? `${JSON.stringify({ kind: 'missing-file', path: missing.path, message: missing.message })}\n`
              : `warning ${missing.path}: ${missing.message}\n`,
          );
        }
      }),
    );
}
