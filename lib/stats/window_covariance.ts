// The n x n covariance of one window, formed on request (the only place rdm2 builds one).
import { showValue } from '../show_value.js';
import { Rdm2Error } from '../errors.js';
import { toLossView } from '../loss_matrix.js';
import { resolveAnalyzeOptions } from '../options.js';
import type { AnalyzeOptions, LossInput, ResolvedAnalyzeOptions } from '../types.js';
import { resolveGroups, type GroupLabel, type ProbeGroups } from './block_energy.js';

/** Options of {@link windowCovariance}: the analysis options (spread `analysis.options` in) plus `order`. */
export interface WindowCovarianceOptions extends AnalyzeOptions {
  /** A group label per probe: rows and columns are reordered so that each group is contiguous (labels sorted). */
  order?: ProbeGroups;
}

/** The covariance matrix of one window. */
export interface WindowCovariance {
  /** n x n row-major covariance C = R^T R / (W - 1), R the window's residuals, in the order of `order`. */
  data: Float64Array;
  n: number;
  /** order[p] = original probe index at position p (identity without `order`). */
  order: Int32Array;
  /** The group label at each position (null without `order`). */
  groups: GroupLabel[] | null;
  /** The distinct labels in block order, and the position where each block starts (null without `order`). */
  blocks: { labels: GroupLabel[]; start: Int32Array } | null;
  /** The window's index and its rows first..last (inclusive). */
  windowIndex: number;
  firstRow: number;
  lastRow: number;
  /** The analysis options that shaped the window (window, stride, detrend, transform). */
  options: ResolvedAnalyzeOptions;
}

/**
 * The n x n covariance of window `windowIndex`, computed directly with a plain two-pass
 * algorithm: the window's rows (after the `transform`) minus each probe's mean (and, with
 * `detrend: 'linear'`, minus each probe's least-squares line in time), then C = R^T R / (W - 1).
 * Its eigenvalues are those the analysis reports for the window. This is the one place rdm2
 * forms an n x n matrix: O(n^2) memory and O(W n^2) time, only when asked.
 *
 * With `order: groups`, rows and columns are permuted so each group is contiguous (sorted labels,
 * original order inside a group): block structure in a participating group becomes visible.
 *
 * @param losses the same T x n losses the analysis ran on.
 * @param windowIndex j, the window ending at row (W - 1) + j * stride.
 * @throws Rdm2Error ERR_RDM2_OPTION on bad options or window index; ERR_RDM2_SHAPE on groups of the wrong length;
 *   ERR_RDM2_NON_FINITE if the window holds a non-finite loss (or a loss <= 0 under the log transform).
 *
 * @example
 * ```ts
 * const a = analyzeSync(losses, { window: 20, topK: 1 });
 * const snap = windowCovariance(losses, peakWindow, { ...a.options, order: groups });
 * // snap.data[p * snap.n + q]: covariance of probes snap.order[p] and snap.order[q]
 * ```
 */
export function windowCovariance(losses: LossInput, windowIndex: number, options: WindowCovarianceOptions): WindowCovariance {
  const view = toLossView(losses);
  if (typeof options !== 'object' || options === null) throw new Rdm2Error('ERR_RDM2_OPTION', 'windowCovariance needs options with at least { window }');
  const { order: groupsIn, ...analysisOptions } = options;
  const opts = resolveAnalyzeOptions({ threads: 1, ...analysisOptions }, view.rows, view.cols);
  const W = opts.window;
  const windows = Math.floor((view.rows - W) / opts.stride) + 1;
  if (!Number.isInteger(windowIndex) || windowIndex < 0 || windowIndex >= windows) {
    throw new Rdm2Error('ERR_RDM2_OPTION', `windowIndex must be an integer in [0, ${windows - 1}], got ${showValue(windowIndex)}`);
  }
  const n = view.cols;
  const lastRow = W - 1 + windowIndex * opts.stride;
  const firstRow = lastRow - W + 1;
  const log = opts.transform === 'log';

  // Pass 1: copy the window (transformed), check it, and take column means.
  const R = new Float64Array(W * n);
  const mean = new Float64Array(n);
  for (let k = 0; k < W; k++) {
    const base = (firstRow + k) * view.rowStride;
    for (let c = 0; c < n; c++) {
      const x = view.data[base + c * view.colStride];
      if (!Number.isFinite(x) || (log && !(x > 0))) {
        throw new Rdm2Error(
          'ERR_RDM2_NON_FINITE',
          `losses at row ${firstRow + k}, column ${c} is ${x}, which ${log ? 'the log transform cannot take' : 'is not finite'}: window ${windowIndex} has no covariance`,
        );
      }
      const y = log ? Math.log(x) : x;
      R[k * n + c] = y;
      mean[c] += y;
    }
  }
  for (let c = 0; c < n; c++) mean[c] /= W;
  // Pass 2: residuals about the mean (and the least-squares line in time position).
  const tauMid = (W - 1) / 2;
  let tauSq = 0;
  for (let k = 0; k < W; k++) tauSq += (k - tauMid) * (k - tauMid);
  for (let c = 0; c < n; c++) {
    let slopeNum = 0;
    for (let k = 0; k < W; k++) {
      R[k * n + c] -= mean[c];
      slopeNum += (k - tauMid) * R[k * n + c];
    }
    if (opts.detrend === 'linear') {
      const slope = slopeNum / tauSq;
      for (let k = 0; k < W; k++) R[k * n + c] -= slope * (k - tauMid);
    }
  }

  // Probe order.
  const order = Int32Array.from({ length: n }, (_, i) => i);
  let groups: GroupLabel[] | null = null;
  let blocks: WindowCovariance['blocks'] = null;
  if (groupsIn !== undefined) {
    const g = resolveGroups(groupsIn, n, 'order');
    order.sort((p, q) => g.index[p] - g.index[q] || p - q);
    groups = Array.from(order, (i) => g.labels[g.index[i]]);
    const start = new Int32Array(g.labels.length);
    for (let p = n - 1; p >= 0; p--) start[g.index[order[p]]] = p;
    blocks = { labels: g.labels, start };
  }

  // C = R^T R / (W - 1), symmetric: compute the upper triangle once.
  const data = new Float64Array(n * n);
  const denom = W - 1;
  const col = new Float64Array(W);
  for (let p = 0; p < n; p++) {
    const a = order[p];
    for (let k = 0; k < W; k++) col[k] = R[k * n + a];
    for (let q = p; q < n; q++) {
      const b = order[q];
      let s = 0;
      for (let k = 0; k < W; k++) s += col[k] * R[k * n + b];
      s /= denom;
      data[p * n + q] = s;
      data[q * n + p] = s;
    }
  }
  return { data, n, order, groups, blocks, windowIndex, firstRow, lastRow, options: opts };
}

/** @deprecated Renamed {@link windowCovariance} ("snapshot" is the monitor's saved state). */
export const covarianceSnapshot = windowCovariance;
/** @deprecated Renamed {@link WindowCovariance}. */
export type CovarianceSnapshot = WindowCovariance;
/** @deprecated Renamed {@link WindowCovarianceOptions}. */
export type SnapshotOptions = WindowCovarianceOptions;
