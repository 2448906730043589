/** Large counts as 3 significant digits with an exponent (1.00e12), small ones as integers. */
export function formatCount(value: number): string {
  if (Math.abs(value) < 1e5) return String(Math.round(value));
  return value.toExponential(2).replace('e+', 'e');
}

/** Left-aligned columns separated by two spaces. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
