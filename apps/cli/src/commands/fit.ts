import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  AKIMA_DEFAULTS,
  DEFAULT_ESTIMATOR,
  ESTIMATORS,
  FIT_ERRORS,
  fitRuns,
  type Approach2Estimator,
  type FitDocument,
  type FitOptions,
  type Interval,
  type RunRow,
} from '@isoflop/fit';
import { badInput, inputCodesOf, positiveInt, runAction } from '../cli-action.js';
import { formatCount, formatTable } from '../format.js';

export interface FitCommandOptions {
  n: string;
  loss: string;
  d?: string;
  flops?: string;
  family?: string;
  budget?: string;
  bootstrap?: number;
  dropHighest?: number;
  nearestK?: number;
  estimator?: Approach2Estimator;
  seedNoise?: number;
  seedNoiseDraws?: number;
  stdFloor?: number;
  seed?: number;
  baseline?: string;
  budgetTolerance?: number;
  contours?: boolean;
  json?: boolean;
}

/** RFC 4180 records: quoted fields may hold commas, newlines and doubled quotes. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field.length === 0) quoted = true;
    else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      field = '';
      if (record.some((cell) => cell.length > 0)) records.push(record);
      record = [];
    } else field += char;
  }
  record.push(field);
  if (record.some((cell) => cell.length > 0)) records.push(record);
  return records;
}

/** Rows for {@link fitRuns} from a CSV table; a named column that is absent is bad input. */
export function rowsFromCsv(text: string, file: string, options: FitCommandOptions): RunRow[] {
  const [header, ...records] = parseCsv(text.replace(/^\uFEFF/, ''));
  if (!header) badInput(`${file}: empty file, expected a header row`);
  if (options.d === undefined && options.flops === undefined) {
    badInput('one of --d COL (tokens) or --flops COL (compute) is required');
  }
  const columnIndex = (flag: string, name: string | undefined): number | undefined => {
    if (name === undefined) return undefined;
    const index = header.indexOf(name);
    if (index < 0) {
      badInput(
        `${flag}: no column '${name}' in ${file} (columns: ${header.map((h) => `'${h}'`).join(', ')})`,
      );
    }
    return index;
  };
  const n = columnIndex('--n', options.n)!;
  const loss = columnIndex('--loss', options.loss)!;
  const d = columnIndex('--d', options.d);
  const flops = columnIndex('--flops', options.flops);
  const family = columnIndex('--family', options.family);
  const budget = columnIndex('--budget', options.budget);
  // Empty or non-numeric cells become NaN, which the fit rejects by row and field.
  const number = (record: string[], index: number) => {
    const cell = record[index]?.trim() ?? '';
    return cell === '' ? Number.NaN : Number(cell);
  };
  return records.map((record) => {
    const params = number(record, n);
    const tokens = d !== undefined ? number(record, d) : number(record, flops!) / (6 * params);
    const row: RunRow = {
      family: family !== undefined ? (record[family] ?? '').trim() : 'all',
      n: params,
      d: tokens,
      c: flops !== undefined ? number(record, flops) : 6 * params * tokens,
      loss: number(record, loss),
    };
    if (budget !== undefined) row.budget = number(record, budget);
    return row;
  });
}

function figure(value: number, interval: Interval | undefined, digits = 3): string {
  const main = Number(value.toPrecision(digits)).toString();
  if (!interval) return main;
  return `${main} [${Number(interval[0].toPrecision(digits))}, ${Number(interval[1].toPrecision(digits))}]`;
}

function printSummary(document: FitDocument): void {
  const lines: string[] = [];
  for (const [name, family] of Object.entries(document.families)) {
    lines.push(
      `family ${name}: ${family.runs} runs${family.dropped_highest > 0 ? ` (${family.dropped_highest} highest-loss left out)` : ''}`,
    );
    const a2 = family.approach2;
    if (a2) {
      lines.push(
        `  Approach 2 (${a2.estimator}): N_opt ∝ C^${figure(a2.a, a2.a_ci)}, D_opt ∝ C^${figure(a2.b, a2.b_ci)}`,
      );
      const rows = a2.budgets.map((b) => [
        formatCount(b.budget),
        figure(b.n_opt, b.n_opt_ci),
        figure(b.d_opt, b.d_opt_ci),
        figure(b.loss_opt, b.loss_opt_ci, 4),
        String(b.sizes),
      ]);
      lines.push(
        formatTable(['C', 'N_opt', 'D_opt', 'L_opt', 'sizes'], rows).replace(/^/gm, '    '),
      );
      for (const excluded of a2.excluded_budgets)
        lines.push(`    left out C=${formatCount(excluded.budget)}: ${excluded.message}`);
    }
    const a3 = family.approach3;
    if (a3) {
      lines.push(
        `  Approach 3: L = ${figure(a3.E, a3.E_ci, 4)} + ${figure(a3.A, a3.A_ci)}/N^${figure(a3.alpha, a3.alpha_ci)} + ${figure(a3.B, a3.B_ci)}/D^${figure(a3.beta, a3.beta_ci)}`,
        `              N_opt ∝ C^${figure(a3.a, a3.a_ci)}, D_opt ∝ C^${figure(a3.b, a3.b_ci)}`,
      );
    }
  }
  for (const entry of document.efficiency) {
    lines.push(
      `${entry.family} vs ${entry.baseline} (${entry.method}) at loss ${entry.at_loss.toFixed(3)}: ${entry.baseline} needs ${figure(entry.compute_ratio, entry.compute_ratio_ci)}× the compute`,
    );
  }
  for (const missing of document.unfitted)
    lines.push(`not fitted: ${missing.family} ${missing.approach}: ${missing.reason}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

function nonNegativeNumber(name: string): (value: string) => number {
  return (value: string) => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 0)
      badInput(`${name}: expected a number ≥ 0, got '${value}'`);
    return parsed;
  };
}

function estimatorName(value: string): Approach2Estimator {
  if (!(ESTIMATORS as readonly string[]).includes(value))
    badInput(`--estimator: expected one of ${ESTIMATORS.join(', ')}, got '${value}'`);
  return value as Approach2Estimator;
}

function nonNegativeInt(
  name: string,
  maximum = Number.MAX_SAFE_INTEGER,
): (value: string) => number {
  return (value: string) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0 || parsed > maximum)
      badInput(
        `${name}: expected an integer ≥ 0${maximum < Number.MAX_SAFE_INTEGER ? ` and ≤ ${maximum}` : ''}, got '${value}'`,
      );
    return parsed;
  };
}

/** Each resample refits every family (Approach 3 by L-BFGS): 10,000 already take minutes. */
const MAX_BOOTSTRAP = 10_000;

export function register(program: Command): void {
  program
    .command('fit')
    .description(
      'fit scaling laws (Approach 2 and 3, bootstrap intervals, compute ratios) to any CSV table of runs',
    )
    .argument('<file>', 'CSV with a header row')
    .requiredOption('--n <col>', 'column of parameter counts N')
    .requiredOption('--loss <col>', 'column of losses (nats per token, a valid bound)')
    .option('--d <col>', 'column of training tokens D')
    .option('--flops <col>', 'column of training compute C (with no --d, D = C/(6N))')
    .option('--family <col>', "column naming each run's model family (default: one family, 'all')")
    .option(
      '--budget <col>',
      'column of declared IsoFLOP budgets (default: group rows by C within --budget-tolerance)',
    )
    .option(
      '--bootstrap <k>',
      'bootstrap resamples for 95% intervals',
      nonNegativeInt('--bootstrap', MAX_BOOTSTRAP),
    )
    .option(
      '--drop-highest <k>',
      "leave out each family's k highest-loss runs",
      nonNegativeInt('--drop-highest'),
    )
    .option(
      '--estimator <name>',
      `how Approach 2 finds each budget's optimum: ${ESTIMATORS.join(' | ')} (default ${DEFAULT_ESTIMATOR}; see the README's fitting section)`,
      estimatorName,
    )
    .option(
      '--nearest-k <k>',
      "parabola-nearest: fit each budget's quadratic on its k runs nearest the minimum (default 5)",
      positiveInt('--nearest-k'),
    )
    .option(
      '--seed-noise <nats>',
      `akima: std of the Gaussian noise added to each loss (default ${AKIMA_DEFAULTS.seedNoise})`,
      nonNegativeNumber('--seed-noise'),
    )
    .option(
      '--seed-noise-draws <k>',
      `akima: seed-noise draws per budget (default ${AKIMA_DEFAULTS.draws})`,
      positiveInt('--seed-noise-draws'),
    )
    .option(
      '--std-floor <x>',
      `akima: floor on the std of ln N*, in units of 25 grid steps (default ${AKIMA_DEFAULTS.stdFloor})`,
      nonNegativeNumber('--std-floor'),
    )
    .option(
      '--seed <s>',
      "seed of the bootstrap and of akima's seed noise (default 0)",
      nonNegativeInt('--seed'),
    )
    .option(
      '--baseline <family>',
      "family the others are compared with (default 'arm' when present)",
    )
    .option(
      '--budget-tolerance <x>',
      'relative C tolerance for grouping budgets (default 0.05)',
      nonNegativeNumber('--budget-tolerance'),
    )
    .option('--contours', 'add isoloss contours of the Approach-3 law')
    .option('--json', 'print the fit document as one JSON object')
    .addHelpText(
      'after',
      `
Output (--json): {"families": {NAME: {"approach2": {"a", "b", "budgets": [{"budget", "n_opt", "d_opt",
  "loss_opt", ...}], ...}, "approach3": {"E", "A", "B", "alpha", "beta", "a", "b", ...}}}, "efficiency":
  [{"family", "baseline", "compute_ratio", "at_loss", "method"}], "unfitted", "rejected_rows", "warnings"}.
  With --bootstrap K each figure X gains "X_ci": [lo, hi], its 95% percentile interval; with
  --estimator akima, Approach 2's figures always have them (from the seed-noise draws), and
  approach2.estimator names the estimator.
stderr: warnings (rows left out, budgets left out of the exponent fit, ranges without a ratio).
Exit codes: 0 fitted, 2 bad input (missing column, bad option, nothing fittable), 1 failure.`,
    )
    .action(
      runAction(
        (file: string, options: FitCommandOptions) => {
          let text: string;
          try {
            text = readFileSync(file, 'utf8');
          } catch (error) {
            badInput(`${file}: cannot read (${(error as Error).message})`);
          }
          const rows = rowsFromCsv(text, file, options);
          const fitOptions: FitOptions = {};
          if (options.bootstrap !== undefined) fitOptions.bootstrap = options.bootstrap;
          if (options.dropHighest !== undefined) fitOptions.dropHighest = options.dropHighest;
          if (options.nearestK !== undefined) fitOptions.nearestK = options.nearestK;
          if (options.estimator !== undefined) fitOptions.estimator = options.estimator;
          if (options.seedNoise !== undefined) fitOptions.seedNoise = options.seedNoise;
          if (options.seedNoiseDraws !== undefined)
            fitOptions.seedNoiseDraws = options.seedNoiseDraws;
          if (options.stdFloor !== undefined) fitOptions.stdFloor = options.stdFloor;
          if (options.seed !== undefined) fitOptions.seed = options.seed;
          if (options.baseline !== undefined) fitOptions.baseline = options.baseline;
          if (options.budgetTolerance !== undefined)
            fitOptions.budgetTolerance = options.budgetTolerance;
          if (options.contours) fitOptions.contours = true;
          const document = fitRuns(rows, fitOptions);
          for (const warning of document.warnings) {
            process.stderr.write(
              options.json
                ? `${JSON.stringify({ kind: 'warning', message: warning })}\n`
                : `warning: ${warning}\n`,
            );
          }
          if (options.json) process.stdout.write(`${JSON.stringify(document)}\n`);
          else printSummary(document);
        },
        { badInputCodes: inputCodesOf(FIT_ERRORS) },
      ),
    );
}
