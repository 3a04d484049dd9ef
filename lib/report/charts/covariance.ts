// Chart 3: covariance snapshots (heatmaps, probes ordered by group) before, at and after the SHC peak.
import type { TopLevelSpec } from 'vega-lite';
import { formatStep } from '../format.js';
import { wrapText } from '../text_width.js';

/** One heatmap: a k x k covariance in display order (row-major). */
export interface CovariancePanel {
  /** Panel title, e.g. `at the SHC peak`. */
  label: string;
  /** Step of the window's last checkpoint. */
  step: number;
  /** k x k values, row-major, rows and columns in display order. */
  matrix: ArrayLike<number>;
}

/** What {@link covarianceChartSpec} draws. */
export interface CovarianceChartInput {
  panels: readonly CovariancePanel[];
  /** Group of each displayed position (length k), contiguous runs of one group. */
  orderedGroups: readonly string[];
  subtitle: string;
  /** Side of each heatmap in pixels. */
  size: number;
  /**
   * 'panel' (default): each panel its own colour scale, symmetric about 0 at its own largest
   * |covariance|, so a small covariance before the peak is not washed out by a large one after
   * it; 'shared': one scale for all panels, so their magnitudes compare directly.
   */
  scale?: 'panel' | 'shared';
}

/**
 * The runs of equal labels in `ordered`: each run's label, start and end (exclusive).
 *
 * @example
 * ```ts
 * groupBlocks(['A', 'A', 'B']); // [{ group: 'A', start: 0, end: 2 }, { group: 'B', start: 2, end: 3 }]
 * ```
 */
export function groupBlocks(ordered: readonly string[]): { group: string; start: number; end: number }[] {
  const blocks: { group: string; start: number; end: number }[] = [];
  ordered.forEach((g, i) => {
    const last = blocks[blocks.length - 1];
    if (last && last.group === g) last.end = i + 1;
    else blocks.push({ group: g, start: i, end: i + 1 });
  });
  return blocks;
}

/**
 * A Vega-Lite axis that labels each group block at its center instead of every probe.
 *
 * @example
 * ```ts
 * groupAxis(groupBlocks(['A', 'A', 'B']), null); // ticks at 1 and 2.5, labelled 'A' and 'B'
 * ```
 */
export function groupAxis(blocks: { group: string; start: number; end: number }[], title: string | null): object {
  const centers = blocks.map((b) => (b.start + b.end) / 2);
  const cases = blocks.map((b, k) => `datum.value === ${centers[k]} ? ${JSON.stringify(b.group)} : `).join('');
  return { values: centers, labelExpr: `${cases}''`, ticks: false, grid: false, domain: false, title, labelAngle: 0, labelOverlap: false };
}

/**
 * Vega-Lite spec of the covariance snapshots side by side: one rect per matrix entry (mark
 * names `cov0_cells`, `cov1_cells`, ...: k x k rects each), thin rules at group boundaries
 * (`cov<p>_xbounds`, `cov<p>_ybounds`), and a diverging colour scale centred on 0 (red
 * positive, blue negative): one per panel, at that panel's largest |covariance| (the default),
 * or one shared by all panels (`scale: 'shared'`).
 *
 * @example
 * ```ts
 * const spec = covarianceChartSpec({ panels: [{ label: 'at the SHC peak', step: 40, matrix: [1, 0.5, 0.5, 1] }],
 *   orderedGroups: ['A', 'B'], subtitle: '', size: 200 });
 * ```
 */
export function covarianceChartSpec(input: CovarianceChartInput): TopLevelSpec {
  const k = input.orderedGroups.length;
  const shared = input.scale === 'shared';
  const largest = input.panels.map((p) => {
    let m = 0;
    for (let i = 0; i < p.matrix.length; i++) if (Number.isFinite(p.matrix[i])) m = Math.max(m, Math.abs(p.matrix[i]));
    return m;
  });
  const sharedMax = Math.max(0, ...largest) || 1;
  const blocks = groupBlocks(input.orderedGroups);
  const bounds = blocks.slice(1).map((b) => ({ b: b.start }));
  const showGroups = blocks.length > 1;
  const axisX = showGroups ? groupAxis(blocks, null) : { labels: false, ticks: false, grid: false, title: 'probes' };
  const axisY = showGroups ? groupAxis(blocks, null) : { labels: false, ticks: false, grid: false, title: null };
  const panels = input.panels.map((panel, p) => {
    const m = shared ? sharedMax : largest[p] || 1;
    const cells: { i: number; j: number; c: number | null }[] = [];
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        const c = panel.matrix[i * k + j];
        cells.push({ i, j, c: Number.isFinite(c) ? c : null });
      }
    }
    const xs = { type: 'quantitative' as const, scale: { domain: [0, k], nice: false, zero: false } };
    const ys = { type: 'quantitative' as const, scale: { domain: [0, k], nice: false, zero: false, reverse: true } };
    const layers: object[] = [
      {
        name: `cov${p}_cells`,
        data: { values: cells.map((c) => ({ ...c, i1: c.i + 1, j1: c.j + 1 })) },
        mark: { type: 'rect' },
        encoding: {
          x: { ...xs, field: 'j', axis: axisX },
          x2: { field: 'j1' },
          y: { ...ys, field: 'i', axis: axisY },
          y2: { field: 'i1' },
          color: {
            field: 'c', type: 'quantitative', title: 'covariance',
            scale: { scheme: 'redblue', reverse: true, domain: [-m, m], domainMid: 0 },
            legend: shared ? { orient: 'right', gradientLength: Math.max(80, input.size - 40) } : { orient: 'bottom', direction: 'horizontal', gradientLength: Math.max(80, input.size - 30), title: null, format: '.2~e' },
          },
        },
      },
    ];
    if (bounds.length > 0) {
      layers.push({
        name: `cov${p}_xbounds`,
        data: { values: bounds },
        mark: { type: 'rule', color: '#333', strokeWidth: 0.8 },
        encoding: { x: { ...xs, field: 'b' } },
      });
      layers.push({
        name: `cov${p}_ybounds`,
        data: { values: bounds },
        mark: { type: 'rule', color: '#333', strokeWidth: 0.8 },
        encoding: { y: { ...ys, field: 'b' } },
      });
    }
    return {
      title: { text: panel.label, subtitle: `window ending at step ${formatStep(panel.step)}`, fontSize: 12 },
      width: input.size,
      height: input.size,
      layer: layers,
    };
  });
  return {
    title: { text: 'Covariance snapshots (probes ordered by group)', subtitle: wrapText(input.subtitle, 11, input.panels.length * (input.size + 18)) },
    spacing: 18,
    hconcat: panels,
    resolve: { scale: { color: shared ? 'shared' : 'independent' }, legend: { color: shared ? 'shared' : 'independent' } },
  } as TopLevelSpec;
}
