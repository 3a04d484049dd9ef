// Classical scalar early-warning indicators on the analysis' own windows, and a side-by-side
// comparison of every indicator's first warning and lead time.
import { Rdm2Error } from '../errors.js';
import { toLossView } from '../loss_matrix.js';
import type { Analysis, LossInput } from '../types.js';
import { leadTime, windowSteps, checkCheckpointSteps, type Transition } from './lead_time.js';
import { detectWarnings, resolveWarningOptions, type ResolvedWarningOptions, type WarningDirection, type WarningOptions } from './warnings.js';

/** Scalar indicators on the same windows as an analysis (columnar, one entry per window). */
export interface ScalarIndicators {
  /** Last row of each window (as `analysis.t`). */
  t: Int32Array;
  /** Variance of the mean loss m(t) = mean_i l_i(t) in the window (after the analysis' transform and detrending). */
  variance: Float64Array;
  /** Lag-1 autocorrelation of the mean loss in the window: sum r_k r_{k+1} / sum r_k^2 of its residuals r. */
  autocorrelation: Float64Array;
  /** Leading eigenvalue lambda_1 of the window's covariance (from the analysis). */
  leadingEigenvalue: Float64Array;
  windows: number;
}

/** Names of the indicators {@link compareIndicators} can compare. */
export type IndicatorName = 'shc' | 'pr' | 'trace' | 'leadingEigenvalue' | 'variance' | 'autocorrelation';

/** The direction in which each indicator warns: PR falls as one mode takes over, the rest rise. */
export const INDICATOR_DIRECTIONS: Readonly<Record<IndicatorName, WarningDirection>> = Object.freeze({
  shc: 'up',
  pr: 'down',
  trace: 'up',
  leadingEigenvalue: 'up',
  variance: 'up',
  autocorrelation: 'up',
});

const ALL_INDICATORS = Object.keys(INDICATOR_DIRECTIONS) as IndicatorName[];

/** Options of {@link compareIndicators}. */
export interface CompareOptions {
  /** Warning options shared by every indicator (baseline, z, consecutive); the direction is per indicator. */
  warning?: Omit<WarningOptions, 'direction'>;
  /** Transition step, or a {@link Transition}; without it leads are NaN. */
  transition?: number | Transition;
  /** Step of every checkpoint (length T, strictly increasing); default: checkpoint indices. */
  steps?: ArrayLike<number>;
  /** Which indicators, in this order. Default all: shc, pr, trace, leadingEigenvalue, variance, autocorrelation. */
  indicators?: IndicatorName[];
}

/** Side-by-side table: row r describes `indicator[r]`. NaN means "no warning" (or no transition for leads). */
export interface IndicatorComparison {
  indicator: IndicatorName[];
  direction: WarningDirection[];
  warningCount: Int32Array;
  /** Window index of the first warning. */
  firstWarningWindow: Float64Array;
  /** Its checkpoint (the window's last row) and step. */
  firstWarningCheckpoint: Float64Array;
  firstWarningStep: Float64Array;
  /** transition - first warning, in steps and checkpoints (positive = early). */
  leadSteps: Float64Array;
  leadCheckpoints: Float64Array;
  transition: Transition | null;
  warningOptions: Omit<ResolvedWarningOptions, 'direction'>;
  /** The scalar indicators computed on the way. */
  scalars: ScalarIndicators;
}

/**
 * Checks that an argument is an Analysis.
 * @internal
 */
export function checkAnalysis(analysis: unknown, what: string): Analysis {
  const a = analysis as Analysis;
  if (typeof a !== 'object' || a === null || !(a.t instanceof Int32Array) || !(a.shc instanceof Float64Array) || typeof a.options !== 'object') {
    throw new Rdm2Error('ERR_RDM2_OPTION', `${what} needs an Analysis (the result of analyze)`);
  }
  return a;
}

/**
 * The classical scalar early-warning indicators, computed on exactly the windows of `analysis`
 * (same window, stride, transform and detrending), so they can be compared with the SHC:
 * variance and lag-1 autocorrelation of the mean loss m(t) = (1/n) sum_i l_i(t), and the leading
 * eigenvalue of the 2RDM (the multivariate indicator). The mean loss is detrended like the
 * probes (its residuals are the mean of the probes' residuals), so `variance` equals
 * 1^T C 1 / n^2 for the window's covariance C. Degenerate windows get NaN.
 *
 * @param losses the T x n losses the analysis ran on.
 * @throws Rdm2Error ERR_RDM2_SHAPE if `losses` is not the shape the analysis ran on.
 *
 * @example
 * ```ts
 * const a = analyzeSync(losses, { window: 20 });
 * const s = scalarIndicators(losses, a); // s.variance, s.autocorrelation, s.leadingEigenvalue
 * ```
 */
export function scalarIndicators(losses: LossInput, analysis: Analysis): ScalarIndicators {
  const a = checkAnalysis(analysis, 'scalarIndicators');
  const view = toLossView(losses);
  if (view.rows !== a.rows || view.cols !== a.probes) {
    throw new Rdm2Error('ERR_RDM2_SHAPE', `losses are ${view.rows} x ${view.cols} but the analysis ran on ${a.rows} x ${a.probes}`);
  }
  const { window: W, detrend, transform } = a.options;
  const n = view.cols;
  const log = transform === 'log';
  // Mean loss per checkpoint (NaN if any loss in the row is unusable).
  const m = new Float64Array(view.rows);
  for (let r = 0; r < view.rows; r++) {
    let s = 0;
    for (let c = 0; c < n; c++) {
      const x = view.data[r * view.rowStride + c * view.colStride];
      s += log ? (x > 0 ? Math.log(x) : NaN) : x;
    }
    m[r] = s / n;
  }
  const windows = a.windows;
  const variance = new Float64Array(windows);
  const autocorrelation = new Float64Array(windows);
  const leadingEigenvalue = new Float64Array(windows);
  const res = new Float64Array(W);
  const tauMid = (W - 1) / 2;
  let tauSq = 0;
  for (let k = 0; k < W; k++) tauSq += (k - tauMid) * (k - tauMid);
  for (let j = 0; j < windows; j++) {
    leadingEigenvalue[j] = a.eigenvalues[j * a.eigenCount];
    const first = a.t[j] - W + 1;
    let mean = 0;
    for (let k = 0; k < W; k++) mean += m[first + k];
    mean /= W;
    if (a.degenerate[j] || !Number.isFinite(mean)) {
      variance[j] = NaN;
      autocorrelation[j] = NaN;
      leadingEigenvalue[j] = NaN;
      continue;
    }
    let slope = 0;
    for (let k = 0; k < W; k++) {
      res[k] = m[first + k] - mean;
      slope += (k - tauMid) * res[k];
    }
    if (detrend === 'linear') {
      slope /= tauSq;
      for (let k = 0; k < W; k++) res[k] -= slope * (k - tauMid);
    }
    let ss = 0;
    let lag = 0;
    for (let k = 0; k < W; k++) {
      ss += res[k] * res[k];
      if (k + 1 < W) lag += res[k] * res[k + 1];
    }
    variance[j] = ss / (W - 1);
    autocorrelation[j] = ss > 0 ? lag / ss : NaN;
  }
  return { t: a.t, variance, autocorrelation, leadingEigenvalue, windows };
}

/**
 * Runs the same warning detector on every indicator (SHC, PR, trace, leading eigenvalue, and
 * the mean loss' variance and lag-1 autocorrelation) over the same windows, and reports each
 * one's first warning and lead time side by side: the honest comparison of the SHC against
 * the classical indicators. Warning steps are the steps of each window's last checkpoint.
 *
 * @param losses the T x n losses the analysis ran on.
 * @param analysis the result of {@link analyze} on them.
 * @throws Rdm2Error ERR_RDM2_SHAPE on losses or steps of the wrong size; ERR_RDM2_OPTION on bad options.
 *
 * @example
 * ```ts
 * const a = analyzeSync(losses, { window: 20 });
 * const cmp = compareIndicators(losses, a, { transition: 1200, steps });
 * cmp.indicator.forEach((name, r) => console.log(name, cmp.firstWarningStep[r], cmp.leadSteps[r]));
 * ```
 */
export function compareIndicators(losses: LossInput, analysis: Analysis, options: CompareOptions = {}): IndicatorComparison {
  const a = checkAnalysis(analysis, 'compareIndicators');
  if (typeof options !== 'object' || options === null) throw new Rdm2Error('ERR_RDM2_OPTION', 'compareIndicators options must be an object');
  for (const key of Object.keys(options)) {
    if (!['warning', 'transition', 'steps', 'indicators'].includes(key)) throw new Rdm2Error('ERR_RDM2_OPTION', `unknown compareIndicators option '${key}'`);
  }
  const warningIn = options.warning ?? {};
  if (typeof warningIn === 'object' && warningIn !== null && 'direction' in warningIn) {
    throw new Rdm2Error('ERR_RDM2_OPTION', 'compareIndicators sets the direction per indicator (see INDICATOR_DIRECTIONS); remove warning.direction');
  }
  const { direction: _unused, ...warningOptions } = resolveWarningOptions(warningIn);
  const indicators = options.indicators ?? ALL_INDICATORS;
  if (!Array.isArray(indicators) || indicators.length === 0) throw new Rdm2Error('ERR_RDM2_OPTION', 'indicators must be a non-empty array of indicator names');
  for (const name of indicators) {
    if (!ALL_INDICATORS.includes(name)) throw new Rdm2Error('ERR_RDM2_OPTION', `unknown indicator ${JSON.stringify(name)}; expected one of ${ALL_INDICATORS.join(', ')}`);
  }
  const steps = options.steps === undefined ? undefined : checkCheckpointSteps(options.steps, a.rows);
  const scalars = scalarIndicators(losses, a);
  const wsteps = windowSteps(a, steps);
  const seriesOf: Record<IndicatorName, Float64Array> = {
    shc: a.shc,
    pr: a.pr,
    trace: a.trace,
    leadingEigenvalue: scalars.leadingEigenvalue,
    variance: scalars.variance,
    autocorrelation: scalars.autocorrelation,
  };
  const R = indicators.length;
  const out: IndicatorComparison = {
    indicator: [...indicators],
    direction: indicators.map((name) => INDICATOR_DIRECTIONS[name]),
    warningCount: new Int32Array(R),
    firstWarningWindow: new Float64Array(R).fill(NaN),
    firstWarningCheckpoint: new Float64Array(R).fill(NaN),
    firstWarningStep: new Float64Array(R).fill(NaN),
    leadSteps: new Float64Array(R).fill(NaN),
    leadCheckpoints: new Float64Array(R).fill(NaN),
    transition: null,
    warningOptions,
    scalars,
  };
  indicators.forEach((name, r) => {
    const res = detectWarnings(seriesOf[name], { ...warningOptions, direction: INDICATOR_DIRECTIONS[name] }, wsteps);
    out.warningCount[r] = res.warnings.length;
    if (res.warnings.length > 0) {
      const w = res.warnings[0];
      out.firstWarningWindow[r] = w.index;
      out.firstWarningCheckpoint[r] = a.t[w.index];
      out.firstWarningStep[r] = w.step;
    }
    if (options.transition !== undefined) {
      const lt = leadTime(res, options.transition, steps);
      out.transition = lt.transition;
      out.leadSteps[r] = lt.leadSteps ?? NaN;
      out.leadCheckpoints[r] = lt.leadCheckpoints ?? NaN;
    }
  });
  return out;
}
