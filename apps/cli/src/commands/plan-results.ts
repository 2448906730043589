import { readFileSync } from 'node:fs';
import {
  decideAdaptiveStep,
  planSweep,
  toPlanRecord,
  type AdaptiveStep,
  type ObservedRun,
  type SweepSpec,
} from '@isoflop/planner';
import { badInput } from '../cli-action.js';
import { formatCount, formatTable } from '../format.js';
import { parseCsv, rowsFromCsv } from './fit.js';

/** Column names of a results table; each defaults to the name `isoflop fit`'s examples use. */
export interface ResultColumns {
  n?: string;
  loss?: string;
  d?: string;
  flops?: string;
  family?: string;
  budget?: string;
}

/** Results rows whose C is within this of a spec budget belong to it (C = 6ND after rounding steps). */
const BUDGET_TOLERANCE = 0.05;

/**
 * The results table as the decision step's finished runs. A row's variant is its family column (a key
 * of the spec's families); its budget is the budget column, else the spec budget its C = 6ND is within
 * 5% of, else C itself. Rows of the same (variant, budget, N) take the spec's seeds in order.
 */
export function observedFromCsv(
  spec: SweepSpec,
  file: string,
  columns: ResultColumns,
): ObservedRun[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    badInput(`--results: cannot read ${file}: ${(error as Error).message}`);
  }
  const header = parseCsv(text.replace(/^\uFEFF/, ''))[0] ?? [];
  const has = (name: string) => header.includes(name);
  const d = columns.d ?? (columns.flops === undefined && has('tokens') ? 'tokens' : undefined);
  const flops = columns.flops ?? (d === undefined && has('flops') ? 'flops' : undefined);
  const budget = columns.budget ?? (has('budget') ? 'budget' : undefined);
  const rows = rowsFromCsv(text, file, {
    n: columns.n ?? 'N',
    loss: columns.loss ?? 'loss',
    family: columns.family ?? 'family',
    ...(d === undefined ? {} : { d }),
    ...(flops === undefined ? {} : { flops }),
    ...(budget === undefined ? {} : { budget }),
  });
  const budgets = [...new Set(planSweep(spec).runs.map((run) => run.budgetFlops))];
  const seen = new Map<string, number>();
  return rows.map((row, i) => {
    const line = i + 2;
    if (!Object.hasOwn(spec.families, row.family)) {
      badInput(
        `${file}:${line}: family '${row.family}' is not a variant of the spec (${Object.keys(spec.families).join(', ')})`,
      );
    }
    for (const [field, value] of [
      ['N', row.n],
      ['loss', row.loss],
      ['tokens', row.d],
    ] as const) {
      if (!(Number.isFinite(value) && value > 0)) {
        badInput(`${file}:${line}: ${field} must be a positive number, got '${value}'`);
      }
    }
    const c = 6 * row.n * row.d;
    const budgetFlops =
      row.budget ??
      budgets.find((b) => Math.abs(c / b - 1) <= BUDGET_TOLERANCE) ??
      Number(c.toPrecision(4));
    const key = `${row.family}|${budgetFlops}|${row.n}`;
    const index = seen.get(key) ?? 0;
    seen.set(key, index + 1);
    return {
      runId: `${file}:${line}`,
      variant: row.family,
      budgetFlops,
      params: row.n,
      tokens: row.d,
      loss: row.loss,
      seed: spec.seeds[index] ?? index,
    };
  });
}

export function printStep(step: AdaptiveStep, json: boolean): void {
  if (json) {
    process.stdout.write(
      step.add
        .map(({ run, reason }) => {
          const { rule, code, variant, budgetFlops, message } = reason;
          return `${JSON.stringify({ ...toPlanRecord(run), reason: { rule, code, variant, budget_flops: budgetFlops, message } })}\n`;
        })
        .join(''),
    );
    for (const limit of step.limits) {
      const { rule, code, variant, budgetFlops, message } = limit;
      process.stderr.write(
        `${JSON.stringify({ kind: 'limit', rule, code, variant, ...(budgetFlops === undefined ? {} : { budget_flops: budgetFlops }), message })}\n`,
      );
    }
    process.stderr.write(
      `${JSON.stringify({ kind: 'step', added: step.add.length, settled: step.settled })}\n`,
    );
    return;
  }
  const rows = step.add.map(({ run, reason }) => [
    run.id,
    formatCount(run.budgetFlops),
    formatCount(run.params),
    `${run.shape.dModel}x${run.shape.nLayers}x${run.shape.nHeads}`,
    String(run.seed),
    `${reason.rule}: ${reason.code}`,
  ]);
  const lines =
    rows.length > 0
      ? [formatTable(['id', 'C', 'N', 'd x L x H', 'seed', 'reason'], rows)]
      : [step.settled ? 'nothing to add: the design is settled' : 'nothing to add yet'];
  for (const { reason } of step.add) lines.push(`  ${reason.message}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  for (const limit of step.limits) process.stderr.write(`limit ${limit.code}: ${limit.message}\n`);
}

/** Ask and tell: the runs the adaptive step would add next, given results trained anywhere. */
export function planFromResults(
  spec: SweepSpec,
  file: string,
  columns: ResultColumns,
  json: boolean,
): void {
  if (spec.adaptive === undefined) {
    badInput('--results needs an adaptive block in the spec (adaptive: {} for the defaults)');
  }
  const results = observedFromCsv(spec, file, columns);
  printStep(decideAdaptiveStep({ spec, planned: [], results }), json);
}
