// The sweep chart: lead time per group of runs, every run as a tick, the mean with its interval.
import type { TopLevelSpec } from 'vega-lite';
import { wrapText } from '../text_width.js';
import { MARK_COLOURS } from './palette.js';

/** One group of runs as {@link leadTimesChartSpec} draws it. */
export interface LeadTimeGroup {
  /** Axis label (e.g. `lr=0.1 (28 of 30 warned)`). */
  label: string;
  /** Lead times of the runs that warned. */
  values: readonly number[];
  /** Mean and interval; NaN when the group has no value. */
  mean: number;
  ciLow: number;
  ciHigh: number;
}

/** What {@link leadTimesChartSpec} draws. */
export interface LeadTimesChartInput {
  groups: readonly LeadTimeGroup[];
  /** e.g. 'lead time (steps)'. */
  xTitle: string;
  subtitle: string;
  width: number;
}

/**
 * Vega-Lite spec of the lead-time distribution across runs: per group (one row each), a tick
 * per run (`lead_runs`), the bootstrap interval of the mean as a bar (`lead_ci`), the mean as
 * a dot (`lead_mean`), and a dashed rule at 0 (`lead_zero`; right of it = warned early).
 *
 * @example
 * ```ts
 * const spec = leadTimesChartSpec({ groups: [{ label: 'all', values: [10, 14, 12], mean: 12, ciLow: 10.7, ciHigh: 13.3 }],
 *   xTitle: 'lead time (steps)', subtitle: '', width: 600 });
 * ```
 */
export function leadTimesChartSpec(input: LeadTimesChartInput): TopLevelSpec {
  const labels = input.groups.map((g) => g.label);
  const runs: { g: string; v: number }[] = [];
  const stats: { g: string; m: number; lo: number; hi: number }[] = [];
  for (const g of input.groups) {
    for (const v of g.values) if (Number.isFinite(v)) runs.push({ g: g.label, v });
    if (Number.isFinite(g.mean)) {
      stats.push({ g: g.label, m: g.mean, lo: Number.isFinite(g.ciLow) ? g.ciLow : g.mean, hi: Number.isFinite(g.ciHigh) ? g.ciHigh : g.mean });
    }
  }
  const y = { field: 'g', type: 'nominal' as const, title: null, sort: labels, scale: { domain: labels }, axis: { labelLimit: 260 } };
  const x = { type: 'quantitative' as const, title: input.xTitle, scale: { zero: true, nice: true } };
  return {
    title: { text: 'Lead time of the first SHC warning, per group of runs', subtitle: wrapText(input.subtitle, 11, input.width) },
    width: input.width,
    height: Math.max(60, 42 * labels.length),
    layer: [
      {
        name: 'lead_zero',
        data: { values: [{ v: 0 }] },
        mark: { type: 'rule', color: '#888', strokeDash: [4, 4] },
        encoding: { x: { ...x, field: 'v' } },
      },
      {
        name: 'lead_ci',
        data: { values: stats },
        mark: { type: 'rule', color: MARK_COLOURS.transition, strokeWidth: 2.5, opacity: 0.6 },
        encoding: { x: { ...x, field: 'lo' }, x2: { field: 'hi' }, y },
      },
      {
        name: 'lead_runs',
        data: { values: runs },
        mark: { type: 'tick', color: '#33414e', opacity: 0.8, thickness: 2, bandSize: 22 },
        encoding: { x: { ...x, field: 'v' }, y },
      },
      {
        name: 'lead_mean',
        data: { values: stats },
        mark: { type: 'point', filled: true, size: 90, color: MARK_COLOURS.transition, stroke: 'white', strokeWidth: 1.5, opacity: 1 },
        encoding: { x: { ...x, field: 'm' }, y },
      },
    ],
  } as TopLevelSpec;
}
