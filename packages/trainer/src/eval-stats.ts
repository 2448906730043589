export interface MeanWithStdErr {
  mean: number;
  stdErr: number;
}

/**
 * Mean loss per token over validation rows and its standard error, treating each row (one sequence, with its
 * own masking draw for MDM and Prime) as one sample: rowSums[i] nats over tokensPerRow tokens. Rows are
 * independent draws of position and noise, so the per-row spread is the honest one; tokens within a row are not.
 */
export function meanAndStdErr(rowSums: ArrayLike<number>, tokensPerRow: number): MeanWithStdErr {
  const n = rowSums.length;
  if (n === 0) return { mean: Number.NaN, stdErr: Number.NaN };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (rowSums[i] as number) / tokensPerRow;
  const mean = sum / n;
  if (n === 1) return { mean, stdErr: Number.NaN };
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const deviation = (rowSums[i] as number) / tokensPerRow - mean;
    squares += deviation * deviation;
  }
  return { mean, stdErr: Math.sqrt(squares / (n - 1) / n) };
}
