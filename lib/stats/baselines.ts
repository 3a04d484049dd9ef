// Classical scalar early-warning indicators on the analysis' own windows, and a side-by-side
// comparison of every indicator's first warning and lead time.
import { showValue } from '../show_value.js';
import { Rdm2Error } from '../errors.js';
import { defineOptions, optionError, resolveOptions, type Assert, type SameKeys } from '../option_schema.js';
import { toLossView } from '../loss_matrix.js';
import type { Analysis, LossInput, LossTransform } from '../types.js';
import { RowSummary, rowGroups } from '../row_summary.js';
import { resolveGroups, type ProbeGroups } from './block_energy.js';
import { leadTime, windowSteps, checkCheckpointSteps, type Transition } from './lead_time.js';
import { detectWarnings, resolveWarningOptions, type ResolvedWarningOptions, type WarningDirection, type WarningOptions, type WarningResult } from './warnings.js';

/** Per-group window statistics of the mean loss (one entry per group, in `labels` order). */
export interface GroupIndicators {
  /** Group labels, sorted as {@link resolveGroups} sorts them. */
  labels: string[];
  /** Per group: the window mean of the group's mean loss (after the transform). */
  meanLoss: Float64Array[];
  /** Per group: the variance of the group's mean loss in the window (after the transform and detrending). */
  variance: Float64Array[];
}

/** Scalar indicators on the same windows as an analysis (columnar, one entry per window). */
export interface ScalarIndicators {
  /** Last row of each window (as `analysis.t`). */
  t: Int32Array;
  /** Variance of the mean loss m(t) = mean_i l_i(t) in the window (after the analysis' transform and detrending). */
  variance: Float64Array;
  /** Lag-1 autocorrelation of the mean loss in the window: sum r_k r_{k+1} / sum r_k^2 of its residuals r. */
  autocorrelation: Float64Array;
  /** Window mean of the mean loss m(t) (after the transform; not detrended: a level). */
  meanLoss: Float64Array;
  /** Leading eigenvalue lambda_1 of the window's covariance (from the analysis). */
  leadingEigenvalue: Float64Array;
  /** The same statistics per probe group, when groups were given. */
  groups: GroupIndicators | null;
  windows: number;
}

/**
 * The mean loss of every checkpoint, over all probes and per group, after a transform: what the
 * scalar indicators are computed from. Build it with {@link groupMeanLosses} (in memory) or
 * `readGroupMeanLosses` (from a file, streaming), and pass it to {@link compareIndicators} in
 * place of the losses.
 */
export interface GroupMeanLosses {
  kind: 'groupMeanLosses';
  /** T, the checkpoints. */
  rows: number;
  /** n, the probes. */
  probes: number;
  transform: LossTransform;
  /** Mean over all probes per checkpoint (NaN when a loss of the row is unusable). */
  all: Float64Array;
  /** Group labels (sorted), or empty without groups. */
  labels: string[];
  /** T x G row-major: mean over each group's probes per checkpoint. */
  means: Float64Array;
}

/** Built-in indicators {@link compareIndicators} can compare. */
export type BuiltinIndicator = 'shc' | 'pr' | 'trace' | 'leadingEigenvalue' | 'variance' | 'autocorrelation' | 'meanLoss';

/**
 * Names of the indicators {@link compareIndicators} can compare: the built-in ones, and per probe
 * group `meanLoss:<label>` (the group's mean loss) and `variance:<label>` (its rolling variance).
 */
export type IndicatorName = BuiltinIndicator | `meanLoss:${string}` | `variance:${string}`;

/** The direction in which each built-in indicator warns: PR falls as one mode takes over, a mean loss may move either way, the rest rise. */
export const INDICATOR_DIRECTIONS: Readonly<Record<BuiltinIndicator, WarningDirection>> = Object.freeze({
  shc: 'up',
  pr: 'down',
  trace: 'up',
  leadingEigenvalue: 'up',
  variance: 'up',
  autocorrelation: 'up',
  meanLoss: 'both',
});

const BUILTINS = Object.keys(INDICATOR_DIRECTIONS) as BuiltinIndicator[];

/** The built-in indicators computed from the mean loss alone: the scalar baselines an SHC warning is compared with. */
export const SCALAR_BASELINES: readonly BuiltinIndicator[] = Object.freeze(['variance', 'autocorrelation', 'meanLoss']);

/** The group part of a per-group indicator name (`meanLoss:test` -> `test`), or null. */
function groupOf(name: string): { stat: 'meanLoss' | 'variance'; group: string } | null {
  const m = /^(meanLoss|variance):(.+)$/s.exec(name);
  return m ? { stat: m[1] as 'meanLoss' | 'variance', group: m[2]! } : null;
}

/**
 * The direction an indicator warns in: {@link INDICATOR_DIRECTIONS} for the built-in ones,
 * 'both' for a group's mean loss and 'up' for its variance.
 *
 * @example
 * ```ts
 * indicatorDirection('pr'); // 'down'
 * indicatorDirection('meanLoss:test'); // 'both'
 * ```
 */
export function indicatorDirection(name: IndicatorName): WarningDirection {
  const g = groupOf(name);
  if (g) return g.stat === 'meanLoss' ? 'both' : 'up';
  return INDICATOR_DIRECTIONS[name as BuiltinIndicator];
}

/**
 * Whether the detector scores an indicator on the log scale: the variances and lambda_1 are
 * positive and right-skewed, and on their own scale a robust z of 6 fires on pure noise in 12-22%
 * of runs (the SHC: 4%); on the log scale 5-15% (docs/statistics.md).
 */
export function scoredOnLogScale(name: IndicatorName): boolean {
  const g = groupOf(name);
  return g ? g.stat === 'variance' : name === 'variance' || name === 'leadingEigenvalue';
}

/** Whether an indicator is a scalar baseline (computed from mean losses only). */
export function isScalarBaseline(name: IndicatorName): boolean {
  return groupOf(name) !== null || SCALAR_BASELINES.includes(name as BuiltinIndicator);
}

/**
 * An indicator in words, e.g. `mean loss of group test`.
 *
 * @example
 * ```ts
 * indicatorLabel('variance:test'); // 'variance of the mean loss of group test'
 * ```
 */
export function indicatorLabel(name: IndicatorName): string {
  const g = groupOf(name);
  if (g) return g.stat === 'meanLoss' ? `mean loss of group ${g.group}` : `variance of the mean loss of group ${g.group}`;
  const words: Record<BuiltinIndicator, string> = {
    shc: 'SHC',
    pr: 'participation ratio',
    trace: 'trace',
    leadingEigenvalue: 'leading eigenvalue',
    variance: 'variance of the mean loss',
    autocorrelation: 'lag-1 autocorrelation of the mean loss',
    meanLoss: 'mean loss',
  };
  return words[name as BuiltinIndicator];
}

/** Options of {@link compareIndicators}. */
export interface CompareOptions {
  /** Warning options shared by every indicator (baseline, minBaseline, z, consecutive); the direction is per indicator. */
  warning?: Omit<WarningOptions, 'direction'>;
  /** Transition step, or a {@link Transition}; without it leads are NaN. */
  transition?: number | Transition;
  /** Step of every checkpoint (length T, strictly increasing); default: checkpoint indices. */
  steps?: ArrayLike<number>;
  /** A group label per probe: adds `meanLoss:<label>` and `variance:<label>` for every group (ignored when `losses` are {@link GroupMeanLosses}, which carry their own). */
  groups?: ProbeGroups;
  /**
   * Which indicators, in this order. Default: shc, pr, trace, leadingEigenvalue, variance,
   * autocorrelation, meanLoss, then meanLoss:<g> and variance:<g> for every group.
   */
  indicators?: IndicatorName[];
}

/** How the SHC's first warning compares with the earliest first warning of the scalar baselines. */
export interface BaselineVerdict {
  /** The scalar baseline that warned first (null when none warned or none was compared). */
  best: IndicatorName | null;
  /** Its first warning's step (null: none). */
  bestStep: number | null;
  /** The SHC's first warning's step (null: none, or the SHC was not compared). */
  shcStep: number | null;
  /** bestStep - shcStep: positive = the SHC warned that many steps before the best scalar baseline; null unless both warned. */
  stepsBefore: number | null;
  /** The verdict in words, e.g. "SHC warned 120 steps before the best scalar baseline (mean loss of group B, first warning at step 1380)". */
  text: string;
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
  /** The SHC against the best scalar baseline (see {@link BaselineVerdict}). */
  versusBaselines: BaselineVerdict;
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
 * Accumulates {@link GroupMeanLosses} row by row (for readers that never hold the whole file),
 * in one native pass per chunk of rows (lib/row_summary.ts): the mean over all probes is summed
 * in that pass's fixed order, a group's mean left to right.
 * @internal
 */
export class GroupMeanAccumulator {
  private readonly summary: RowSummary;
  private readonly labels: string[];
  private readonly row: Float64Array;

  constructor(probes: number, groups: ProbeGroups | undefined, transform: LossTransform, expectedRows?: number) {
    const resolved = groups === undefined ? null : resolveGroups(groups, probes);
    this.labels = resolved ? resolved.labels.map(String) : [];
    this.row = new Float64Array(probes);
    this.summary = new RowSummary(probes, {
      transform,
      means: true,
      ...(resolved ? { groups: rowGroups(resolved.index, resolved.labels.length) } : {}),
      ...(expectedRows !== undefined ? { expectedRows } : {}),
    });
  }

  /** Adds one checkpoint: `probes` values of `data` from `offset`, `stride` apart. */
  push(data: ArrayLike<number>, offset = 0, stride = 1): void {
    const n = this.summary.cols;
    const row = this.row;
    for (let c = 0; c < n; c++) row[c] = data[offset + c * stride]!;
    this.summary.addSync(row, 0, 1);
  }

  /** Adds `count` contiguous rows of `data` from row `from` (on this thread). */
  pushRows(data: Float32Array | Float64Array, from: number, count: number): void {
    this.summary.addSync(data, from, count);
  }

  /** Adds `count` contiguous rows on a native thread; `data` must be the library's own array. */
  async pushRowsAsync(data: Float32Array | Float64Array, from: number, count: number): Promise<void> {
    await this.summary.add(data, from, count);
  }

  finish(): GroupMeanLosses {
    return groupMeansOf(this.summary, this.labels);
  }
}

/**
 * The {@link GroupMeanLosses} a {@link RowSummary} holds (it must have computed means).
 * @internal
 */
export function groupMeansOf(summary: RowSummary, labels: string[]): GroupMeanLosses {
  const { all, groups } = summary.rowMeans();
  return { kind: 'groupMeanLosses', rows: summary.rows, probes: summary.cols, transform: summary.transform, all, labels: [...labels], means: groups };
}

/**
 * The mean loss of every checkpoint over all probes and per group, after a transform (see
 * {@link GroupMeanLosses}).
 *
 * @throws Rdm2Error ERR_RDM2_SHAPE / ERR_RDM2_OPTION on groups that do not fit the losses.
 *
 * @example
 * ```ts
 * const m = groupMeanLosses(losses, groups, 'none');
 * const cmp = compareIndicators(m, analysis, { transition, steps });
 * ```
 */
export function groupMeanLosses(losses: LossInput, groups: ProbeGroups | undefined, transform: LossTransform = 'none'): GroupMeanLosses {
  const view = toLossView(losses);
  const acc = new GroupMeanAccumulator(view.cols, groups, transform, view.rows);
  if (view.colStride === 1 && view.rowStride === view.cols) acc.pushRows(view.data, 0, view.rows);
  else for (let r = 0; r < view.rows; r++) acc.push(view.data, r * view.rowStride, view.colStride);
  return acc.finish();
}

function isGroupMeans(x: unknown): x is GroupMeanLosses {
  return typeof x === 'object' && x !== null && (x as GroupMeanLosses).kind === 'groupMeanLosses';
}

/** Mean, variance (after the analysis' detrending) and lag-1 autocorrelation of a per-checkpoint series on each window. */
function windowStats(m: Float64Array, a: Analysis): { mean: Float64Array; variance: Float64Array; autocorrelation: Float64Array } {
  const { window: W, detrend } = a.options;
  const windows = a.windows;
  const mean = new Float64Array(windows);
  const variance = new Float64Array(windows);
  const autocorrelation = new Float64Array(windows);
  const res = new Float64Array(W);
  const tauMid = (W - 1) / 2;
  let tauSq = 0;
  for (let k = 0; k < W; k++) tauSq += (k - tauMid) * (k - tauMid);
  for (let j = 0; j < windows; j++) {
    const first = a.t[j]! - W + 1;
    let mu = 0;
    for (let k = 0; k < W; k++) mu += m[first + k]!;
    mu /= W;
    if (a.degenerate[j] || !Number.isFinite(mu)) {
      mean[j] = NaN;
      variance[j] = NaN;
      autocorrelation[j] = NaN;
      continue;
    }
    mean[j] = mu;
    let slope = 0;
    for (let k = 0; k < W; k++) {
      res[k] = m[first + k]! - mu;
      slope += (k - tauMid) * res[k]!;
    }
    if (detrend === 'linear') {
      slope /= tauSq;
      for (let k = 0; k < W; k++) res[k]! -= slope * (k - tauMid);
    }
    let ss = 0;
    let lag = 0;
    for (let k = 0; k < W; k++) {
      ss += res[k]! * res[k]!;
      if (k + 1 < W) lag += res[k]! * res[k + 1]!;
    }
    variance[j] = ss / (W - 1);
    autocorrelation[j] = ss > 0 ? lag / ss : NaN;
  }
  return { mean, variance, autocorrelation };
}

/**
 * The classical scalar early-warning indicators, computed on exactly the windows of `analysis`
 * (same window, stride, transform and detrending), so they can be compared with the SHC:
 * variance, lag-1 autocorrelation and window mean of the mean loss m(t) = (1/n) sum_i l_i(t), the
 * same per probe group when `groups` are given, and the leading eigenvalue of the 2RDM (the
 * multivariate indicator). The mean loss is detrended like the probes (its residuals are the
 * mean of the probes' residuals), so `variance` equals 1^T C 1 / n^2 for the window's covariance
 * C. Degenerate windows get NaN.
 *
 * @param losses the T x n losses the analysis ran on, or their {@link GroupMeanLosses} (then `groups` is not used).
 * @param groups a group label per probe, for the per-group statistics.
 * @throws Rdm2Error ERR_RDM2_SHAPE if `losses` is not the shape the analysis ran on; ERR_RDM2_OPTION if
 *   group means were computed with another transform.
 *
 * @example
 * ```ts
 * const a = analyzeSync(losses, { window: 20 });
 * const s = scalarIndicators(losses, a, groups); // s.variance, s.meanLoss, s.groups?.meanLoss[g], ...
 * ```
 */
export function scalarIndicators(losses: LossInput | GroupMeanLosses, analysis: Analysis, groups?: ProbeGroups): ScalarIndicators {
  const a = checkAnalysis(analysis, 'scalarIndicators');
  let m: GroupMeanLosses;
  if (isGroupMeans(losses)) {
    m = losses;
    if (m.transform !== a.options.transform) {
      throw new Rdm2Error('ERR_RDM2_OPTION', `the group mean losses were computed with transform '${m.transform}' but the analysis used '${a.options.transform}'`);
    }
  } else {
    const view = toLossView(losses);
    if (view.rows !== a.rows || view.cols !== a.probes) {
      throw new Rdm2Error('ERR_RDM2_SHAPE', `losses are ${view.rows} x ${view.cols} but the analysis ran on ${a.rows} x ${a.probes}`);
    }
    m = groupMeanLosses(losses, groups, a.options.transform);
  }
  if (m.rows !== a.rows || m.probes !== a.probes) {
    throw new Rdm2Error('ERR_RDM2_SHAPE', `the group mean losses are of ${m.rows} x ${m.probes} losses but the analysis ran on ${a.rows} x ${a.probes}`);
  }
  const all = windowStats(m.all, a);
  const leadingEigenvalue = new Float64Array(a.windows);
  for (let j = 0; j < a.windows; j++) leadingEigenvalue[j] = Number.isNaN(all.mean[j]!) ? NaN : a.eigenvalues[j * a.eigenCount]!;
  let perGroup: GroupIndicators | null = null;
  if (m.labels.length > 0) {
    const G = m.labels.length;
    perGroup = { labels: [...m.labels], meanLoss: [], variance: [] };
    for (let g = 0; g < G; g++) {
      const series = new Float64Array(m.rows);
      for (let r = 0; r < m.rows; r++) series[r] = m.means[r * G + g]!;
      const st = windowStats(series, a);
      perGroup.meanLoss.push(st.mean);
      perGroup.variance.push(st.variance);
    }
  }
  return { t: a.t, variance: all.variance, autocorrelation: all.autocorrelation, meanLoss: all.mean, leadingEigenvalue, groups: perGroup, windows: a.windows };
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
  groups: { type: 'custom', typeDoc: 'a group label per probe', check: (v: unknown) => v as ProbeGroups, doc: 'a group label per probe, for the per-group mean-loss indicators' },
  indicators: {
    type: 'custom',
    typeDoc: 'a non-empty array of indicator names',
    defaultDoc: 'every built-in indicator, then each group\'s meanLoss and variance',
    doc: 'which indicators, in this order',
    check: (v: unknown, name: string): IndicatorName[] => {
      if (!Array.isArray(v) || v.length === 0) optionError(`${name} must be a non-empty array of indicator names`);
      for (const x of v) {
        if (!BUILTINS.includes(x) && (typeof x !== 'string' || groupOf(x) === null)) {
          optionError(`unknown indicator ${showValue(x)}; expected one of ${BUILTINS.join(', ')}, meanLoss:<group> or variance:<group>`);
        }
      }
      return v as IndicatorName[];
    },
  },
});

type _CompareSchemaMatches = Assert<SameKeys<typeof COMPARE_OPTIONS.fields, CompareOptions>>;

const fmtStep = (x: number) => (Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(6))));

/**
 * The SHC's first warning against the earliest first warning of the scalar baselines in a
 * comparison (see {@link BaselineVerdict}), with the sentence the CLI and the report print.
 *
 * @example
 * ```ts
 * baselineVerdict(compareIndicators(losses, a, { groups, steps })).text;
 * // 'SHC warned 120 steps before the best scalar baseline (mean loss of group B, first warning at step 1380)'
 * ```
 */
export function baselineVerdict(cmp: Pick<IndicatorComparison, 'indicator' | 'firstWarningStep'>): BaselineVerdict {
  let best: IndicatorName | null = null;
  let bestStep: number | null = null;
  let shcStep: number | null = null;
  let anyBaseline = false;
  cmp.indicator.forEach((name, r) => {
    const step = cmp.firstWarningStep[r]!;
    if (name === 'shc') shcStep = Number.isNaN(step) ? null : step;
    if (!isScalarBaseline(name)) return;
    anyBaseline = true;
    if (!Number.isNaN(step) && (bestStep === null || step < bestStep)) {
      best = name;
      bestStep = step;
    }
  });
  const shcCompared = cmp.indicator.includes('shc');
  let text: string;
  let stepsBefore: number | null = null;
  if (!shcCompared || !anyBaseline) text = 'not compared (needs the SHC and at least one scalar baseline)';
  else if (best !== null && shcStep !== null) {
    stepsBefore = bestStep! - shcStep;
    const where = `the best scalar baseline (${indicatorLabel(best)}, first warning at step ${fmtStep(bestStep!)})`;
    text = stepsBefore === 0 ? `SHC warned at the same step as ${where}` : `SHC warned ${fmtStep(Math.abs(stepsBefore))} steps ${stepsBefore > 0 ? 'before' : 'after'} ${where}`;
  } else if (best !== null) text = `SHC did not warn; the best scalar baseline (${indicatorLabel(best)}) warned at step ${fmtStep(bestStep!)}`;
  else if (shcStep !== null) text = `SHC warned at step ${fmtStep(shcStep)}; no scalar baseline warned`;
  else text = 'neither the SHC nor any scalar baseline warned';
  return { best, bestStep, shcStep, stepsBefore, text };
}

/**
 * Runs the same warning detector on every indicator (SHC, PR, trace, leading eigenvalue, the
 * mean loss' variance, lag-1 autocorrelation and level, and per probe group the group's mean
 * loss and its rolling variance) over the same windows, and reports each one's first warning and
 * lead time side by side, with the SHC's first warning against the best scalar baseline: the
 * honest comparison of the SHC with what a researcher would look at first. Warning steps are the
 * steps of each window's last checkpoint. Each indicator warns in its own direction
 * ({@link indicatorDirection}); every other detector option is shared. The variances and the
 * leading eigenvalue are scored on the log scale ({@link scoredOnLogScale}).
 *
 * @param losses the T x n losses the analysis ran on, or their {@link GroupMeanLosses}.
 * @param analysis the result of {@link analyze} on them.
 * @throws Rdm2Error ERR_RDM2_SHAPE on losses, groups or steps of the wrong size; ERR_RDM2_OPTION on bad options.
 *
 * @example
 * ```ts
 * const a = analyzeSync(losses, { window: 20 });
 * const cmp = compareIndicators(losses, a, { transition: 1200, steps, groups });
 * cmp.indicator.forEach((name, r) => console.log(name, cmp.firstWarningStep[r], cmp.leadSteps[r]));
 * console.log(cmp.versusBaselines.text); // e.g. 'SHC warned 40 steps before the best scalar baseline (...)'
 * ```
 */
export function compareIndicators(losses: LossInput | GroupMeanLosses, analysis: Analysis, options: CompareOptions = {}): IndicatorComparison {
  const a = checkAnalysis(analysis, 'compareIndicators');
  const o = resolveOptions(COMPARE_OPTIONS, options);
  const steps = o.steps === undefined ? undefined : checkCheckpointSteps(o.steps, a.rows);
  const { indicator: indicators, results, scalars, warningOptions } = indicatorWarnings(losses, a, { warning: o.warning, steps, groups: o.groups, indicators: o.indicators });
  const R = indicators.length;
  const out: IndicatorComparison = {
    indicator: [...indicators],
    direction: indicators.map(indicatorDirection),
    warningCount: new Int32Array(R),
    firstWarningWindow: new Float64Array(R).fill(NaN),
    firstWarningCheckpoint: new Float64Array(R).fill(NaN),
    firstWarningStep: new Float64Array(R).fill(NaN),
    leadSteps: new Float64Array(R).fill(NaN),
    leadCheckpoints: new Float64Array(R).fill(NaN),
    transition: null,
    warningOptions,
    versusBaselines: { best: null, bestStep: null, shcStep: null, stepsBefore: null, text: '' },
    scalars,
  };
  results.forEach((res, r) => {
    out.warningCount[r] = res.warnings.length;
    if (res.warnings.length > 0) {
      const w = res.warnings[0]!;
      out.firstWarningWindow[r] = w.index;
      out.firstWarningCheckpoint[r] = a.t[w.index]!;
      out.firstWarningStep[r] = w.step;
    }
    if (o.transition !== undefined) {
      const lt = leadTime(res, o.transition, steps);
      out.transition = lt.transition;
      out.leadSteps[r] = lt.leadSteps ?? NaN;
      out.leadCheckpoints[r] = lt.leadCheckpoints ?? NaN;
    }
  });
  out.versusBaselines = baselineVerdict(out);
  return out;
}

/** Every warning of every indicator (what {@link indicatorWarnings} returns). */
export interface IndicatorWarnings {
  /** The indicators, in order. */
  indicator: IndicatorName[];
  /** Per indicator: the detector's result on its series (log scale where {@link scoredOnLogScale}), with every warning. */
  results: WarningResult[];
  /** The scalar indicators computed on the way. */
  scalars: ScalarIndicators;
  /** Step of each window's last checkpoint. */
  windowSteps: Float64Array;
  warningOptions: Omit<ResolvedWarningOptions, 'direction'>;
}

/**
 * The warning detector on every indicator, as {@link compareIndicators} runs it, with every
 * warning of each (not only the first): for rules of your own about which warnings count (e.g.
 * only those within a horizon before the transition).
 *
 * @param losses the T x n losses the analysis ran on, or their {@link GroupMeanLosses}.
 * @param analysis the result of {@link analyze} on them.
 * @throws Rdm2Error as {@link compareIndicators}.
 *
 * @example
 * ```ts
 * const w = indicatorWarnings(losses, analysis, { groups, steps });
 * w.indicator.forEach((name, r) => console.log(name, w.results[r].warnings.map((x) => x.step)));
 * ```
 */
export function indicatorWarnings(losses: LossInput | GroupMeanLosses, analysis: Analysis, options: Omit<CompareOptions, 'transition'> = {}): IndicatorWarnings {
  const a = checkAnalysis(analysis, 'indicatorWarnings');
  const o = resolveOptions(COMPARE_OPTIONS, options);
  const { direction: _unused, ...warningOptions } = resolveWarningOptions(o.warning);
  const steps = o.steps === undefined ? undefined : checkCheckpointSteps(o.steps, a.rows);
  const scalars = scalarIndicators(losses, a, o.groups);
  const groupNames = (scalars.groups?.labels ?? []).flatMap((g): IndicatorName[] => [`meanLoss:${g}`, `variance:${g}`]);
  const indicators = o.indicators ?? [...BUILTINS, ...groupNames];
  const wsteps = windowSteps(a, steps);
  const builtin: Record<BuiltinIndicator, Float64Array> = {
    shc: a.shc,
    pr: a.pr,
    trace: a.trace,
    leadingEigenvalue: scalars.leadingEigenvalue,
    variance: scalars.variance,
    autocorrelation: scalars.autocorrelation,
    meanLoss: scalars.meanLoss,
  };
  const seriesOf = (name: IndicatorName): Float64Array => {
    const g = groupOf(name);
    if (!g) return builtin[name as BuiltinIndicator];
    const k = scalars.groups?.labels.indexOf(g.group) ?? -1;
    if (k < 0) optionError(`indicator ${JSON.stringify(name)} names group ${JSON.stringify(g.group)}, but the groups are ${scalars.groups ? scalars.groups.labels.map((l) => JSON.stringify(l)).join(', ') : 'not given (pass groups)'}`);
    return g.stat === 'meanLoss' ? scalars.groups!.meanLoss[k]! : scalars.groups!.variance[k]!;
  };
  const results = indicators.map((name) => {
    const series = seriesOf(name);
    const scored = scoredOnLogScale(name) ? series.map((v) => (v > 0 ? Math.log(v) : NaN)) : series;
    return detectWarnings(scored, { ...warningOptions, direction: indicatorDirection(name) }, wsteps);
  });
  return { indicator: [...indicators], results, scalars, windowSteps: wsteps, warningOptions };
}
