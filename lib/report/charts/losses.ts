// Chart 1: per-probe losses over training steps, coloured by group, with the analysis window drawn.
import type { TopLevelSpec } from 'vega-lite';
import { wrapText } from '../text_width.js';
import { MARK_COLOURS, groupScale } from './palette.js';
import { placeLabels } from './transition_labels.js';

/** One drawn probe: its column index, group and its losses at the drawn rows. */
export interface LossSeries {
  probe: number;
  group: string;
  values: ArrayLike<number>;
}

/** What {@link lossesChartSpec} draws. */
export interface LossesChartInput {
  /** Step of each drawn row (same length as every series' `values`). */
  steps: ArrayLike<number>;
  series: readonly LossSeries[];
  /** Every group, in legend order. */
  groupDomain: readonly string[];
  /** A shaded span (e.g. the window at the SHC peak). */
  window?: { from: number; to: number; label: string };
  /** The transitions, each drawn as a dashed rule; labelled at the top when there are several. */
  transitions?: readonly { step: number; label: string }[];
  /** Line under the title (what was sampled). */
  subtitle: string;
  yTitle: string;
  /** Draw the losses on a log axis (the analysis used log losses); losses <= 0 are left out. */
  logScale?: boolean;
  width: number;
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);
const positiveOrNull = (v: number): number | null => (Number.isFinite(v) && v > 0 ? v : null);

/**
 * Vega-Lite spec of the per-probe loss chart: one line per drawn probe (mark name `probes`,
 * so the SVG holds one `probes_marks` line group per probe), the window band (`window`), one
 * rule per transition (`transition`) and, with several, their labels (`transition_label`). With
 * `logScale` the y axis is logarithmic (the analysis used log losses).
 *
 * @example
 * ```ts
 * const spec = lossesChartSpec({ steps: [0, 1, 2], series: [{ probe: 0, group: 'A', values: [2.3, 2.2, 2.0] }],
 *   groupDomain: ['A'], subtitle: '1 probe', yTitle: 'loss', width: 600 });
 * const svg = await renderSvg(spec, 'losses');
 * ```
 */
export function lossesChartSpec(input: LossesChartInput): TopLevelSpec {
  const { steps, series, groupDomain } = input;
  const values: { s: number; v: number | null; p: number; g: string }[] = [];
  const value = input.logScale ? positiveOrNull : finiteOrNull;
  for (const line of series) {
    for (let r = 0; r < steps.length; r++) values.push({ s: steps[r], v: value(line.values[r]), p: line.probe, g: line.group });
  }
  const xDomain = [steps[0], steps[steps.length - 1]];
  const x = { field: 's', type: 'quantitative' as const, title: 'training step', scale: { domain: xDomain, nice: false, zero: false } };
  const layers: object[] = [];
  if (input.window) {
    const w = input.window;
    layers.push({
      name: 'window',
      data: { values: [{ from: w.from, to: w.to, label: w.label }] },
      mark: { type: 'rect', color: MARK_COLOURS.window, opacity: 0.13 },
      encoding: { x: { ...x, field: 'from' }, x2: { field: 'to' } },
    });
    layers.push({
      name: 'window_label',
      data: { values: [{ from: w.from, label: w.label }] },
      mark: { type: 'text', align: 'left', baseline: 'bottom', dy: -3, fontSize: 11, color: '#1f4e79' },
      encoding: { x: { ...x, field: 'from' }, y: { value: 0 }, text: { field: 'label' } },
    });
  }
  layers.push({
    name: 'probes',
    data: { values },
    mark: { type: 'line', strokeWidth: 1, opacity: 0.75 },
    encoding: {
      x,
      y: { field: 'v', type: 'quantitative', title: input.yTitle, scale: input.logScale ? { type: 'log' } : { zero: false } },
      color: {
        field: 'g', type: 'nominal', title: 'group', scale: groupScale(groupDomain),
        legend: groupDomain.length > 1 ? { orient: 'right' } : null,
      },
      detail: { field: 'p', type: 'nominal' },
    },
  });
  const transitions = (input.transitions ?? []).filter((t) => t.step >= xDomain[0] && t.step <= xDomain[1]);
  if (transitions.length > 0) {
    layers.push({
      name: 'transition',
      data: { values: transitions.map((t) => ({ s: t.step })) },
      mark: { type: 'rule', color: MARK_COLOURS.transition, strokeDash: [6, 4], strokeWidth: 1.5, clip: true },
      encoding: { x },
    });
  }
  if (transitions.length > 1) {
    // Inside the plot at its top, each beside its rule; close ones on rows further down.
    const placed = placeLabels(transitions, [xDomain[0]!, xDomain[1]!], input.width, 10);
    const groups = [...new Set(placed.map((l) => `${l.align} ${l.row}`))];
    groups.forEach((key, m) => {
      const these = placed.filter((l) => `${l.align} ${l.row}` === key);
      const { align, row } = these[0]!;
      layers.push({
        name: m === 0 ? 'transition_label' : `transition_label_${m + 1}`,
        data: { values: these.map((l) => ({ s: l.step, label: l.label })) },
        mark: { type: 'text', align, baseline: 'top', dx: align === 'left' ? 3 : -3, dy: 3 + 12 * row, fontSize: 10, fontWeight: 'bold', color: MARK_COLOURS.transition },
        encoding: { x, y: { value: 0 }, text: { field: 'label' } },
      });
    });
  }
  return {
    title: { text: 'Per-probe losses', subtitle: wrapText(input.subtitle, 11, input.width) },
    width: input.width,
    height: 260,
    layer: layers,
  } as TopLevelSpec;
}
