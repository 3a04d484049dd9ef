// Chart 2: SHC, PR and trace over steps on aligned axes, with warnings, the SHC peak and the transition.
import type { TopLevelSpec } from 'vega-lite';
import { wrapText } from '../text_width.js';
import { placeLabels, type PlacedLabel } from './transition_labels.js';
import { MARK_COLOURS } from './palette.js';

/** One panel: a signal's (possibly thinned) values at their steps. */
export interface SignalPanel {
  /** Mark-name stem: the line is named `${key}_line`. Letters, digits and `_` only. */
  key: string;
  /** Y axis title. */
  title: string;
  steps: ArrayLike<number>;
  values: ArrayLike<number>;
}

/** A warning span to shade and its firing step to rule. */
export interface WarningMark {
  step: number;
  startStep: number;
  endStep: number;
}

/** What {@link signalsChartSpec} draws. */
export interface SignalsChartInput {
  panels: readonly SignalPanel[];
  /** Full x extent (first and last window step), shared by every panel. */
  xDomain: readonly [number, number];
  warnings: readonly WarningMark[];
  /** The SHC peak, marked with a point on the panel whose key is `shc`. */
  peak?: { step: number; value: number };
  /**
   * The transitions: each a dashed rule on every panel, with its text written next to it above
   * the first panel (`\n` breaks lines). One transition's text usually holds its lead time;
   * with several, keep each short (its name).
   */
  transitions?: readonly { step: number; label: string }[];
  subtitle: string;
  width: number;
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * Vega-Lite spec of the signals chart: one panel per signal stacked vertically on one shared
 * x domain, each with its line (`<key>_line`), the warning spans (`warning_span`) and firing
 * rules (`warning`), one rule per transition (`transition`); the SHC panel also carries the peak
 * point (`shc_peak`) and the first panel the transitions' labels (`transition_label`, and
 * `transition_label_2`, ... for labels on the other side or on a higher row).
 *
 * @example
 * ```ts
 * const spec = signalsChartSpec({ panels: [{ key: 'shc', title: 'SHC', steps: [0, 1], values: [0.1, 0.4] }],
 *   xDomain: [0, 1], warnings: [], subtitle: '', width: 600 });
 * ```
 */
export function signalsChartSpec(input: SignalsChartInput): TopLevelSpec {
  const { panels, warnings, xDomain } = input;
  const last = panels.length - 1;
  // A transition outside the windows' span has no place on the x axis: its text goes in the subtitle.
  const all = input.transitions ?? [];
  const inside = all.filter((t) => t.step >= xDomain[0] && t.step <= xDomain[1]);
  const outside = all.filter((t) => !inside.includes(t));
  const subtitle = outside.length > 0
    ? `${input.subtitle}; ${outside.map((t) => t.label.replace(/\n/g, ', ')).join('; ')} (outside the windows' span)`
    : input.subtitle;
  const panelSpecs = panels.map((panel, k) => {
    const x = {
      field: 's', type: 'quantitative' as const, scale: { domain: [...xDomain], nice: false, zero: false },
      title: k === last ? 'training step (last checkpoint of each window)' : null,
      axis: k === last ? {} : { labels: false, ticks: false, title: null },
    };
    const values: { s: number; v: number | null }[] = [];
    for (let i = 0; i < panel.steps.length; i++) values.push({ s: panel.steps[i], v: finiteOrNull(panel.values[i]) });
    const layers: object[] = [];
    if (warnings.length > 0) {
      layers.push({
        name: 'warning_span',
        data: { values: warnings.map((w) => ({ s: w.startStep, e: w.endStep })) },
        mark: { type: 'rect', color: MARK_COLOURS.warning, opacity: 0.18, clip: true },
        encoding: { x: { ...x, field: 's' }, x2: { field: 'e' } },
      });
      layers.push({
        name: 'warning',
        data: { values: warnings.map((w) => ({ s: w.step })) },
        mark: { type: 'rule', color: MARK_COLOURS.warning, strokeWidth: 1.5, clip: true },
        encoding: { x },
      });
    }
    layers.push({
      name: `${panel.key}_line`,
      data: { values },
      mark: { type: 'line', strokeWidth: 1.4, color: '#1f4e79' },
      encoding: { x, y: { field: 'v', type: 'quantitative', title: panel.title, scale: { zero: false } } },
    });
    if (panel.key === 'shc' && input.peak) {
      layers.push({
        name: 'shc_peak',
        data: { values: [{ s: input.peak.step, v: input.peak.value }] },
        mark: { type: 'point', filled: true, size: 45, color: MARK_COLOURS.peak },
        encoding: { x, y: { field: 'v', type: 'quantitative' } },
      });
    }
    if (inside.length > 0) {
      layers.push({
        name: 'transition',
        data: { values: inside.map((t) => ({ s: t.step })) },
        mark: { type: 'rule', color: MARK_COLOURS.transition, strokeDash: [6, 4], strokeWidth: 1.5 },
        encoding: { x },
      });
      if (k === 0) {
        // Written above the first panel, each beside its rule; close ones on rows further up.
        const placed = placeLabels(inside, xDomain, input.width, 11);
        const lines = (l: PlacedLabel) => l.label.split('\n').length;
        const groups = [...new Set(placed.map((l) => `${l.align} ${l.row}`))];
        groups.forEach((key, m) => {
          const these = placed.filter((l) => `${l.align} ${l.row}` === key);
          const { align, row } = these[0]!;
          // Vega lays extra lines out below the first: lift the block so its last line ends above the panel.
          const lift = Math.max(...these.map(lines)) - 1 + row * Math.max(...placed.map(lines));
          layers.push({
            name: m === 0 ? 'transition_label' : `transition_label_${m + 1}`,
            data: { values: these.map((l) => ({ s: l.step, label: l.label })) },
            mark: {
              type: 'text', align, dx: align === 'left' ? 4 : -4, dy: -4 - 13 * lift, lineHeight: 13,
              baseline: 'bottom', fontSize: 11, fontWeight: 'bold', color: MARK_COLOURS.transition, lineBreak: '\n',
            },
            encoding: { x, y: { value: 0 }, text: { field: 'label' } },
          });
        });
      }
    }
    return { width: input.width, height: 120, layer: layers };
  });
  return {
    title: { text: 'Spectral signals', subtitle: wrapText(subtitle, 11, input.width) },
    spacing: 10,
    vconcat: panelSpecs,
  } as TopLevelSpec;
}
