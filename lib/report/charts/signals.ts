// Chart 2: SHC, PR and trace over steps on aligned axes, with warnings, the SHC peak and the transition.
import type { TopLevelSpec } from 'vega-lite';
import { textWidth, wrapText } from '../text_width.js';
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
  /** Transition step and the text written next to it (lead time) above the first panel; `\n` breaks lines. */
  transition?: { step: number; label: string };
  subtitle: string;
  width: number;
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * Vega-Lite spec of the signals chart: one panel per signal stacked vertically on one shared
 * x domain, each with its line (`<key>_line`), the warning spans (`warning_span`) and firing
 * rules (`warning`), the transition rule (`transition`); the SHC panel also carries the peak
 * point (`shc_peak`) and the first panel the transition label (`transition_label`).
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
  const transitionInside = input.transition !== undefined && input.transition.step >= xDomain[0] && input.transition.step <= xDomain[1];
  const subtitle = input.transition && !transitionInside
    ? `${input.subtitle}; ${input.transition.label.replace(/\n/g, ', ')} (outside the windows' span)`
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
    if (transitionInside && input.transition) {
      const t = input.transition;
      layers.push({
        name: 'transition',
        data: { values: [{ s: t.step }] },
        mark: { type: 'rule', color: MARK_COLOURS.transition, strokeDash: [6, 4], strokeWidth: 1.5 },
        encoding: { x },
      });
      if (k === 0) {
        // Written above the first panel, on the side of the rule with room for it.
        const px = ((t.step - xDomain[0]) / (xDomain[1] - xDomain[0] || 1)) * input.width;
        const labelWidth = Math.max(...t.label.split('\n').map((line) => textWidth(line, 11, true)));
        const fitsRight = px + labelWidth + 4 <= input.width;
        const fitsLeft = px - labelWidth - 4 >= 0;
        const right = fitsRight || (!fitsLeft && input.width - px >= px);
        layers.push({
          name: 'transition_label',
          data: { values: [{ s: t.step, label: t.label }] },
          mark: {
            // Vega lays extra lines out below the first: lift the block so its last line ends above the panel.
            type: 'text', align: right ? 'left' : 'right', dx: right ? 4 : -4, dy: -4 - 13 * (t.label.split('\n').length - 1), lineHeight: 13,
            baseline: 'bottom', fontSize: 11, fontWeight: 'bold', color: MARK_COLOURS.transition, lineBreak: '\n',
          },
          encoding: { x, y: { value: 0 }, text: { field: 'label' } },
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
