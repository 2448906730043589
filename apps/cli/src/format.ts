/** Large counts as 3 significant digits with an exponent (1.00e12), small ones as integers. */
export function formatCount(value: number): string {
  if (Math.abs(value) < 1e5) return String(Math.round(value));
  return value.toExponential(2).replace('e+', 'e');
}

/**
 * Controls, format characters and bidirectional overrides written as `\u{...}`: a table cell may hold a
 * name stored before names were checked, and a terminal would run its escape sequences.
 */
function printable(cell: string): string {
  return cell.replace(
    /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu,
    (char) => `\\u{${(char.codePointAt(0) ?? 0).toString(16)}}`,
  );
}

/** Left-aligned columns separated by two spaces. */
export function formatTable(
  header: readonly string[],
  cells: readonly (readonly string[])[],
): string {
  const rows = cells.map((row) => row.map(printable));
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
