// Summary statistics of a per-run quantity (by default the lead time) across groups of runs.
import { showValue } from '../show_value.js';
import { Rdm2Error } from '../errors.js';
import { defineOptions, describeValue, optionError, resolveOptions, type Assert, type SameKeys } from '../option_schema.js';
import { SeededRandom } from './random.js';

/** Options of {@link aggregate}. */
export interface AggregateOptions<R> {
  /** The quantity summarised: a field name or a function of the record. Default 'leadSteps'. Null, undefined and NaN count as missing. */
  value?: (keyof R & string) | ((record: R) => number | null | undefined);
  /** Bootstrap resamples B (100..1000000). Default 2000. */
  bootstrap?: number;
  /** PRNG seed of the bootstrap. Default 0. */
  seed?: number;
  /** Confidence level of the interval, in (0, 1). Default 0.95. */
  level?: number;
}

/** One row per group of runs (groups in order of first appearance). NaN where a group has too few values. */
export interface AggregateTable {
  /** The group key (the `by` value; 'all' without `by`). */
  key: (string | number)[];
  /** Runs in the group. */
  runs: Int32Array;
  /** Runs with a finite value (e.g. runs that warned). */
  used: Int32Array;
  mean: Float64Array;
  /** Sample standard deviation (n - 1); NaN with fewer than 2 values. */
  sd: Float64Array;
  median: Float64Array;
  /** Percentile bootstrap interval of the mean at `level`. */
  ciLow: Float64Array;
  ciHigh: Float64Array;
  /** Name of the summarised quantity ('custom' for a function). */
  value: string;
  level: number;
  bootstrap: number;
  seed: number;
}

const fieldOrFunction = (v: unknown, name: string) => {
  if (typeof v !== 'string' && typeof v !== 'function') optionError(`${name} must be a field name or a function, got ${describeValue(v)}`);
  return v as string | ((record: never) => number | null | undefined);
};

/** The options of {@link aggregate}. */
export const AGGREGATE_OPTIONS = defineOptions('aggregate', {
  value: { type: 'custom', typeDoc: 'a field name or a function', check: fieldOrFunction, default: 'leadSteps', doc: 'the quantity summarised' },
  bootstrap: { type: 'integer', min: 100, max: 1_000_000, default: 2000, doc: 'bootstrap resamples B' },
  seed: { type: 'seed', default: 0, doc: 'PRNG seed of the bootstrap' },
  level: { type: 'number', min: 0, exclusiveMin: true, max: 1, exclusiveMax: true, default: 0.95, doc: 'confidence level of the interval' },
});

type _AggregateSchemaMatches = Assert<SameKeys<typeof AGGREGATE_OPTIONS.fields, AggregateOptions<object>>>;

/**
 * Quantile of sorted values by linear interpolation between order statistics (Hyndman and
 * Fan's type 7, R's default).
 */
function quantile(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Aggregates one quantity of many run records (by default `leadSteps` of {@link summarizeRun}
 * records) per group of runs: count, mean, sample standard deviation, median and a percentile
 * bootstrap interval of the mean (the paper's lag-over-30-seeds figure). Missing values (runs
 * without a warning: null lead) are left out and counted in `runs - used`. The bootstrap
 * restarts from `seed` in every group, so a group's interval depends only on its own values.
 *
 * @param records one record per run (any objects; extra fields such as `seed` or `lr` can be grouped on).
 * @param by a field name or a function giving each record's group; omitted: one group 'all'.
 * @throws Rdm2Error ERR_RDM2_SHAPE on no records; ERR_RDM2_OPTION on bad options or group keys.
 *
 * @example
 * ```ts
 * const records = seeds.map((seed) => ({ ...summarizeRun(analyses[seed], { transition }), width: widthOf(seed) }));
 * const tab = aggregate(records, 'width', { value: 'leadSteps', seed: 1 });
 * tab.key.forEach((k, g) => console.log(k, tab.mean[g], tab.ciLow[g], tab.ciHigh[g]));
 * ```
 */
export function aggregate<R extends object>(
  records: readonly R[],
  by?: (keyof R & string) | ((record: R) => string | number),
  options: AggregateOptions<R> = {},
): AggregateTable {
  if (!Array.isArray(records)) optionError('records must be an array of run records');
  if (records.length === 0) throw new Rdm2Error('ERR_RDM2_SHAPE', 'records is empty: nothing to aggregate');
  const o = resolveOptions(AGGREGATE_OPTIONS, options);
  const value = o.value as (keyof R & string) | ((record: R) => number | null | undefined);
  const { bootstrap: B, seed, level } = o;
  if (by !== undefined) fieldOrFunction(by, 'by');

  const keyOf = (r: R, i: number): string | number => {
    if (by === undefined) return 'all';
    const k = typeof by === 'function' ? by(r) : (r as Record<string, unknown>)[by];
    if (!(typeof k === 'string' || (typeof k === 'number' && Number.isFinite(k)))) {
      optionError(`records[${i}] has group key ${showValue(k)}${typeof by === 'string' ? ` in field '${by}'` : ''}: keys must be strings or finite numbers`);
    }
    return k;
  };
  const valueAt = (r: R, i: number): number => {
    const v = typeof value === 'function' ? value(r) : (r as Record<string, unknown>)[value];
    if (v === null || v === undefined) return NaN;
    if (typeof v !== 'number') optionError(`records[${i}].${typeof value === 'string' ? value : '(value)'} must be a number or null, got ${showValue(v)}`);
    return v;
  };

  const groups = new Map<string | number, number[]>();
  const runs = new Map<string | number, number>();
  records.forEach((r, i) => {
    if (typeof r !== 'object' || r === null) optionError(`records[${i}] is not an object`);
    const k = keyOf(r, i);
    const v = valueAt(r, i);
    if (!groups.has(k)) groups.set(k, []);
    runs.set(k, (runs.get(k) ?? 0) + 1);
    if (Number.isFinite(v)) groups.get(k)!.push(v);
  });

  const keys = [...groups.keys()];
  const G = keys.length;
  const nan = () => new Float64Array(G).fill(NaN);
  const out: AggregateTable = {
    key: keys,
    runs: Int32Array.from(keys, (k) => runs.get(k)!),
    used: Int32Array.from(keys, (k) => groups.get(k)!.length),
    mean: nan(),
    sd: nan(),
    median: nan(),
    ciLow: nan(),
    ciHigh: nan(),
    value: typeof value === 'string' ? value : 'custom',
    level,
    bootstrap: B,
    seed,
  };
  keys.forEach((k, g) => {
    const xs = Float64Array.from(groups.get(k)!);
    const n = xs.length;
    if (n === 0) return;
    let sum = 0;
    for (const x of xs) sum += x;
    const mean = sum / n;
    let ss = 0;
    for (const x of xs) ss += (x - mean) * (x - mean);
    out.mean[g] = mean;
    out.sd[g] = n > 1 ? Math.sqrt(ss / (n - 1)) : NaN;
    const sorted = xs.slice().sort();
    out.median[g] = quantile(sorted, 0.5);
    const rng = new SeededRandom(seed);
    const means = new Float64Array(B);
    for (let b = 0; b < B; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += xs[rng.int(n)];
      means[b] = s / n;
    }
    means.sort();
    out.ciLow[g] = quantile(means, (1 - level) / 2);
    out.ciHigh[g] = quantile(means, 1 - (1 - level) / 2);
  });
  return out;
}
