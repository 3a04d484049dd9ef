// Text widths for chart layout in Node. Without a canvas Vega guesses 0.8 em per character, about
// 40% too wide for a sans-serif: every title and label then reserves space it does not use, and
// long subtitles push the SVG wider than the plot. This estimator uses per-character advance widths
// close to DejaVu Sans (the usual `sans-serif` on Linux, and wider than Helvetica or Arial, so text
// is never given less room than it takes).

// Advance widths in em, by character (DejaVu Sans, rounded to 0.01).
const WIDTHS: Record<string, number> = {};
function set(chars: string, em: number): void {
  for (const c of chars) WIDTHS[c] = em;
}
set(' ', 0.32);
set('0123456789', 0.64);
set('il|', 0.28);
set("j.,:;'!`", 0.33);
set('ftr()[]{}-/\\', 0.4);
set('abcdeghknopqsuvxyz', 0.61);
set('m', 0.97);
set('w', 0.82);
set('IJ', 0.32);
set('ABCDEFGHKLNOPQRSTUVXYZ', 0.71);
set('M', 0.86);
set('W', 0.99);
set('=+<>~^#*', 0.84);
set('_"', 0.5);
set('%', 0.95);
set('&@', 0.9);
set('?$', 0.6);
const OTHER = 0.64; // Greek letters, subscripts, the minus sign, ...
const BOLD = 1.1;

/**
 * Estimated width in pixels of `text` set in a sans-serif at `fontSize` px.
 *
 * @example
 * ```ts
 * textWidth('training step', 12); // about 76
 * ```
 */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const c of text) em += WIDTHS[c] ?? OTHER;
  return em * fontSize * (bold ? BOLD : 1);
}

interface TextItem {
  text?: unknown;
  fontSize?: number | string;
  fontWeight?: number | string;
  limit?: number;
}

/**
 * The function Vega calls to measure a text mark (`vega.textMetrics.width(item, text)`, the
 * hook vl-convert also uses); `text` is one line, or undefined for the item's whole text.
 */
export function vegaTextWidth(item: TextItem, text?: unknown): number {
  const line = text === undefined || text === null ? item.text : text;
  const s = line === undefined || line === null ? '' : String(line).trim();
  const size = item.fontSize !== undefined && item.fontSize !== null ? Number(item.fontSize) || 0 : 11;
  const weight = item.fontWeight;
  const bold = weight === 'bold' || weight === 'bolder' || (typeof weight === 'number' && weight >= 600) || (typeof weight === 'string' && Number(weight) >= 600);
  return textWidth(s, size, bold);
}

/**
 * Splits `text` into lines of at most `maxWidth` px (at `fontSize`), at spaces; a word longer than
 * a line gets a line of its own.
 *
 * @example
 * ```ts
 * wrapText('a b c', 11, 20); // ['a b', 'c'] (about 7 px a letter, 3.5 a space)
 * ```
 */
export function wrapText(text: string, fontSize: number, maxWidth: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line ? `${line} ${word}` : word;
    if (line && textWidth(candidate, fontSize) > maxWidth) {
      lines.push(line);
      line = word;
    } else line = candidate;
  }
  if (line) lines.push(line);
  return lines;
}
