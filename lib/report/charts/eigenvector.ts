// Chart 4: the top eigenvector at the SHC peak as bars coloured by group, beside its block energies.
import type { TopLevelSpec } from 'vega-lite';
import { groupAxis, groupBlocks } from './covariance.js';
import { wrapText } from '../text_width.js';
import { groupScale } from './palette.js';

/** What {@link eigenvectorChartSpec} draws. */
export interface EigenvectorChartInput {
  /** Components of the drawn probes, in display (group) order. */
  values: ArrayLike<number>;
  /** Group of each drawn position, contiguous runs. */
  orderedGroups: readonly string[];
  groupDomain: readonly string[];
  /** Block energy of every group (over all n probes), in `groupDomain` order. */
  energies: readonly { group: string; energy: number }[];
  subtitle: string;
  width: number;
}

/**
 * Vega-Lite spec of the eigenvector chart: one bar per drawn probe (`eigvec_bars`), coloured
 * by group and ordered by group, and beside it (when `energies` is not empty) one bar per
 * group with its block energy (`energy_bars`, labelled by `energy_labels`).
 *
 * @example
 * ```ts
 * const spec = eigenvectorChartSpec({ values: [0.1, 0.7, 0.7], orderedGroups: ['A', 'B', 'B'], groupDomain: ['A', 'B'],
 *   energies: [{ group: 'A', energy: 0.01 }, { group: 'B', energy: 0.99 }], subtitle: '', width: 600 });
 * ```
 */
export function eigenvectorChartSpec(input: EigenvectorChartInput): TopLevelSpec {
  const k = input.values.length;
  const bars: { x0: number; x1: number; v: number; g: string }[] = [];
  for (let i = 0; i < k; i++) {
    const v = input.values[i];
    bars.push({ x0: i + 0.1, x1: i + 0.9, v: Number.isFinite(v) ? v : 0, g: input.orderedGroups[i] });
  }
  const blocks = groupBlocks(input.orderedGroups);
  const color = {
    field: 'g', type: 'nominal' as const, title: 'group', scale: groupScale(input.groupDomain),
    legend: input.groupDomain.length > 1 ? { orient: 'right' } : null,
  };
  const xAxis = blocks.length > 1 ? groupAxis(blocks, 'probes (ordered by group)') : { labels: false, ticks: false, grid: false, title: 'probes' };
  const vector = {
    width: input.width,
    height: 200,
    layer: [
      {
        name: 'eigvec_bars',
        data: { values: bars },
        mark: { type: 'bar' },
        encoding: {
          x: { field: 'x0', type: 'quantitative', scale: { domain: [0, k], nice: false, zero: false }, axis: xAxis },
          x2: { field: 'x1' },
          y: { field: 'v', type: 'quantitative', title: 'component of v\u2081' },
          y2: { datum: 0 },
          color,
        },
      },
    ],
  };
  const energies = input.energies.map((e) => ({ g: e.group, e: Number.isFinite(e.energy) ? e.energy : 0 }));
  const y = { field: 'g', type: 'nominal' as const, title: null, sort: [...input.groupDomain] };
  const energy = {
    width: 170,
    height: Math.max(60, 26 * energies.length),
    title: { text: 'block energy', fontSize: 12 },
    layer: [
      {
        name: 'energy_bars',
        data: { values: energies },
        mark: { type: 'bar' },
        encoding: { y, x: { field: 'e', type: 'quantitative', title: '\u03a3 v\u1d62\u00b2 over the group', scale: { domain: [0, 1] } }, color },
      },
      {
        name: 'energy_labels',
        data: { values: energies },
        mark: { type: 'text', align: 'left', dx: 3, fontSize: 11 },
        encoding: { y, x: { field: 'e', type: 'quantitative' }, text: { field: 'e', type: 'quantitative', format: '.3f' } },
      },
    ],
  };
  return {
    title: { text: 'Top eigenvector at the SHC peak', subtitle: wrapText(input.subtitle, 11, input.width) },
    spacing: 24,
    hconcat: energies.length > 0 ? [vector, energy] : [vector],
    resolve: { scale: { color: 'shared' } },
  } as TopLevelSpec;
}
