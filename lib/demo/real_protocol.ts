// The rules by which the demo judges the real runs, fixed before any held-out seed was analysed:
// which seeds choose the settings and which report them, the grid of settings, what counts as an
// early warning (a horizon before the transition), and one run's evaluation under one setting.
import { analyze } from '../analyze.js';
import { groupMeanLosses, indicatorWarnings, type IndicatorName } from '../stats/baselines.js';
import type { Warning } from '../stats/warnings.js';
import type { Analysis, Detrend, LossTransform } from '../types.js';
import { subsampleRun, type RealRun } from './real_runs.js';

/** Seeds on which the settings are chosen (by {@link chooseRealSettings}); nothing is reported on them. */
export const CHOICE_SEEDS: readonly number[] = Object.freeze([0, 1, 2, 3, 4]);
/** Seeds on which the chosen settings are reported; they took no part in any choice. */
export const REPORT_SEEDS: readonly number[] = Object.freeze([5, 6, 7, 8, 9]);

/** Surrogates per held-out run for the p-value of the SHC peak (circular shifts, seeded by the run's seed). */
export const REAL_SURROGATES = 99;

/** One way to analyse a recording: the settings the demo chooses among. */
export interface RealAnalysisSettings {
  /** Use every `cadence`-th recorded checkpoint (1: every 5 steps as recorded; 2: every 10; 4: every 20). */
  cadence: number;
  /** Window length W, in checkpoints after subsampling. */
  window: number;
  transform: LossTransform;
  detrend: Detrend;
  /** Inverse temperature of the SHC (other indicators do not depend on it). */
  beta: number;
}

/**
 * The grid the settings are chosen from, in order of preference for ties: the values nearest the
 * library's defaults (cadence as recorded, W = 20, no transform, no detrending, beta = 1) first.
 * The warning detector is not tuned: it keeps its defaults (baseline 10 growing to 40 windows,
 * z = 6, 3 in a row), whose false-alarm rate was measured on noise controls (docs/statistics.md);
 * five seeds could not calibrate a threshold.
 */
export const SETTINGS_GRID = Object.freeze({
  cadence: [1, 2, 4],
  window: [20, 10, 40],
  transform: ['none', 'log'] as LossTransform[],
  detrend: ['none', 'linear'] as Detrend[],
  beta: [1, 0.5, 2],
});

/** Every cell of {@link SETTINGS_GRID}, in order of preference (cadence, then window, transform, detrend, beta). */
export function gridCells(): RealAnalysisSettings[] {
  const g = SETTINGS_GRID;
  return g.cadence.flatMap((cadence) =>
    g.window.flatMap((window) => g.transform.flatMap((transform) => g.detrend.flatMap((detrend) => g.beta.map((beta) => ({ cadence, window, transform, detrend, beta }))))),
  );
}

/** Settings in a few words, e.g. `every 10 steps, W 20, log, linear, beta 1`. */
export function settingsText(s: RealAnalysisSettings, stepsPerCheckpoint: number): string {
  return `every ${s.cadence * stepsPerCheckpoint} steps, W ${s.window}, ${s.transform}, ${s.detrend}${s.beta === 1 ? '' : `, beta ${s.beta}`}`;
}

/**
 * What counts as an early warning, fixed before the held-out seeds were analysed: a warning that
 * fires in the second half of the time before the transition, at a step in
 * [start + (transition - start) / 2, transition). A warning before that (e.g. during the first fast
 * drop of the loss) is too early to be read as a warning of this transition and counts as a false
 * alarm; a warning at or after the transition is late.
 */
export const HORIZON_FRACTION = 0.5;

/** First step of the early-warning horizon of a run (see {@link HORIZON_FRACTION}). */
export function horizonStart(firstStep: number, transition: number): number {
  return firstStep + (1 - HORIZON_FRACTION) * (transition - firstStep);
}

/** How an indicator's warnings in one run fall against the transition. */
export interface WarningOutcome {
  /** Step of the first warning fired within the horizon, or null (no early warning). */
  hitStep: number | null;
  /** transition - hitStep, or null. */
  leadSteps: number | null;
  /** A warning fired before the horizon (a false alarm). */
  tooEarly: boolean;
  /** Warnings fired over the whole run. */
  warnings: number;
}

/** Classifies a run's warnings (in firing order) by the step each fired at. */
export function classifyWarnings(warnings: readonly Pick<Warning, 'step'>[], firstStep: number, transition: number): WarningOutcome {
  const from = horizonStart(firstStep, transition);
  let hitStep: number | null = null;
  let tooEarly = false;
  for (const w of warnings) {
    if (w.step < from) tooEarly = true;
    else if (w.step < transition && hitStep === null) hitStep = w.step;
  }
  return { hitStep, leadSteps: hitStep === null ? null : transition - hitStep, tooEarly, warnings: warnings.length };
}

/**
 * The fractions the threshold baseline chooses among ({@link shiftWarnings}), in order of
 * preference for ties (10% first: the drop of the mean test loss a new user compared a grokking
 * run's SHC warning with, issue 11).
 */
export const SHIFT_FRACTIONS: readonly number[] = Object.freeze([0.1, 0.05, 0.2, 0.5]);

/**
 * The simplest baseline a researcher watches, as a rule: a warning whenever a series (a probe
 * group's mean loss at each checkpoint) has moved by the fraction `f` from its highest or lowest
 * value since the previous warning (or the start): `x <= (1 - f) max` or `x >= (1 + f) min`. Each
 * warning restarts the extremes from its own value. No window and no transform.
 *
 * @example
 * ```ts
 * shiftWarnings(Float64Array.of(1, 0.95, 0.85, 0.8), Float64Array.of(0, 5, 10, 15), 0.1); // [{ step: 10 }]
 * ```
 */
export function shiftWarnings(series: ArrayLike<number>, steps: ArrayLike<number>, f: number): { step: number }[] {
  const out: { step: number }[] = [];
  let hi = series[0]!;
  let lo = series[0]!;
  for (let t = 1; t < series.length; t++) {
    const x = series[t]!;
    if (x <= (1 - f) * hi || x >= (1 + f) * lo) {
      out.push({ step: steps[t]! });
      hi = x;
      lo = x;
    } else {
      if (x > hi) hi = x;
      if (x < lo) lo = x;
    }
  }
  return out;
}

/** Per group: the {@link shiftWarnings} of the group's mean loss at fraction `f`, classified against the transition. */
export function evaluateShifts(run: RealRun, f: number): { group: string; outcome: WarningOutcome }[] {
  const m = groupMeanLosses(run.losses, run.groups, 'none');
  const G = m.labels.length;
  return m.labels.map((group, g) => {
    const series = Float64Array.from({ length: m.rows }, (_, r) => m.means[r * G + g]!);
    return { group, outcome: classifyWarnings(shiftWarnings(series, run.steps, f), run.steps[0]!, run.transition) };
  });
}

/** A run analysed at one setting: the analysis, and every indicator's outcome. */
export interface EvaluatedRun {
  run: RealRun;
  settings: RealAnalysisSettings;
  analysis: Analysis;
  /** The losses analysed (every `cadence`-th checkpoint). */
  losses: RealRun['losses'];
  /** Steps of the (subsampled) checkpoints. */
  steps: Float64Array;
  /** Step of each window's last checkpoint. */
  windowSteps: Float64Array;
  indicator: IndicatorName[];
  outcome: WarningOutcome[];
}

/**
 * Analyses one run at one setting and runs the default warning detector on every indicator of
 * `compareIndicators` (the SHC, PR, trace, lambda_1, the mean loss' variance, lag-1
 * autocorrelation and level, and each group's mean loss and variance), classifying each one's
 * warnings against the transition ({@link classifyWarnings}).
 *
 * @param options `indicators`: only these (default all); `topK`: eigenvectors to keep (default 0).
 */
export async function evaluateRun(
  run: RealRun,
  settings: RealAnalysisSettings,
  options: { indicators?: IndicatorName[]; topK?: number; threads?: number } = {},
): Promise<EvaluatedRun> {
  const sub = subsampleRun(run, settings.cadence);
  const analysis = await analyze(sub.losses, {
    window: settings.window,
    transform: settings.transform,
    detrend: settings.detrend,
    beta: settings.beta,
    topK: options.topK ?? 0,
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
  });
  const w = indicatorWarnings(sub.losses, analysis, { steps: sub.steps, groups: run.groups, ...(options.indicators ? { indicators: options.indicators } : {}) });
  const outcome = w.results.map((res) => classifyWarnings(res.warnings, sub.steps[0]!, run.transition));
  return { run, settings, analysis, losses: sub.losses, steps: sub.steps, windowSteps: w.windowSteps, indicator: w.indicator, outcome };
}
