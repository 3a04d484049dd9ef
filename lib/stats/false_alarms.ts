// The warning detector's false-alarm rate, measured on noise controls through the real pipeline
// (losses -> analyze -> SHC -> detector) at several history lengths.
import { analyzeSync } from '../analyze.js';
import { defineOptions, optionError, resolveOptions, type Assert, type SameKeys } from '../option_schema.js';
import { noiseControl } from '../scenarios/noise_control.js';
import { detectWarnings, resolveWarningOptions, type ResolvedWarningOptions, type WarningOptions } from './warnings.js';

/** Options of {@link falseAlarmRates}; every field has a default. */
export interface FalseAlarmOptions {
  /** History lengths H: a run counts as a false alarm at H when a warning fired within its first H windows. Default [10, 20, 40, 100]. */
  histories?: number[];
  /** AR(1) coefficients of the noise controls (0: white noise). Default [0, 0.5, 0.9]. */
  phis?: number[];
  /** Window lengths W of the analysis. Default [20]. */
  windows?: number[];
  /** Probes n of every control. Default 60. */
  probes?: number;
  /** Runs per (phi, W): seeds seed, seed + 1, ... Default 200. */
  seeds?: number;
  /** First seed. Default 1000. */
  seed?: number;
  /** The detector's options. Default: the detector's defaults. */
  warning?: WarningOptions;
  /** Called after each (phi, W) control with the number done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** One row per (phi, W, H), phi-major. */
export interface FalseAlarmTable {
  phi: Float64Array;
  window: Int32Array;
  history: Int32Array;
  /** Runs, and runs with at least one warning within the first H windows. */
  runs: Int32Array;
  alarms: Int32Array;
  /** alarms / runs: the false-alarm rate per run. */
  rate: Float64Array;
  /** Upper end of the Wilson 95% interval of the rate. */
  upper95: Float64Array;
  rows: number;
  probes: number;
  seeds: { first: number; count: number };
  warningOptions: ResolvedWarningOptions;
}

const positiveIntegers = (what: string, min: number) => (v: unknown, name: string): number[] => {
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => Number.isInteger(x) && x >= min)) optionError(`${name} must be a non-empty array of ${what} (integers >= ${min})`);
  return v as number[];
};

/** The options of {@link falseAlarmRates}. */
export const FALSE_ALARM_OPTIONS = defineOptions('falseAlarmRates', {
  histories: { type: 'custom', typeDoc: 'an array of history lengths', default: (): number[] => [10, 20, 40, 100], doc: 'history lengths H in windows', check: positiveIntegers('history lengths', 1) },
  phis: {
    type: 'custom',
    typeDoc: 'an array of AR(1) coefficients',
    default: (): number[] => [0, 0.5, 0.9],
    doc: 'AR(1) coefficients of the noise controls',
    check: (v: unknown, name: string): number[] => {
      if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'number' && x > -1 && x < 1)) optionError(`${name} must be a non-empty array of numbers in (-1, 1)`);
      return v as number[];
    },
  },
  windows: { type: 'custom', typeDoc: 'an array of window lengths', default: (): number[] => [20], doc: 'window lengths W', check: positiveIntegers('window lengths', 2) },
  probes: { type: 'integer', min: 2, max: 100_000, default: 60, doc: 'probes n of every control' },
  seeds: { type: 'integer', min: 1, max: 1_000_000, default: 200, doc: 'runs per control' },
  seed: { type: 'seed', default: 1000, doc: 'first seed' },
  warning: { type: 'custom', typeDoc: 'warning options', check: (v: unknown) => v as WarningOptions, defaultDoc: "the detector's defaults", doc: "the detector's options" },
  onProgress: { type: 'function', doc: 'called after each control' },
});

type _FalseAlarmSchemaMatches = Assert<SameKeys<typeof FALSE_ALARM_OPTIONS.fields, FalseAlarmOptions>>;

/** Upper end of the Wilson score interval (95%) of k successes in n trials. */
export function wilsonUpper(k: number, n: number): number {
  const z = 1.959964;
  const p = k / n;
  const d = 1 + (z * z) / n;
  return Math.min(1, (p + (z * z) / (2 * n) + z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d);
}

/**
 * Measures the warning detector's false-alarm rate per run on noise controls
 * ({@link noiseControl}: white noise, or AR(1) noise with the given phi; nothing happens in them)
 * through the real pipeline: each control of `max(histories) + W - 1` checkpoints is analysed
 * (window W, stride 1, one thread), and the detector runs on its SHC. A run counts as a false
 * alarm at history length H when a warning fired within its first H windows; the detector is
 * causal, so this is the rate of a run H windows long. Deterministic for given options.
 *
 * @throws Rdm2Error ERR_RDM2_OPTION on bad options.
 *
 * @example
 * ```ts
 * const t = falseAlarmRates({ seeds: 200, seed: 1000 });
 * for (let r = 0; r < t.rows; r++) console.log(t.phi[r], t.window[r], t.history[r], t.rate[r]);
 * ```
 */
export function falseAlarmRates(options: FalseAlarmOptions = {}): FalseAlarmTable {
  const o = resolveOptions(FALSE_ALARM_OPTIONS, options);
  const warning = resolveWarningOptions(o.warning ?? {});
  const histories = [...o.histories].sort((a, b) => a - b);
  const maxH = histories[histories.length - 1]!;
  const cells = o.phis.flatMap((phi) => o.windows.map((window) => ({ phi, window })));
  const R = cells.length * histories.length;
  const t: FalseAlarmTable = {
    phi: new Float64Array(R),
    window: new Int32Array(R),
    history: new Int32Array(R),
    runs: new Int32Array(R),
    alarms: new Int32Array(R),
    rate: new Float64Array(R),
    upper95: new Float64Array(R),
    rows: R,
    probes: o.probes,
    seeds: { first: o.seed, count: o.seeds },
    warningOptions: warning,
  };
  cells.forEach(({ phi, window }, c) => {
    const first = new Int32Array(o.seeds).fill(-1);
    for (let s = 0; s < o.seeds; s++) {
      const control = noiseControl({ probes: o.probes, steps: maxH + window - 1, phi, seed: o.seed + s });
      const shc = analyzeSync(control.losses, { window, threads: 1 }).shc;
      const w = detectWarnings(shc, warning).warnings[0];
      if (w) first[s] = w.index;
    }
    histories.forEach((H, h) => {
      const r = c * histories.length + h;
      let alarms = 0;
      for (const f of first) if (f >= 0 && f < H) alarms++;
      t.phi[r] = phi;
      t.window[r] = window;
      t.history[r] = H;
      t.runs[r] = o.seeds;
      t.alarms[r] = alarms;
      t.rate[r] = alarms / o.seeds;
      t.upper95[r] = wilsonUpper(alarms, o.seeds);
    });
    (o.onProgress as FalseAlarmOptions['onProgress'])?.(c + 1, cells.length);
  });
  return t;
}
