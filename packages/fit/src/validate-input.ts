import { FitError } from './errors.js';
import type { RejectedRowDoc, RunRow } from './fit-document.js';

const POSITIVE_FIELDS = ['n', 'd', 'c', 'loss'] as const;

/**
 * Splits rows into usable ones and rejections naming the row, the field and the problem; a table with
 * no usable row at all is an error.
 */
export function validateRows(rows: readonly RunRow[]): {
  valid: RunRow[];
  rejected: RejectedRowDoc[];
} {
  const valid: RunRow[] = [];
  const rejected: RejectedRowDoc[] = [];
  rows.forEach((row, index) => {
    const problems: RejectedRowDoc[] = [];
    if (typeof row.family !== 'string' || row.family.length === 0) {
      problems.push({ row: index, field: 'family', problem: 'must be a non-empty string' });
    }
    for (const field of POSITIVE_FIELDS) {
      const value = row[field];
      if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
        problems.push({
          row: index,
          field,
          problem: `must be a positive finite number, got ${String(value)}`,
        });
      }
    }
    if (row.budget !== undefined && !(Number.isFinite(row.budget) && row.budget > 0)) {
      problems.push({
        row: index,
        field: 'budget',
        problem: `must be a positive finite number, got ${String(row.budget)}`,
      });
    }
    const budgetLoss = row.budgetLoss;
    if (
      budgetLoss !== undefined &&
      budgetLoss !== null &&
      !(Number.isFinite(budgetLoss) && budgetLoss > 0)
    ) {
      problems.push({
        row: index,
        field: 'budgetLoss',
        problem: `must be a positive finite number or null, got ${String(budgetLoss)}`,
      });
    }
    if (problems.length === 0) valid.push(row);
    else rejected.push(...problems);
  });
  if (valid.length === 0) {
    const first = rejected[0];
    const detail = first
      ? `; first problem: rows[${first.row}].${first.field} ${first.problem}`
      : '';
    throw new FitError('INVALID_ROWS', `no usable run among ${rows.length} rows${detail}`);
  }
  return { valid, rejected };
}

/** An integer option ≥ `minimum`, or undefined when absent. */
export function integerOption(
  name: string,
  value: number | undefined,
  minimum: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < minimum) {
    throw new FitError(
      'INVALID_OPTION',
      `${name}: expected an integer ≥ ${minimum}, got ${String(value)}`,
    );
  }
  return value;
}

export function nonNegativeOption(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0) {
    throw new FitError(
      'INVALID_OPTION',
      `${name}: expected a finite number ≥ 0, got ${String(value)}`,
    );
  }
  return value;
}

export function positiveOption(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value <= 0) {
    throw new FitError(
      'INVALID_OPTION',
      `${name}: expected a finite number > 0, got ${String(value)}`,
    );
  }
  return value;
}
