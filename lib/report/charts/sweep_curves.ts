// The sweep chart of every run's SHC and PR overlaid, aligned on each run's transition when known.
import type { TopLevelSpec } from 'vega-lite';
import { wrapText } from '../text_width.js';
import { MARK_COLOURS, groupScale } from './palette.js';

/** One run's curves as the chart draws them (already thinned). */
export interface CurveRun {
  /** The run's label (its path). */
  label: string;
  group: string;
  /** x of each drawn window: its step, or its step minus the run's transition when aligned. */
  x: ArrayLike<number>;
  shc: ArrayLike<number>;
  pr: ArrayLike<number>;
}

/** What {@link sweepCurvesChartSpec} draws. */
export interface SweepCurvesChartInput {
  runs: readonly CurveRun[];
  groupDomain: readonly string[];
  /** The x values are steps relative to each run's transition (a rule marks 0). */
  aligned: boolean;
  subtitle: string;
  width: number;
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * Vega-Lite spec of the overlaid curves: two panels on one x axis, the SHC (`sweep_shc`) and the
 * PR (`sweep_pr`) of every run, one line per run coloured by its group; when aligned on the
 * transitions, a dashed rule at 0 on both (`sweep_zero`).
 *
 * @example
 * ```ts
 * const spec = sweepCurvesChartSpec({ runs: [{ label: 'a', group: 'all', x: [0, 1], shc: [0.1, 0.5], pr: [9, 3] }],
 *   groupDomain: ['all'], aligned: false, subtitle: '', width: 600 });
 * ```
 */
export function sweepCurvesChartSpec(input: SweepCurvesChartInput): TopLevelSpec {
  const shc: { x: number; v: number | null; r: string; g: string }[] = [];
  const pr: { x: number; v: number | null; r: string; g: string }[] = [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const run of input.runs) {
    for (let i = 0; i < run.x.length; i++) {
      const x = run.x[i]!;
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
      shc.push({ x, v: finiteOrNull(run.shc[i]!), r: run.label, g: run.group });
      pr.push({ x, v: finiteOrNull(run.pr[i]!), r: run.label, g: run.group });
    }
  }
  const xTitle = input.aligned ? 'steps from the transition (last checkpoint of each window)' : 'training step (last checkpoint of each window)';
  const color = { field: 'g', type: 'nominal' as const, title: 'group', scale: groupScale(input.groupDomain), legend: input.groupDomain.length > 1 ? { orient: 'right' } : null };
  const panel = (name: string, title: string, values: object[], last: boolean) => {
    const x = {
      field: 'x', type: 'quantitative' as const, scale: { domain: [lo, hi], nice: false, zero: false },
      title: last ? xTitle : null, axis: last ? {} : { labels: false, ticks: false, title: null },
    };
    const layers: object[] = [
      {
        name,
        data: { values },
        mark: { type: 'line', strokeWidth: 1.1, opacity: 0.7 },
        encoding: { x, y: { field: 'v', type: 'quantitative', title, scale: { zero: false } }, color, detail: { field: 'r', type: 'nominal' } },
      },
    ];
    if (input.aligned) {
      layers.push({
        name: last ? 'sweep_zero' : 'sweep_zero_top',
        data: { values: [{ x: 0 }] },
        mark: { type: 'rule', color: MARK_COLOURS.transition, strokeDash: [6, 4], strokeWidth: 1.5 },
        encoding: { x },
      });
    }
    return { width: input.width, height: 150, layer: layers };
  };
  return {
    title: { text: 'SHC and participation ratio of every run', subtitle: wrapText(input.subtitle, 11, input.width) },
    spacing: 10,
    vconcat: [panel('sweep_shc', 'SHC', shc, false), panel('sweep_pr', 'PR', pr, true)],
    resolve: { scale: { color: 'shared' } },
  } as TopLevelSpec;
}
