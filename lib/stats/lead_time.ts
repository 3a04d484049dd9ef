// Lead time of a warning before a transition, and transition times derived from a metric.
import { showValue } from '../show_value.js';
import { throwRdm2Error } from '../errors.js';
import { defineOptions, resolveOptions, type Assert, type SameKeys } from '../option_schema.js';
import type { Analysis } from '../types.js';
import { checkSeries, checkSteps } from './series_checks.js';
import type { Warning, WarningResult } from './warnings.js';

/** A transition time: the checkpoint index and its step. */
export interface Transition {
  /** Checkpoint (row) index of the transition. */
  checkpoint: number;
  /** Training step of that checkpoint. */
  step: number;
}

/** A transition found by {@link transitionFromMetric}, with the rule that found it. */
export interface MetricTransition extends Transition {
  /** Step where the straight line between the last checkpoint before and this one meets the threshold. */
  interpolatedStep: number;
  /** The metric's value at `checkpoint`. */
  value: number;
  threshold: number;
  direction: 'up' | 'down';
}

/** Options of {@link transitionFromMetric}. */
export interface TransitionRule {
  /** The level the metric crosses (e.g. 0.5 for test accuracy). Required. */
  threshold: number;
  /** 'up': first reaches >= threshold from below (accuracy); 'down': first reaches <= threshold from above (loss). Default 'up'. */
  direction?: 'up' | 'down';
}

/** What {@link leadTime} returns. `null` fields mean "no warning". */
export interface LeadTime {
  /** The first warning, or null when none fired. */
  firstWarning: Warning | null;
  /** The transition used. */
  transition: Transition;
  /** transition step - first warning step (positive = warned early), or null. */
  leadSteps: number | null;
  /** transition checkpoint - first warning checkpoint (positive = warned early), or null. */
  leadCheckpoints: number | null;
}

/** The fields of a {@link TransitionRule} (the options of {@link transitionFromMetric}). */
export const TRANSITION_RULE_OPTIONS = defineOptions(
  'transition rule',
  {
    threshold: { type: 'number', required: true, doc: 'the level the metric crosses' },
    direction: { type: 'enum', values: ['up', 'down'], default: 'up', doc: "'up': first reaches >= threshold from below; 'down': <= from above" },
  },
  'transitionFromMetric needs a rule { threshold, direction }',
);

type _TransitionRuleSchemaMatches = Assert<SameKeys<typeof TRANSITION_RULE_OPTIONS.fields, TransitionRule>>;


/**
 * Checks that per-checkpoint steps are finite and strictly increasing.
 * @internal
 */
export function checkCheckpointSteps(steps: unknown, rows: number | undefined, what = 'steps'): ArrayLike<number> {
  if (steps === null || typeof steps !== 'object' || typeof (steps as ArrayLike<number>).length !== 'number') {
    throwRdm2Error('ERR_RDM2_OPTION', `${what} must be an array or typed array of numbers`);
  }
  const s = steps as ArrayLike<number>;
  if (s.length === 0) throwRdm2Error('ERR_RDM2_SHAPE', `${what} is empty`);
  if (rows !== undefined) checkSteps(s, rows, what, `the run (T checkpoints)`);
  else checkSteps(s, s.length, what, what);
  for (let k = 1; k < s.length; k++) {
    if (!(s[k] > s[k - 1])) throwRdm2Error('ERR_RDM2_OPTION', `${what} must be strictly increasing, but ${what}[${k}] = ${s[k]} follows ${s[k - 1]}`);
  }
  return s;
}

/**
 * The step of each window of an analysis: `steps[t[j]]`, the step of window j's last checkpoint
 * (the moment its value became available), or `t[j]` itself when no steps are given.
 * Pass it to {@link detectWarnings} so warnings carry steps.
 *
 * @param steps training step of every checkpoint (length T, strictly increasing).
 * @throws Rdm2Error ERR_RDM2_SHAPE if `steps` does not have one value per checkpoint.
 *
 * @example
 * ```ts
 * const a = analyzeSync(losses, { window: 20 });
 * const ws = windowSteps(a, steps); // ws[j] = steps[a.t[j]]
 * const res = detectWarnings(a.shc, {}, ws);
 * ```
 */
export function windowSteps(analysis: Analysis, steps?: ArrayLike<number>): Float64Array {
  const out = new Float64Array(analysis.windows);
  if (steps === undefined) {
    for (let j = 0; j < out.length; j++) out[j] = analysis.t[j];
    return out;
  }
  checkCheckpointSteps(steps, analysis.rows);
  for (let j = 0; j < out.length; j++) out[j] = steps[analysis.t[j]];
  return out;
}

/**
 * Derives a transition from a metric series recorded at the checkpoints: the first checkpoint
 * where the metric has crossed `threshold` (reached it from the other side: >= for 'up',
 * <= for 'down'), after at least one checkpoint on the other side. NaN values are skipped.
 * Returns null when the metric never crosses.
 *
 * @param metric one value per checkpoint (e.g. test accuracy).
 * @param steps step of each checkpoint (strictly increasing), or undefined for checkpoint indices.
 * @throws Rdm2Error ERR_RDM2_SHAPE if `metric` is empty or `steps` has another length; ERR_RDM2_OPTION on a bad rule.
 *
 * @example
 * ```ts
 * const tr = transitionFromMetric([0.1, 0.2, 0.45, 0.7, 0.9], [0, 100, 200, 300, 400], { threshold: 0.5 });
 * // { checkpoint: 3, step: 300, interpolatedStep: 220, value: 0.7, threshold: 0.5, direction: 'up' }
 * ```
 */
export function transitionFromMetric(
  metric: ArrayLike<number>,
  steps: ArrayLike<number> | undefined,
  rule: TransitionRule,
): MetricTransition | null {
  const n = checkSeries(metric, 'metric');
  if (steps !== undefined && steps !== null) checkCheckpointSteps(steps, n);
  const { threshold, direction } = resolveOptions(TRANSITION_RULE_OPTIONS, rule);
  const past = (v: number) => (direction === 'up' ? v >= threshold : v <= threshold);
  const stepOf = (k: number) => (steps ? steps[k] : k);
  let before = -1; // last finite checkpoint on the other side
  for (let k = 0; k < n; k++) {
    const v = metric[k];
    if (!Number.isFinite(v)) continue;
    if (!past(v)) {
      before = k;
      continue;
    }
    if (before < 0) continue; // started past the threshold: not a crossing yet
    const v0 = metric[before];
    const s0 = stepOf(before);
    const s1 = stepOf(k);
    const interpolatedStep = v === v0 ? s1 : s0 + ((threshold - v0) / (v - v0)) * (s1 - s0);
    return { checkpoint: k, step: s1, interpolatedStep, value: v, threshold, direction };
  }
  return null;
}

function lastAtOrBefore(steps: ArrayLike<number>, s: number): number {
  let lo = 0;
  let hi = steps.length - 1;
  if (s < steps[0]) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (steps[mid] <= s) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Lead time of the first warning before a transition: transition minus first warning, in steps
 * and in checkpoints (positive = warned early, negative = warned late). Null leads when no
 * warning fired.
 *
 * Checkpoints are counted with `steps` (the step of every checkpoint): a step maps to the last
 * checkpoint at or before it. Without `steps`, steps are checkpoint indices and both leads agree.
 *
 * @param warnings a {@link detectWarnings} result or its `warnings` array (in firing order).
 * @param transition a step, or a {@link Transition} (e.g. from {@link transitionFromMetric}).
 * @param steps step of every checkpoint (strictly increasing), to count checkpoints.
 * @throws Rdm2Error ERR_RDM2_OPTION on a transition that is not a finite step or a Transition.
 *
 * @example
 * ```ts
 * const res = detectWarnings(a.shc, {}, windowSteps(a, steps));
 * const lt = leadTime(res, transitionFromMetric(testAcc, steps, { threshold: 0.5 })!, steps);
 * console.log(lt.leadSteps, lt.leadCheckpoints);
 * ```
 */
export function leadTime(
  warnings: WarningResult | readonly Warning[],
  transition: number | Transition,
  steps?: ArrayLike<number>,
): LeadTime {
  const list: readonly Warning[] = Array.isArray(warnings) ? warnings : (warnings as WarningResult)?.warnings;
  if (!Array.isArray(list)) throwRdm2Error('ERR_RDM2_OPTION', 'warnings must be a detectWarnings result or an array of warnings');
  if (steps !== undefined) checkCheckpointSteps(steps, undefined);
  const toCheckpoint = (s: number) => (steps === undefined ? s : lastAtOrBefore(steps, s));
  let tr: Transition;
  if (typeof transition === 'number') {
    if (!Number.isFinite(transition)) throwRdm2Error('ERR_RDM2_OPTION', `transition must be a finite step, got ${transition}`);
    tr = { step: transition, checkpoint: toCheckpoint(transition) };
  } else if (typeof transition === 'object' && transition !== null && Number.isFinite(transition.step) && Number.isFinite(transition.checkpoint)) {
    tr = { step: transition.step, checkpoint: transition.checkpoint };
  } else {
    throwRdm2Error('ERR_RDM2_OPTION', `transition must be a finite step or { checkpoint, step }, got ${showValue(transition)}`);
  }
  if (list.length === 0) return { firstWarning: null, transition: tr, leadSteps: null, leadCheckpoints: null };
  let first = list[0];
  for (const w of list) if (w.index < first.index) first = w;
  return {
    firstWarning: first,
    transition: tr,
    leadSteps: tr.step - first.step,
    leadCheckpoints: tr.checkpoint - toCheckpoint(first.step),
  };
}

/** A named step, e.g. `{ label: 'mode 1', step: 650 }`: one of several transitions of a run. */
export interface NamedStep {
  label: string;
  step: number;
}

/** The lead time of the warnings before one of several transitions (see {@link leadTimes}). */
export interface TransitionLead {
  label: string;
  step: number;
  /** Checkpoint of the transition (the last checkpoint at or before its step). */
  checkpoint: number;
  /** Step of the warning counted for this transition: the first fired after the previous transition; null when none. */
  warningStep: number | null;
  /** step - warningStep (positive = warned early, negative = the first warning after the previous transition came after this one), or null. */
  leadSteps: number | null;
  leadCheckpoints: number | null;
}

/**
 * Checks named transition steps and sorts them by step.
 * @internal
 */
export function checkNamedSteps(transitions: unknown, what = 'transitions'): NamedStep[] {
  if (!Array.isArray(transitions) || transitions.length === 0) throwRdm2Error('ERR_RDM2_OPTION', `${what} must be a non-empty array of { label, step }`);
  const out = transitions.map((t, i) => {
    if (typeof t !== 'object' || t === null || typeof (t as NamedStep).label !== 'string' || typeof (t as NamedStep).step !== 'number' || !Number.isFinite((t as NamedStep).step)) {
      throwRdm2Error('ERR_RDM2_OPTION', `${what}[${i}] must be { label: string, step: finite number }, got ${JSON.stringify(t)}`);
    }
    return { label: (t as NamedStep).label, step: (t as NamedStep).step };
  });
  return out.sort((a, b) => a.step - b.step);
}

/**
 * Lead times before several transitions of one run (e.g. the stages of a deep linear network,
 * each mode's alignment). Transitions are taken in step order; transition k is credited with the
 * first warning that fired after transition k - 1 (any warning for the first one), so a warning
 * between two transitions counts as an early warning of the next one. The lead is the
 * transition's step minus that warning's step: positive = early, negative = the first warning
 * after the previous transition came only after this one. Null when no warning fired after the
 * previous transition. With one transition this is {@link leadTime}.
 *
 * @param warnings a {@link detectWarnings} result or its `warnings` array.
 * @param transitions the named transition steps (any order).
 * @param steps step of every checkpoint (strictly increasing), to count checkpoints.
 * @throws Rdm2Error ERR_RDM2_OPTION on malformed transitions or warnings.
 *
 * @example
 * ```ts
 * const res = detectWarnings(a.shc, {}, windowSteps(a, steps));
 * leadTimes(res, [{ label: 'mode 1', step: 650 }, { label: 'mode 2', step: 1400 }], steps);
 * // [{ label: 'mode 1', step: 650, checkpoint: 650, warningStep: 610, leadSteps: 40, leadCheckpoints: 40 }, ...]
 * ```
 */
export function leadTimes(warnings: WarningResult | readonly Warning[], transitions: readonly NamedStep[], steps?: ArrayLike<number>): TransitionLead[] {
  const list: readonly Warning[] = Array.isArray(warnings) ? warnings : (warnings as WarningResult)?.warnings;
  if (!Array.isArray(list)) throwRdm2Error('ERR_RDM2_OPTION', 'warnings must be a detectWarnings result or an array of warnings');
  if (steps !== undefined) checkCheckpointSteps(steps, undefined);
  const toCheckpoint = (s: number) => (steps === undefined ? s : lastAtOrBefore(steps, s));
  const sorted = [...list].sort((a, b) => a.index - b.index);
  let previous = -Infinity;
  return checkNamedSteps(transitions).map((t) => {
    const w = sorted.find((x) => x.step > previous);
    previous = t.step;
    const checkpoint = toCheckpoint(t.step);
    if (!w) return { label: t.label, step: t.step, checkpoint, warningStep: null, leadSteps: null, leadCheckpoints: null };
    return { label: t.label, step: t.step, checkpoint, warningStep: w.step, leadSteps: t.step - w.step, leadCheckpoints: checkpoint - toCheckpoint(w.step) };
  });
}
