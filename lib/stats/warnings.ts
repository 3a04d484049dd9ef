// Robust z-score early-warning detector: one online implementation, also used in batch.
import { showValue } from '../show_value.js';
import { Rdm2Error } from '../errors.js';
import { checkSeries, checkSteps } from './series_checks.js';
import { defineOptions, optionError as fail, resolveOptions, type Assert, type SameKeys } from '../option_schema.js';

/** Which side of the baseline counts as an exceedance: SHC and variance rise ('up'), PR falls ('down'). */
export type WarningDirection = 'up' | 'down' | 'both';

/** Options of {@link detectWarnings} and {@link OnlineWarningDetector}. */
export interface WarningOptions {
  /** B: the most trailing finite values forming the baseline (>= 3). Default 40. */
  baseline?: number;
  /**
   * B0: finite values needed before the first score (3 <= B0 <= B); from there the baseline
   * grows with every value until it holds B (an expanding baseline, for short histories).
   * Default min(10, baseline).
   */
  minBaseline?: number;
  /** Threshold on the robust z-score (finite, > 0). Default 6. */
  z?: number;
  /** m: consecutive exceedances needed to raise a warning (>= 1). Default 3. */
  consecutive?: number;
  /** Default 'up'. */
  direction?: WarningDirection;
}

/** The options a detector actually used, echoed in every result. */
export interface ResolvedWarningOptions {
  baseline: number;
  minBaseline: number;
  z: number;
  consecutive: number;
  direction: WarningDirection;
}

/** The options of the warning detector ({@link detectWarnings}, {@link OnlineWarningDetector}). */
export const WARNING_OPTIONS = defineOptions('warning', {
  baseline: {
    type: 'integer',
    min: 3,
    default: 40,
    doc: 'trailing windows forming the robust baseline',
    cli: { flag: '--warn-baseline', value: 'B', doc: 'warnings: trailing windows forming the robust baseline' },
  },
  minBaseline: {
    type: 'integer',
    min: 3,
    defaultDoc: 'min(10, baseline)',
    note: 'at most baseline',
    doc: 'windows needed before the first score (the baseline then grows to baseline)',
    cli: { flag: '--warn-min-baseline', value: 'B0', doc: 'warnings: windows needed before the first score (the baseline then grows to B)' },
  },
  z: { type: 'number', min: 0, exclusiveMin: true, default: 6, doc: 'robust z-score threshold', cli: { flag: '--warn-z', value: 'Z', doc: 'warnings: robust z-score threshold' } },
  consecutive: {
    type: 'integer',
    min: 1,
    default: 3,
    doc: 'consecutive exceedances that raise a warning',
    cli: { flag: '--warn-consecutive', value: 'M', doc: 'warnings: consecutive exceedances that raise a warning' },
  },
  direction: { type: 'enum', values: ['up', 'down', 'both'], default: 'up', doc: "which side of the baseline exceeds: 'up' (SHC, variance), 'down' (PR) or 'both'" },
});

type _WarningSchemaMatches = Assert<SameKeys<typeof WARNING_OPTIONS.fields, WarningOptions>>;

/** The default of `minBaseline` (when it is not larger than `baseline`): the shortest history scored. */
export const DEFAULT_MIN_BASELINE = 10;

/**
 * The baseline of resolved options in words: `40`, or `10 to 40` for an expanding one.
 * @internal
 */
export function baselineText(o: Pick<ResolvedWarningOptions, 'baseline' | 'minBaseline'>): string {
  return o.minBaseline < o.baseline ? `${o.minBaseline} to ${o.baseline}` : `${o.baseline}`;
}

/** Scale factor making the MAD a consistent estimator of a normal standard deviation. */
export const MAD_SCALE = 1.4826;
/** Scale factor making the mean absolute deviation consistent for a normal: sqrt(pi / 2). */
export const MEAN_AD_SCALE = 1.253314;

/**
 * One warning: a run of consecutive exceedances that reached `consecutive` values.
 * Indices are positions in the series (for an {@link Analysis} series: window indices).
 */
export interface Warning {
  /** Index at which the warning fired (the m-th consecutive exceedance). */
  index: number;
  /** Step of `index`. */
  step: number;
  /** Robust z at `index`. */
  z: number;
  /** Series value at `index`. */
  value: number;
  /** First exceedance of the run. */
  startIndex: number;
  startStep: number;
  /** Last exceedance of the run (online: so far). */
  endIndex: number;
  endStep: number;
  /** Most extreme z of the run (largest |z|; online: so far). */
  peakIndex: number;
  peakStep: number;
  peakZ: number;
  peakValue: number;
}

/** What {@link detectWarnings} returns. */
export interface WarningResult {
  /** Robust z of every value: NaN during warm-up (fewer than B0 finite values seen) and for non-finite values. */
  z: Float64Array;
  /** Warnings in firing order; their peak and end cover the whole run. */
  warnings: Warning[];
  /** The options used. */
  options: ResolvedWarningOptions;
}

/** A z or other number as stored in a JSON-safe state: infinities become strings. */
export type StateNumber = number | 'Infinity' | '-Infinity';

/** The run of consecutive exceedances in progress, as stored in a state. */
export interface WarningRunState {
  length: number;
  startIndex: number;
  startStep: number;
  /** Step of the run's last value (its index is `count - 1`: a run in progress ends at the last value pushed). */
  endStep: number;
  peakIndex: number;
  peakStep: number;
  peakZ: StateNumber;
  peakValue: number;
  /** The warning this run raised, once it reached `consecutive` values. */
  fired: { index: number; step: number; z: StateNumber; value: number } | null;
}

/**
 * Everything an {@link OnlineWarningDetector} knows, as plain JSON-safe data
 * (`JSON.parse(JSON.stringify(state))` restores it exactly).
 */
export interface WarningDetectorState {
  version: 1;
  options: ResolvedWarningOptions;
  /** Number of values pushed so far (the index of the next value). */
  count: number;
  /** The last (up to B) finite values, oldest first. */
  baseline: number[];
  /** Robust z of the last value pushed (NaN before any push is stored as null). */
  lastZ: StateNumber | null;
  run: WarningRunState | null;
}

/**
 * Resolves warning options against the defaults and checks them (ERR_RDM2_OPTION on anything
 * out of range or unknown).
 *
 * @example
 * ```ts
 * resolveWarningOptions({ z: 4 }); // { baseline: 40, minBaseline: 10, z: 4, consecutive: 3, direction: 'up' }
 * ```
 * @param _what no longer used (messages name the warning options themselves); kept so existing calls compile.
 */
export function resolveWarningOptions(options: WarningOptions = {}, _what?: string): ResolvedWarningOptions {
  const o = resolveOptions(WARNING_OPTIONS, options);
  const minBaseline = o.minBaseline ?? Math.min(DEFAULT_MIN_BASELINE, o.baseline);
  if (minBaseline > o.baseline) fail(`minBaseline (${minBaseline}) must be at most baseline (${o.baseline})`);
  return { baseline: o.baseline, minBaseline, z: o.z, consecutive: o.consecutive, direction: o.direction };
}

/**
 * Defaults of the warning detector: an expanding baseline from B0 = 10 to B = 40 values, z = 6,
 * m = 3, 'up'. Calibrated on stride-1 windows where consecutive windows share W - 1 rows, so an
 * indicator series is autocorrelated over about W windows and the MAD of a short baseline
 * underestimates its spread: a conventional z = 3 then fires on pure noise in most runs. With
 * these defaults the measured false-alarm rate on white and AR(1) noise controls is at most 5%
 * per run at every history length from 10 to 100 windows (`npm run calibrate:detector`,
 * docs/statistics.md).
 */
export const DEFAULT_WARNING_OPTIONS: Readonly<ResolvedWarningOptions> = Object.freeze(resolveWarningOptions({}));

/** Whether `a` sorts before `b` as Float64Array.prototype.sort orders them (-0 before +0). */
function before(a: number, b: number): boolean {
  return a < b || (a === 0 && b === 0 && 1 / a < 0 && 1 / b > 0);
}

/**
 * The robust z of `x` against the first `n` values of `s`, sorted ascending as
 * Float64Array.prototype.sort sorts them. The MAD is the median of |s_i - median|: those
 * deviations fall to the left of the median and rise to its right, so merging the two sides
 * from the median outwards visits them in ascending order, and the middle one or two are found
 * in O(n) without sorting the deviations (the same values a sort would pick, so the result is
 * the same to the bit).
 */
function robustZSorted(x: number, s: Float64Array, n: number): number {
  const h = n >> 1;
  const med = n % 2 === 1 ? s[h]! : 0.5 * (s[h - 1]! + s[h]!);
  // Deviations of s[0..p) fall with the index, those of s[p..n) rise with it.
  let p = 0;
  while (p < n && s[p]! < med) p++;
  let l = p - 1;
  let r = p;
  let lower = 0; // the deviation of rank h - 1 (even n)
  let mid = 0; // the deviation of rank h
  for (let k = 0; k <= h; k++) {
    const dl = l >= 0 ? Math.abs(s[l]! - med) : Infinity;
    const dr = r < n ? Math.abs(s[r]! - med) : Infinity;
    let d: number;
    if (dl <= dr) {
      d = dl;
      l--;
    } else {
      d = dr;
      r++;
    }
    lower = mid;
    mid = d;
  }
  let scale = MAD_SCALE * (n % 2 === 1 ? mid : 0.5 * (lower + mid));
  if (scale === 0) {
    // The sum in the sorted order robustZ has always used.
    let sumDev = 0;
    for (let i = 0; i < n; i++) sumDev += Math.abs(s[i]! - med);
    scale = (MEAN_AD_SCALE * sumDev) / n;
  }
  const diff = x - med;
  if (scale === 0) return diff === 0 ? 0 : diff > 0 ? Infinity : -Infinity;
  return diff / scale;
}

/**
 * Robust z-score of `x` against `values` (the baseline): (x - median) / (1.4826 MAD).
 * When the MAD is 0 (more than half the baseline is one value), the scale falls back to
 * 1.253314 x the mean absolute deviation from the median; when that is 0 too (the baseline is
 * constant), z is 0 for x equal to the median and +-Infinity otherwise.
 *
 * @example
 * ```ts
 * robustZ(10, [1, 2, 3, 4, 5]); // (10 - 3) / (1.4826 * 1) = 4.7215
 * ```
 */
export function robustZ(x: number, values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) throw new Rdm2Error('ERR_RDM2_SHAPE', 'robustZ needs a non-empty baseline');
  return robustZSorted(x, Float64Array.from(values as ArrayLike<number>).sort(), n);
}

function encode(x: number): StateNumber {
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return x;
}

function decode(x: unknown, what: string): number {
  if (x === 'Infinity') return Infinity;
  if (x === '-Infinity') return -Infinity;
  if (typeof x !== 'number' || Number.isNaN(x)) fail(`invalid warning detector state: ${what} must be a number, got ${showValue(x)}`);
  return x;
}

function finiteNumber(x: unknown, what: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) fail(`invalid warning detector state: ${what} must be a finite number, got ${showValue(x)}`);
  return x;
}

function count(x: unknown, what: string): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) fail(`invalid warning detector state: ${what} must be an integer >= 0, got ${showValue(x)}`);
  return x;
}

interface Run {
  length: number;
  startIndex: number;
  startStep: number;
  endStep: number;
  peakIndex: number;
  peakStep: number;
  peakZ: number;
  peakValue: number;
  fired: { index: number; step: number; z: number; value: number } | null;
}

/**
 * The robust z-score early-warning detector, fed one value at a time. {@link detectWarnings}
 * runs exactly this class over a series, so batch and streaming results agree value for value.
 *
 * Rule: each value x_k is scored against the previous finite values (the baseline), at most B
 * of them: z_k = (x_k - median) / (1.4826 MAD) (see {@link robustZ} for MAD = 0). Until B0
 * (`minBaseline`) finite values have been seen, z is NaN; from then on the baseline grows with
 * every finite value until it holds B, and then trails (an expanding, then sliding, baseline).
 * A value exceeds when z > threshold ('up'), z < -threshold ('down') or |z| > threshold ('both'). A warning fires on the m-th consecutive exceedance; the run then
 * continues (extending the same warning's end and peak) until a value does not exceed.
 * After scoring, every finite value joins the baseline (the oldest leaves).
 *
 * Non-finite values (NaN: degenerate windows) get z = NaN, are not added to the baseline and
 * break a run: m consecutive exceedances must be m consecutive finite values.
 *
 * @example
 * ```ts
 * import { OnlineWarningDetector } from 'rdm2';
 * const det = new OnlineWarningDetector({ baseline: 40, z: 6, consecutive: 3 });
 * for (const [step, shc] of stream) {
 *   const w = det.push(shc, step);
 *   if (w) console.log(`warning at step ${w.step}, z = ${w.z}`);
 * }
 * const saved = JSON.stringify(det.state());
 * const resumed = OnlineWarningDetector.fromState(JSON.parse(saved));
 * ```
 */
export class OnlineWarningDetector {
  /** The options in use. */
  readonly options: ResolvedWarningOptions;
  private ring: Float64Array;
  /** The baseline's values in ascending order (as Float64Array sort orders them): a score needs no sort. */
  private sorted: Float64Array;
  private filled = 0;
  private head = 0; // slot of the oldest value when full
  private count = 0;
  private z = NaN;
  private run: Run | null = null;

  constructor(options: WarningOptions = {}) {
    this.options = resolveWarningOptions(options);
    this.ring = new Float64Array(this.options.baseline);
    this.sorted = new Float64Array(this.options.baseline);
  }

  /** Restores a detector from {@link OnlineWarningDetector.state} (also after a JSON round trip). */
  static fromState(state: WarningDetectorState): OnlineWarningDetector {
    if (typeof state !== 'object' || state === null) fail('invalid warning detector state: not an object');
    if (state.version !== 1) fail(`invalid warning detector state: unsupported version ${showValue(state.version)}`);
    // A state written before the expanding baseline existed scored only full baselines.
    const o = state.options;
    const options = typeof o === 'object' && o !== null && !Object.hasOwn(o, 'minBaseline') ? { ...o, minBaseline: o.baseline } : o;
    const det = new OnlineWarningDetector(options);
    const B = det.options.baseline;
    if (!Array.isArray(state.baseline) || state.baseline.length > B) {
      fail(`invalid warning detector state: baseline must be an array of at most ${B} numbers`);
    }
    state.baseline.forEach((v, i) => (det.ring[i] = finiteNumber(v, `baseline[${i}]`)));
    det.filled = state.baseline.length;
    det.head = 0;
    det.sorted.set(det.ring.subarray(0, det.filled));
    det.sorted.subarray(0, det.filled).sort();
    det.count = count(state.count, 'count');
    det.z = state.lastZ === null ? NaN : decode(state.lastZ, 'lastZ');
    const r = state.run;
    if (r !== null && r !== undefined) {
      if (typeof r !== 'object') fail('invalid warning detector state: run must be an object or null');
      det.run = {
        length: count(r.length, 'run.length'),
        startIndex: count(r.startIndex, 'run.startIndex'),
        startStep: finiteNumber(r.startStep, 'run.startStep'),
        endStep: finiteNumber(r.endStep, 'run.endStep'),
        peakIndex: count(r.peakIndex, 'run.peakIndex'),
        peakStep: finiteNumber(r.peakStep, 'run.peakStep'),
        peakZ: decode(r.peakZ, 'run.peakZ'),
        peakValue: finiteNumber(r.peakValue, 'run.peakValue'),
        fired:
          r.fired === null || r.fired === undefined
            ? null
            : {
                index: count(r.fired.index, 'run.fired.index'),
                step: finiteNumber(r.fired.step, 'run.fired.step'),
                z: decode(r.fired.z, 'run.fired.z'),
                value: finiteNumber(r.fired.value, 'run.fired.value'),
              },
      };
    }
    return det;
  }

  /** A plain, JSON-safe snapshot of the detector (see {@link WarningDetectorState}). */
  state(): WarningDetectorState {
    const r = this.run;
    return {
      version: 1,
      options: { ...this.options },
      count: this.count,
      baseline: this.baselineValues(),
      lastZ: Number.isNaN(this.z) ? null : encode(this.z),
      run:
        r === null
          ? null
          : {
              length: r.length,
              startIndex: r.startIndex,
              startStep: r.startStep,
              endStep: r.endStep,
              peakIndex: r.peakIndex,
              peakStep: r.peakStep,
              peakZ: encode(r.peakZ),
              peakValue: r.peakValue,
              fired: r.fired === null ? null : { ...r.fired, z: encode(r.fired.z) },
            },
    };
  }

  /** Number of values pushed so far (the index the next value gets). */
  get pushed(): number {
    return this.count;
  }

  /** Robust z of the last value pushed (NaN during warm-up or for a non-finite value). */
  get lastZ(): number {
    return this.z;
  }

  /** The warning whose run is still going (end and peak so far), or null. */
  get active(): Warning | null {
    const r = this.run;
    return r !== null && r.fired !== null ? toWarning(r, this.count - 1) : null;
  }

  /** The current baseline, oldest first. */
  baselineValues(): number[] {
    const out: number[] = [];
    const B = this.ring.length;
    for (let i = 0; i < this.filled; i++) out.push(this.ring[(this.head + i) % B]);
    return out;
  }

  /** Inserts `v` into the first `n` sorted values (there is room for it). */
  private insertSorted(v: number, n: number): void {
    const s = this.sorted;
    let i = n;
    while (i > 0 && before(v, s[i - 1]!)) {
      s[i] = s[i - 1]!;
      i--;
    }
    s[i] = v;
  }

  /** Removes one value identical to `v` (the oldest, leaving the baseline) from the full sorted values. */
  private removeSorted(v: number): void {
    const s = this.sorted;
    const n = this.filled;
    let i = 0;
    while (i < n && !(s[i] === v && (v !== 0 || 1 / s[i]! === 1 / v))) i++;
    s.copyWithin(i, i + 1, n);
  }

  /**
   * Scores one value. Returns the warning when this value makes it fire (once per run), else null.
   * @param value the indicator's next value (NaN for a degenerate window).
   * @param step its step; default: its index (the number of values pushed before it).
   */
  push(value: number, step?: number): Warning | null {
    if (typeof value !== 'number') fail(`push(value): value must be a number, got ${typeof value}`);
    const index = this.count;
    const at = step ?? index;
    if (typeof at !== 'number' || !Number.isFinite(at)) fail(`push(value, step): step must be a finite number, got ${showValue(step)}`);
    this.count++;
    if (!Number.isFinite(value)) {
      this.z = NaN;
      this.run = null;
      return null;
    }
    const { baseline: B, minBaseline, z: threshold, consecutive, direction } = this.options;
    const z = this.filled >= minBaseline ? robustZSorted(value, this.sorted, this.filled) : NaN;
    this.z = z;
    // Add the value to the baseline (replacing the oldest once full).
    if (this.filled < B) {
      this.ring[(this.head + this.filled) % B] = value;
      this.insertSorted(value, this.filled);
      this.filled++;
    } else {
      this.removeSorted(this.ring[this.head]!);
      this.insertSorted(value, B - 1);
      this.ring[this.head] = value;
      this.head = (this.head + 1) % B;
    }
    const exceeds = direction === 'up' ? z > threshold : direction === 'down' ? z < -threshold : Math.abs(z) > threshold;
    if (!exceeds) {
      this.run = null;
      return null;
    }
    let r = this.run;
    if (r === null) {
      r = { length: 0, startIndex: index, startStep: at, endStep: at, peakIndex: index, peakStep: at, peakZ: z, peakValue: value, fired: null };
      this.run = r;
    } else if (Math.abs(z) > Math.abs(r.peakZ)) {
      r.peakIndex = index;
      r.peakStep = at;
      r.peakZ = z;
      r.peakValue = value;
    }
    r.length++;
    r.endStep = at;
    if (r.length === consecutive) {
      r.fired = { index, step: at, z, value };
      return toWarning(r, index);
    }
    return null;
  }
}

function toWarning(r: Run, endIndex: number): Warning {
  const f = r.fired!;
  return {
    index: f.index,
    step: f.step,
    z: f.z,
    value: f.value,
    startIndex: r.startIndex,
    startStep: r.startStep,
    endIndex,
    endStep: r.endStep,
    peakIndex: r.peakIndex,
    peakStep: r.peakStep,
    peakZ: r.peakZ,
    peakValue: r.peakValue,
  };
}

/**
 * Robust z-score warnings over a whole series: runs one {@link OnlineWarningDetector} over it
 * (the same code a streaming monitor uses), and reports every warning with its firing index,
 * step, z, and the start, end and peak of its run.
 *
 * For an {@link Analysis}, pass `windowSteps(analysis, checkpointSteps)` as `steps` so that warning
 * steps are the steps of each window's last checkpoint (the moment its value was available).
 *
 * @param series indicator values in time order (e.g. `analysis.shc`); NaN marks degenerate windows.
 * @param options baseline B (default 40), minBaseline B0 (default min(10, B)), z threshold (default 6), consecutive m (default 3), direction (default 'up').
 * @param steps step of each value (same length as `series`); default: the index.
 * @throws Rdm2Error ERR_RDM2_SHAPE if `series` is empty or `steps` has another length; ERR_RDM2_OPTION on bad options.
 *
 * @example
 * ```ts
 * import { analyzeSync, detectWarnings, windowSteps } from 'rdm2';
 * const a = analyzeSync(losses, { window: 20 });
 * const { warnings, z } = detectWarnings(a.shc, { baseline: 40, z: 6, consecutive: 3 }, windowSteps(a, steps));
 * if (warnings.length) console.log('first warning at step', warnings[0].step);
 * ```
 */
export function detectWarnings(series: ArrayLike<number>, options: WarningOptions = {}, steps?: ArrayLike<number>): WarningResult {
  const n = checkSeries(series, 'series');
  if (steps !== undefined) checkSteps(steps, n, 'steps', 'series');
  const det = new OnlineWarningDetector(options);
  const z = new Float64Array(n);
  const warnings: Warning[] = [];
  for (let k = 0; k < n; k++) {
    const fired = det.push(series[k], steps === undefined ? k : steps[k]);
    z[k] = det.lastZ;
    if (fired) warnings.push(fired);
    else if (warnings.length > 0) {
      // Keep the latest warning's end and peak up to date while its run lasts.
      const active = det.active;
      if (active !== null && active.index === warnings[warnings.length - 1].index) warnings[warnings.length - 1] = active;
    }
  }
  return { z, warnings, options: det.options };
}
