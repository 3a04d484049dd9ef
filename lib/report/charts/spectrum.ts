// Chart 5: the eigenvalue spectrum over time, as the top eigenvalue shares stacked.
import type { TopLevelSpec } from 'vega-lite';
import { wrapText } from '../text_width.js';
import { MARK_COLOURS } from './palette.js';

/** What {@link spectrumChartSpec} draws. */
export interface SpectrumChartInput {
  /** Step of each drawn window. */
  steps: ArrayLike<number>;
  /** One row per drawn window: shares of lambda_1 .. lambda_k, then the rest (k + 1 values, summing to 1). */
  shares: readonly (readonly number[])[];
  /** k, the number of top eigenvalues shown separately. */
  top: number;
  xDomain: readonly [number, number];
  /** SHC peak step, drawn as a rule. */
  peakStep?: number;
  subtitle: string;
  width: number;
}

const SHARE_COLOURS = ['#08306b', '#2171b5', '#4292c6', '#6baed6', '#9ecae1', '#c6dbef', '#deebf7', '#e7eef6', '#eef3f9', '#f3f6fa'];

/**
 * Vega-Lite spec of the spectrum chart: the shares lambda_k / trace of the top k eigenvalues
 * and of the rest, stacked (one area per component: `shares` marks, k + 1 areas), with the
 * SHC peak as a rule (`spectrum_peak`).
 *
 * @example
 * ```ts
 * const spec = spectrumChartSpec({ steps: [0, 1], shares: [[0.5, 0.3, 0.2], [0.8, 0.1, 0.1]], top: 2,
 *   xDomain: [0, 1], subtitle: '', width: 600 });
 * ```
 */
export function spectrumChartSpec(input: SpectrumChartInput): TopLevelSpec {
  const labels = Array.from({ length: input.top }, (_, k) => `\u03bb${subscript(k + 1)}`).concat('rest');
  const colours = labels.map((_, k) => (k < input.top ? SHARE_COLOURS[Math.min(k, SHARE_COLOURS.length - 1)] : '#bdbdbd'));
  const values: { s: number; c: string; o: number; p: number }[] = [];
  input.shares.forEach((row, w) => {
    row.forEach((p, k) => values.push({ s: input.steps[w], c: labels[k], o: k, p }));
  });
  const x = { field: 's', type: 'quantitative' as const, title: 'training step (last checkpoint of each window)', scale: { domain: [...input.xDomain], nice: false, zero: false } };
  const layers: object[] = [
    {
      name: 'shares',
      data: { values },
      mark: { type: 'area', line: false, opacity: 0.95 },
      encoding: {
        x,
        y: { field: 'p', type: 'quantitative', stack: 'zero', title: 'share of the trace', scale: { domain: [0, 1] } },
        color: { field: 'c', type: 'nominal', title: 'eigenvalue', scale: { domain: labels, range: colours }, legend: { orient: 'right' } },
        order: { field: 'o', type: 'quantitative' },
      },
    },
  ];
  if (input.peakStep !== undefined) {
    layers.push({
      name: 'spectrum_peak',
      data: { values: [{ s: input.peakStep }] },
      mark: { type: 'rule', color: MARK_COLOURS.peak, strokeDash: [3, 3], strokeWidth: 1.2 },
      encoding: { x },
    });
  }
  return {
    title: { text: 'Eigenvalue spectrum over time', subtitle: wrapText(input.subtitle, 11, input.width) },
    width: input.width,
    height: 220,
    layer: layers,
  } as TopLevelSpec;
}

function subscript(k: number): string {
  return String(k).replace(/\d/g, (d) => String.fromCharCode(0x2080 + Number(d)));
}
