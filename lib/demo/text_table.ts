// Plain-text tables and numbers of the demo's verdicts.

/** A number with fixed digits, '-' when missing, never '-0.0'. */
export function fmt(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '-';
  const s = v.toFixed(digits);
  return s === `-${(0).toFixed(digits)}` ? (0).toFixed(digits) : s;
}

/** Aligns each column of `rows` (the first row is the header), the first `left` columns to the left and the rest to the right, joined by two spaces. */
export function table(rows: string[][], indent: string, left = 0): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => (indent + r.map((cell, c) => (c < left ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).trimEnd());
}
