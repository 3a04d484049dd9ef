// How numbers and text appear in the report: short, stable, escaped.

/**
 * A step number: integers as is, others to 6 significant digits.
 *
 * @example
 * ```ts
 * formatStep(1200); // '1200'
 * formatStep(12.3456789); // '12.3457'
 * ```
 */
export function formatStep(s: number): string {
  if (!Number.isFinite(s)) return String(s);
  return Number.isInteger(s) ? String(s) : String(Number(s.toPrecision(6)));
}

/**
 * A value to `digits` significant digits; NaN and infinities spelled out; tiny or huge in exponent form.
 *
 * @example
 * ```ts
 * formatValue(2.501782); // '2.502'
 * formatValue(0.0000123); // '1.230e-5'
 * ```
 */
export function formatValue(v: number, digits = 4): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(digits - 1);
  return String(Number(v.toPrecision(digits)));
}

/**
 * Escapes text for HTML element content and double-quoted attribute values.
 *
 * @example
 * ```ts
 * escapeHtml('a < b & "c"'); // 'a &lt; b &amp; &quot;c&quot;'
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
