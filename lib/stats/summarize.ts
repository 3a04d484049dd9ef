// One record per run: what sweeps aggregate.
import { showValue } from '../show_value.js';
import { Rdm2Error } from '../errors.js';
import { defineOptions, resolveOptions, type Assert, type SameKeys } from '../option_schema.js';
import { toLossView } from '../loss_matrix.js';
import type { Analysis, LossInput, ResolvedAnalyzeOptions } from '../types.js';
import { checkAnalysis } from './baselines.js';
import { blockEnergy, type ProbeGroups } from './block_energy.js';
import { checkCheckpointSteps, checkNamedSteps, leadTime, leadTimes, windowSteps, type NamedStep, type Transition, type TransitionLead } from './lead_time.js';
import { localization } from './localization.js';
import { surrogateTestSync, type SurrogateKind, type SurrogateOptions, type SurrogateResult } from './surrogate.js';
import { detectWarnings, type ResolvedWarningOptions, type WarningOptions } from './warnings.js';

/** A surrogate test to run inside {@link summarizeRun}: the losses the analysis ran on plus {@link SurrogateOptions}. */
export interface SurrogateRequest extends SurrogateOptions {
  losses: LossInput;
}

/** Options of {@link summarizeRun}; all optional. */
export interface SummarizeOptions {
  /** Group label per probe, for the block energies of the top eigenvector at the SHC peak. */
  groups?: ProbeGroups;
  /** Transition step or {@link Transition}, for the lead time. Default: the first of `transitions`. */
  transition?: number | Transition;
  /** Several transitions of the run (e.g. one per learning stage), for a lead time per transition (see {@link leadTimes}). */
  transitions?: NamedStep[];
  /** Step of every checkpoint (length T, strictly increasing); default: checkpoint indices. */
  steps?: ArrayLike<number>;
  /** Warning detector options (default: the detector's defaults). */
  warning?: WarningOptions;
  /**
   * A surrogate p-value: either a {@link SurrogateResult} you computed (e.g. with the async
   * {@link surrogateTest}), or a {@link SurrogateRequest}, which is run here synchronously.
   */
  surrogate?: SurrogateResult | SurrogateRequest;
}

/** A window located in time. */
export interface WindowPoint {
  window: number;
  checkpoint: number;
  step: number;
  value: number;
}

/**
 * One run, summarised as plain JSON-friendly data (null = not available). This is the record
 * {@link aggregate} groups and summarises across runs; add your own fields (seed, learning
 * rate, ...) to group by them.
 */
export interface RunSummary {
  rows: number;
  probes: number;
  windows: number;
  degenerateWindows: number;
  analysisOptions: ResolvedAnalyzeOptions;
  warningOptions: ResolvedWarningOptions;
  /** The SHC maximum over non-degenerate windows (value = height). */
  shcPeak: WindowPoint | null;
  /** The PR minimum over non-degenerate windows. */
  prMin: WindowPoint | null;
  /** The first warning on the SHC (value = the SHC there, z = its robust z). */
  firstWarning: (WindowPoint & { z: number }) | null;
  warningCount: number;
  transition: Transition | null;
  /** transition - first warning (positive = early); null without a warning or a transition. */
  leadSteps: number | null;
  leadCheckpoints: number | null;
  /** The lead time before each of several transitions (see {@link leadTimes}); null when `transitions` were not given. */
  transitions: TransitionLead[] | null;
  /** Block energy per group label of the top eigenvector at the SHC peak (needs groups and topK >= 1). */
  blockEnergy: Record<string, number> | null;
  /** Inverse participation ratio of the top eigenvector at the SHC peak (needs topK >= 1). */
  localization: number | null;
  /** The surrogate test of the SHC peak, when asked. */
  surrogate: { pValue: number; count: number; kind: SurrogateKind; seed: number; observed: number } | null;
}

/** Accepts any value: the field is checked where it is used (blockEnergy, leadTime, ...). */
const checkedLater = <T>(v: unknown): T => v as T;

/** The options of {@link summarizeRun}. */
export const SUMMARIZE_OPTIONS = defineOptions('summarizeRun', {
  groups: { type: 'custom', typeDoc: 'a group label per probe', check: checkedLater<ProbeGroups>, doc: 'group label per probe, for the block energies' },
  transition: { type: 'custom', typeDoc: 'a step or a Transition', check: checkedLater<number | Transition>, defaultDoc: 'the first of transitions', doc: 'the transition, for the lead time' },
  transitions: { type: 'custom', typeDoc: 'an array of { label, step }', check: (v: unknown, name: string) => checkNamedSteps(v, name), doc: 'several transitions, for a lead time per transition' },
  steps: { type: 'custom', typeDoc: 'steps', check: checkedLater<ArrayLike<number>>, defaultDoc: 'checkpoint indices', doc: 'step of every checkpoint' },
  warning: { type: 'custom', typeDoc: 'warning options', check: checkedLater<WarningOptions>, defaultDoc: "the detector's defaults", doc: 'warning detector options' },
  surrogate: { type: 'custom', typeDoc: 'a surrogate result or request', check: checkedLater<SurrogateResult | SurrogateRequest>, doc: 'a surrogate p-value' },
});

type _SummarizeSchemaMatches = Assert<SameKeys<typeof SUMMARIZE_OPTIONS.fields, SummarizeOptions>>;

function extremum(series: Float64Array, ws: Float64Array, a: Analysis, sign: 1 | -1): WindowPoint | null {
  let best = -1;
  for (let j = 0; j < series.length; j++) {
    if (!Number.isFinite(series[j])) continue;
    if (best < 0 || sign * series[j] > sign * series[best]) best = j;
  }
  return best < 0 ? null : { window: best, checkpoint: a.t[best], step: ws[best], value: series[best] };
}

function isSurrogateResult(s: object): s is SurrogateResult {
  return 'pValue' in s && 'surrogatePeaks' in s;
}

/**
 * Summarises one analysed run as a single record: the SHC peak (window, checkpoint, step,
 * height), the PR minimum, the first SHC warning and its lead time before the transition, the
 * block energies and localisation of the top eigenvector at the SHC peak, and the surrogate
 * p-value when asked. The groups are used only here, after the analysis: the analysis never
 * sees them.
 *
 * @param analysis the result of {@link analyze} (with topK >= 1 for the eigenvector fields).
 * @throws Rdm2Error ERR_RDM2_SHAPE on groups or steps of the wrong length; ERR_RDM2_OPTION on bad options or a
 *   surrogate result computed with other analysis options.
 *
 * @example
 * ```ts
 * const a = analyzeSync(losses, { window: 20, topK: 1 });
 * const rec = summarizeRun(a, { groups, transition: 1200, steps, surrogate: { losses, count: 99, seed: 1 } });
 * console.log(rec.shcPeak?.step, rec.leadSteps, rec.blockEnergy, rec.surrogate?.pValue);
 * ```
 */
export function summarizeRun(analysis: Analysis, options: SummarizeOptions = {}): RunSummary {
  const a = checkAnalysis(analysis, 'summarizeRun');
  const o = resolveOptions(SUMMARIZE_OPTIONS, options);
  const steps = o.steps === undefined ? undefined : checkCheckpointSteps(o.steps, a.rows);
  const ws = windowSteps(a, steps);
  const res = detectWarnings(a.shc, o.warning ?? {}, ws);
  const shcPeak = extremum(a.shc, ws, a, 1);
  const prMin = extremum(a.pr, ws, a, -1);
  let degenerateWindows = 0;
  for (let j = 0; j < a.windows; j++) degenerateWindows += a.degenerate[j];

  const w = res.warnings[0];
  const firstWarning = w ? { window: w.index, checkpoint: a.t[w.index], step: w.step, value: w.value, z: w.z } : null;
  let transition: Transition | null = null;
  let leadSteps: number | null = null;
  let leadCheckpoints: number | null = null;
  const primary = o.transition ?? o.transitions?.[0]?.step;
  if (primary !== undefined) {
    const lt = leadTime(res, primary, steps);
    transition = lt.transition;
    leadSteps = lt.leadSteps;
    leadCheckpoints = lt.leadCheckpoints;
  }

  let energy: Record<string, number> | null = null;
  let ipr: number | null = null;
  const hasVectors = a.eigenvectors !== undefined && a.options.topK >= 1;
  if (o.groups !== undefined && !hasVectors) {
    throw new Rdm2Error('ERR_RDM2_OPTION', 'summarizeRun needs eigenvectors for block energies: run analyze with topK >= 1');
  }
  if (hasVectors && shcPeak) {
    const n = a.probes;
    const start = shcPeak.window * a.options.topK * n;
    const v = a.eigenvectors!.subarray(start, start + n);
    ipr = localization(v);
    if (o.groups !== undefined) {
      const be = blockEnergy(v, o.groups);
      // Defined, not assigned: a label such as '__proto__' stays an own field.
      energy = Object.fromEntries(be.labels.map((label, g) => [String(label), be.energy[g]!]));
    }
  } else if (o.groups !== undefined) {
    // Validate the groups even when there is no peak to read them at.
    blockEnergy(new Float64Array(a.probes).fill(1), o.groups);
  }

  let surrogate: RunSummary['surrogate'] = null;
  if (o.surrogate !== undefined) {
    const s = o.surrogate;
    if (typeof s !== 'object' || s === null) throw new Rdm2Error('ERR_RDM2_OPTION', 'surrogate must be a surrogateTest result or { losses, kind, count, seed }');
    let r: SurrogateResult;
    if (isSurrogateResult(s)) {
      r = s;
      for (const key of ['window', 'stride', 'detrend', 'transform', 'beta'] as const) {
        if (r.options[key] !== a.options[key]) {
          throw new Rdm2Error('ERR_RDM2_OPTION', `the surrogate result was computed with ${key} = ${showValue(r.options[key])} but the analysis used ${showValue(a.options[key])}`);
        }
      }
    } else {
      const { losses, ...surrogateOptions } = s as SurrogateRequest;
      if (losses === undefined) throw new Rdm2Error('ERR_RDM2_OPTION', 'a surrogate request needs the losses: { losses, kind, count, seed }');
      const view = toLossView(losses);
      if (view.rows !== a.rows || view.cols !== a.probes) {
        throw new Rdm2Error('ERR_RDM2_SHAPE', `surrogate losses are ${view.rows} x ${view.cols} but the analysis ran on ${a.rows} x ${a.probes}`);
      }
      const { topK: _topK, ...analysisOptions } = a.options;
      r = surrogateTestSync(losses, analysisOptions, surrogateOptions);
    }
    surrogate = { pValue: r.pValue, count: r.count, kind: r.kind, seed: r.seed, observed: r.observed };
  }

  return {
    rows: a.rows,
    probes: a.probes,
    windows: a.windows,
    degenerateWindows,
    analysisOptions: a.options,
    warningOptions: res.options,
    shcPeak,
    prMin,
    firstWarning,
    warningCount: res.warnings.length,
    transition,
    leadSteps,
    leadCheckpoints,
    transitions: o.transitions ? leadTimes(res, o.transitions, steps) : null,
    blockEnergy: energy,
    localization: ipr,
    surrogate,
  };
}
