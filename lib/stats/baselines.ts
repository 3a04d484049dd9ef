// Classical scalar early-warning indicators on the analysis' own windows, and a side-by-side
// comparison of every indicator's first warning and lead time.
import { showValue } from '../show_value.js';
import { Rdm2Error } from '../errors.js';
import { defineOptions, optionError, resolveOptions, type Assert, type SameKeys } from '../option_schema.js';
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

/** The options of {@link compareIndicators}. */
export const COMPARE_OPTIONS = defineOptions('compareIndicators', {
  warning: {
    type: 'custom',
    typeDoc: 'warning options without direction',
    default: (): Omit<WarningOptions, 'direction'> => ({}),
    doc: 'warning options shared by every indicator',
    check: (v: unknown): Omit<WarningOptions, 'direction'> => {
      if (typeof v === 'object' && v !== null && Object.hasOwn(v, 'direction')) {
        optionError('compareIndicators sets the direction per indicator (see INDICATOR_DIRECTIONS); remove warning.direction');
      }
      return v as Omit<WarningOptions, 'direction'>;
    },
  },
  transition: { type: 'custom', typeDoc: 'a step or a Transition', check: (v: unknown) => v as number | Transition, doc: 'the transition, for the lead times' },
  steps: { type: 'custom', typeDoc: 'steps', check: (v: unknown) => v as ArrayLike<number>, defaultDoc: 'checkpoint indices', doc: 'step of every checkpoint' },
  indicators: {
    type: 'custom',
    typeDoc: 'a non-empty array of indicator names',
    default: (): IndicatorName[] => [...ALL_INDICATORS],
    doc: 'which indicators, in this order',
    check: (v: unknown, name: string): IndicatorName[] => {
      if (!Array.isArray(v) || v.length === 0) optionError(`${name} must be a non-empty array of indicator names`);
      for (const x of v) if (!ALL_INDICATORS.includes(x)) optionError(`unknown indicator ${showValue(x)}; expected one of ${ALL_INDICATORS.join(', ')}`);
      return v as IndicatorName[];
    },
  },
});

type _CompareSchemaMatches = Assert<SameKeys<typeof COMPARE_OPTIONS.fields, CompareOptions>>;

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
  const o = resolveOptions(COMPARE_OPTIONS, options);
  const { direction: _unused, ...warningOptions } = resolveWarningOptions(o.warning);
  const indicators = o.indicators;
  const steps = o.steps === undefined ? undefined : checkCheckpointSteps(o.steps, a.rows);
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
    if (o.transition !== undefined) {
      const lt = leadTime(res, o.transition, steps);
      out.transition = lt.transition;
      out.leadSteps[r] = lt.leadSteps ?? NaN;
      out.leadCheckpoints[r] = lt.leadCheckpoints ?? NaN;
    }
  });
  return out;
}
