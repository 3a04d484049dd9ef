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
  /** One row per drawn window: lambda_1 .. lambda_k themselves (drawn on a log axis; values <= 0 left out). */
  eigenvalues: readonly (readonly number[])[];
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
 * Vega-Lite spec of the spectrum chart, two panels on one x axis: the shares lambda_k / trace
 * of the top k eigenvalues and of the rest, stacked (one area per component: `shares` marks,
 * k + 1 areas), and below them the top k eigenvalues themselves on a log axis (`eigenvalues`,
 * one line each), which stays readable when lambda_1 holds nearly the whole trace and the
 * stacked shares are one solid block. The SHC peak is a rule on both (`spectrum_peak`).
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
  const peak = input.peakStep === undefined
    ? []
    : [{
        name: 'spectrum_peak',
        data: { values: [{ s: input.peakStep }] },
        mark: { type: 'rule', color: MARK_COLOURS.peak, strokeDash: [3, 3], strokeWidth: 1.2 },
        encoding: { x },
      }];
  const lines: { s: number; c: string; o: number; v: number }[] = [];
  input.eigenvalues.forEach((row, w) => {
    row.forEach((v, k) => {
      if (v > 0 && Number.isFinite(v)) lines.push({ s: input.steps[w], c: labels[k], o: k, v });
    });
  });
  const hidden = { ...x, title: null, axis: { labels: false, ticks: false, title: null } };
  const layers: object[] = [
    {
      name: 'shares',
      data: { values },
      mark: { type: 'area', line: false, opacity: 0.95 },
      encoding: {
        x: hidden,
        y: { field: 'p', type: 'quantitative', stack: 'zero', title: 'share of the trace', scale: { domain: [0, 1] } },
        color: { field: 'c', type: 'nominal', title: 'eigenvalue', scale: { domain: labels, range: colours }, legend: { orient: 'right' } },
        order: { field: 'o', type: 'quantitative' },
      },
    },
  ];
  const eigenLayers: object[] = [
    {
      name: 'eigenvalues',
      data: { values: lines },
      mark: { type: 'line', strokeWidth: 1.3 },
      encoding: {
        x,
        y: { field: 'v', type: 'quantitative', title: 'eigenvalue (log scale)', scale: { type: 'log' } },
        color: { field: 'c', type: 'nominal', title: 'eigenvalue', scale: { domain: labels, range: colours } },
        detail: { field: 'o', type: 'quantitative' },
      },
    },
  ];
  return {
    title: { text: 'Eigenvalue spectrum over time', subtitle: wrapText(input.subtitle, 11, input.width) },
    spacing: 10,
    vconcat: [
      { width: input.width, height: 200, layer: [...layers, ...peak.map((p) => ({ ...p, encoding: { x: hidden } }))] },
      { width: input.width, height: 160, layer: [...eigenLayers, ...peak.map((p) => ({ ...p, name: 'spectrum_peak_2' }))] },
    ],
    resolve: { scale: { color: 'shared' } },
  } as TopLevelSpec;
}

function subscript(k: number): string {
  return String(k).replace(/\d/g, (d) => String.fromCharCode(0x2080 + Number(d)));
}
