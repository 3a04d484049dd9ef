// SHC peaks of a run matched to known event times (the deep-linear demo's mode alignments).
import { showValue } from '../show_value.js';
import { Rdm2Error } from '../errors.js';

/** A local maximum of a series with its topographic prominence. */
export interface SeriesPeak {
  /** Index in the series (for an analysis: the window index). */
  index: number;
  value: number;
  /** Height above the higher of the two lowest points separating it from higher values (or the ends). */
  prominence: number;
}

/**
 * The interior local maxima of `series` (strictly above the left neighbour, at least the right one:
 * the first point of a flat top), each with its topographic prominence: its height above the higher of the two saddles that separate
 * it from a higher value on either side (a side without a higher value reaches to the end).
 * Non-finite values never peak and count as the series' lowest finite value.
 */
export function findPeaks(series: ArrayLike<number>): SeriesPeak[] {
  const N = series.length;
  let low = Infinity;
  for (let i = 0; i < N; i++) if (Number.isFinite(series[i]) && series[i] < low) low = series[i];
  const x = new Float64Array(N);
  for (let i = 0; i < N; i++) x[i] = Number.isFinite(series[i]) ? series[i] : low;
  const out: SeriesPeak[] = [];
  for (let i = 0; i < N; i++) {
    if (!Number.isFinite(series[i])) continue;
    // Interior points only: at either end of the series the value may still be rising or falling.
    if (i === 0 || i === N - 1 || !(x[i] > x[i - 1] && x[i] >= x[i + 1])) continue;
    let leftMin = x[i];
    for (let j = i - 1; j >= 0 && x[j] <= x[i]; j--) if (x[j] < leftMin) leftMin = x[j];
    let rightMin = x[i];
    for (let j = i + 1; j < N && x[j] <= x[i]; j++) if (x[j] < rightMin) rightMin = x[j];
    out.push({ index: i, value: series[i], prominence: x[i] - Math.max(leftMin, rightMin) });
  }
  return out;
}

/** Options of {@link matchPeaks}. */
export interface MatchPeaksOptions {
  /**
   * A peak counts when its prominence is at least this fraction of (series maximum - series
   * median): the median is the noise floor of a run that is mostly plateau. Default 0.3.
   */
  prominence?: number;
  /**
   * Latest step after an event at which a peak can still be matched to it. Default 0: the peak must
   * come at or before the event. (A trailing window also peaks once more about one window length
   * after a sharp event, when the event leaves the window; this bound keeps that echo out.)
   */
  after?: number;
}

/** The peak matched to one event. */
export interface MatchedPeak {
  /** The event's step (NaN for an event that did not happen: nothing is matched). */
  eventStep: number;
  /** Index of the matched peak in the series, or -1. */
  index: number;
  /** Its step, or NaN. */
  step: number;
  /** Its value, or NaN. */
  value: number;
  /** step - eventStep (negative: the peak came first), or NaN. */
  lag: number;
}

/**
 * Matches one series peak to each event: among the prominent peaks (see
 * {@link MatchPeaksOptions.prominence}) lying after the midpoint between the event and the
 * previous event (or the start) and no later than both `after` steps past it and the midpoint to
 * the next event, the one nearest to the event (the earlier on a tie). Events with a NaN step,
 * and events with no such peak, get index -1 and NaN fields.
 *
 * @param series the per-window series (e.g. `analysis.shc`).
 * @param steps the step of each window (same length as `series`, increasing).
 * @param events event steps (any order; NaN = did not happen).
 * @throws Rdm2Error ERR_RDM2_SHAPE when `steps` and `series` differ in length; ERR_RDM2_OPTION on bad options.
 */
export function matchPeaks(series: ArrayLike<number>, steps: ArrayLike<number>, events: ArrayLike<number>, options: MatchPeaksOptions = {}): MatchedPeak[] {
  if (steps.length !== series.length) throw new Rdm2Error('ERR_RDM2_SHAPE', `steps has ${steps.length} values but the series has ${series.length}`);
  const frac = options.prominence ?? 0.3;
  if (typeof frac !== 'number' || !(frac >= 0 && frac <= 1)) throw new Rdm2Error('ERR_RDM2_OPTION', `prominence must be a number in [0, 1], got ${showValue(frac)}`);
  const after = options.after ?? 0;
  if (typeof after !== 'number' || !(after >= 0) || !Number.isFinite(after)) throw new Rdm2Error('ERR_RDM2_OPTION', `after must be a finite number >= 0, got ${showValue(after)}`);

  const finite: number[] = [];
  for (let i = 0; i < series.length; i++) if (Number.isFinite(series[i])) finite.push(series[i]);
  finite.sort((a, b) => a - b);
  const none = (eventStep: number): MatchedPeak => ({ eventStep, index: -1, step: NaN, value: NaN, lag: NaN });
  if (finite.length === 0) return Array.from(events, (e) => none(e));
  const median = finite.length % 2 ? finite[(finite.length - 1) / 2] : (finite[finite.length / 2 - 1] + finite[finite.length / 2]) / 2;
  const minProminence = frac * (finite[finite.length - 1] - median);
  const peaks = findPeaks(series).filter((p) => p.prominence >= minProminence && p.prominence > 0);

  const sorted = Array.from(events).filter((e) => Number.isFinite(e)).sort((a, b) => a - b);
  return Array.from(events, (e) => {
    if (!Number.isFinite(e)) return none(e);
    const k = sorted.indexOf(e);
    const lo = k > 0 ? (sorted[k - 1] + e) / 2 : -Infinity;
    const hi = Math.min(e + after, k < sorted.length - 1 ? (e + sorted[k + 1]) / 2 : Infinity);
    let best: SeriesPeak | null = null;
    for (const p of peaks) {
      const s = steps[p.index];
      if (!(s > lo && s <= hi)) continue;
      if (best === null || Math.abs(s - e) < Math.abs(steps[best.index] - e)) best = p;
    }
    if (best === null) return none(e);
    const step = steps[best.index];
    return { eventStep: e, index: best.index, step, value: best.value, lag: step - e };
  });
}
