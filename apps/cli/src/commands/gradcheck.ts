import type { Command } from 'commander';
import { FAMILIES, type Family } from '@isoflop/planner';
import { gradcheckConfig, type GradcheckReport } from '@isoflop/models';
import { runGradcheck } from '@isoflop/trainer';
import { badInput, positiveInt, runAction } from '../cli-action.js';
import { formatTable } from '../format.js';

interface GradcheckOptions {
  family: string;
  embedding?: string;
  objective?: string;
  probes?: number;
  seed?: number;
  threads?: number;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('gradcheck')
    .description(
      "check a tiny model's analytic gradients against float64 central finite differences, per parameter tensor",
    )
    .option('--family <family>', FAMILIES.join('|'), 'arm')
    .option('--embedding <kind>', 'Prime input embedding: cat-share|sum', 'cat-share')
    .option('--objective <kind>', 'Prime training objective: published (J)|nelbo (K)', 'published')
    .option('--probes <n>', 'entries probed per tensor', positiveInt('--probes'))
    .option('--seed <n>', 'seed of the parameters, batch and probes', nonNegativeInt('--seed'))
    .option('--threads <n>', 'ONNX Runtime intra-op threads', positiveInt('--threads'))
    .option(
      '--json',
      'print {"family", "tensors": [{"name", "relative_error"}], "worst_relative_error"}',
    )
    .action(
      runAction(async (options: GradcheckOptions) => {
        const family = options.family as Family;
        if (!(FAMILIES as readonly string[]).includes(family)) {
          badInput(`--family: expected one of ${FAMILIES.join(', ')}, got '${options.family}'`);
        }
        const embedding = options.embedding;
        if (embedding !== 'cat-share' && embedding !== 'sum') {
          badInput(`--embedding: expected cat-share or sum, got '${String(embedding)}'`);
        }
        const objective = options.objective;
        if (objective !== 'published' && objective !== 'nelbo') {
          badInput(`--objective: expected published or nelbo, got '${String(objective)}'`);
        }
        const report = await runGradcheck(gradcheckConfig(family, { embedding, objective }), {
          ...(options.threads === undefined ? {} : { threads: options.threads }),
          ...(options.probes === undefined ? {} : { probesPerTensor: options.probes }),
          ...(options.seed === undefined ? {} : { seed: options.seed }),
        });
        printReport(report, options.json === true);
      }),
    );
}

function printReport(report: GradcheckReport, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const rows = report.tensors.map((tensor) => [
    tensor.name,
    tensor.relative_error.toExponential(2),
  ]);
  process.stdout.write(
    `${formatTable(['tensor', 'relative error'], rows)}\n` +
      `${report.family}${report.variant === undefined ? '' : ` (${report.variant})`}: worst relative error ${report.worst_relative_error.toExponential(2)}\n`,
  );
}

function nonNegativeInt(name: string): (value: string) => number {
  return (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0)
      badInput(`${name}: expected an integer >= 0, got '${value}'`);
    return parsed;
  };
}
