// Significance of the SHC peak against surrogate data that keep each probe's own statistics
// but destroy the timing shared across probes.
import { analyze, analyzeSync } from '../analyze.js';
import { Rdm2Error } from '../errors.js';
import { defineOptions, describeValue, optionError, resolveOptions, type Assert, type SameKeys } from '../option_schema.js';
import { toLossView } from '../loss_matrix.js';
import type { Analysis, AnalyzeOptions, LossInput, ResolvedAnalyzeOptions } from '../types.js';
import { SeededRandom } from './random.js';

/** How surrogates are made. */
export type SurrogateKind = 'circular-shift' | 'shuffle';

/** Options of {@link surrogateTest}. */
export interface SurrogateOptions {
  /**
   * 'circular-shift' (default): each probe's series is rotated in time by its own uniform random
   * offset in [0, T): keeps every probe's distribution and autocorrelation, breaks the alignment
   * between probes. 'shuffle': each probe's series is permuted in time by its own random
   * permutation: also destroys autocorrelation.
   */
  kind?: SurrogateKind;
  /** Number of surrogates B (1..100000). Default 99 (smallest attainable p = 0.01). */
  count?: number;
  /** PRNG seed (safe integer). Default 0. The same seed gives the same surrogates and p-value. */
  seed?: number;
  /**
   * The windows the peak is taken over, `[first, end)` window indices, in the observed run and in
   * every surrogate alike (e.g. the windows around a known transition). Default: every window.
   */
  peakRange?: [number, number];
}

/** What {@link surrogateTest} returns. */
export interface SurrogateResult {
  /** (1 + #{surrogate peak >= observed peak}) / (count + 1). */
  pValue: number;
  /** The observed SHC peak (max over the non-degenerate windows of `peakRange`) and its window. */
  observed: number;
  observedWindow: number;
  /** SHC peak of every surrogate over the same windows (-Infinity if all of them are degenerate). */
  surrogatePeaks: Float64Array;
  /** Surrogates whose peak reached the observed one. */
  exceedances: number;
  count: number;
  kind: SurrogateKind;
  seed: number;
  /** The windows the peaks were taken over, `[first, end)`. */
  peakRange: [number, number];
  /** The analysis options used (topK forced to 0: eigenvectors are not needed). */
  options: ResolvedAnalyzeOptions;
}

/** The options of {@link surrogateTest} (its third argument). */
export const SURROGATE_OPTIONS = defineOptions(
  'surrogate',
  {
    kind: { type: 'enum', values: ['circular-shift', 'shuffle'], default: 'circular-shift', doc: "how each probe's series is scrambled" },
    count: { type: 'integer', min: 1, max: 100_000, default: 99, doc: 'number of surrogates B' },
    seed: { type: 'seed', default: 0, doc: 'PRNG seed' },
    peakRange: {
      type: 'custom',
      typeDoc: 'two window indices [first, end)',
      defaultDoc: 'every window',
      doc: 'the windows the peak is taken over',
      check: (v: unknown, name: string): [number, number] => {
        if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => Number.isSafeInteger(x) && x >= 0) || !(v[0] < v[1])) {
          optionError(`${name} must be two window indices [first, end) with 0 <= first < end, got ${describeValue(v)}`);
        }
        return [v[0], v[1]];
      },
    },
  },
  'surrogateTest needs surrogate options { kind, count, seed }',
);

type _SurrogateSchemaMatches = Assert<SameKeys<typeof SURROGATE_OPTIONS.fields, SurrogateOptions>>;

interface Plan {
  src: Float64Array;
  T: number;
  n: number;
  opts: AnalyzeOptions;
  kind: SurrogateKind;
  count: number;
  seed: number;
  peakRange: [number, number] | undefined;
}

function plan(losses: LossInput, opts: AnalyzeOptions, options: SurrogateOptions): Plan {
  const view = toLossView(losses);
  if (typeof opts !== 'object' || opts === null) throw new Rdm2Error('ERR_RDM2_OPTION', 'surrogateTest needs analysis options with at least { window }');
  const { kind, count, seed, peakRange } = resolveOptions(SURROGATE_OPTIONS, options);
  const { rows: T, cols: n } = view;
  const src = new Float64Array(T * n);
  for (let t = 0; t < T; t++) for (let c = 0; c < n; c++) src[t * n + c] = view.data[t * view.rowStride + c * view.colStride];
  return { src, T, n, opts: { ...opts, topK: 0 }, kind, count, seed, peakRange };
}

function* surrogates(p: Plan): Generator<Float64Array> {
  const { src, T, n } = p;
  const rng = new SeededRandom(p.seed);
  const buf = new Float64Array(T * n);
  const perm = new Int32Array(T);
  for (let b = 0; b < p.count; b++) {
    for (let c = 0; c < n; c++) {
      if (p.kind === 'circular-shift') {
        const o = rng.int(T);
        for (let t = 0; t < T; t++) buf[t * n + c] = src[((t + o) % T) * n + c];
      } else {
        for (let t = 0; t < T; t++) perm[t] = t;
        rng.shuffle(perm);
        for (let t = 0; t < T; t++) buf[t * n + c] = src[perm[t] * n + c];
      }
    }
    yield buf;
  }
}

/** The windows of a plan's peak range in an analysis (all by default); a range past the last window is an error. */
function rangeOf(p: Plan, a: Analysis): [number, number] {
  if (p.peakRange === undefined) return [0, a.windows];
  if (p.peakRange[1] > a.windows) throw new Rdm2Error('ERR_RDM2_OPTION', `peakRange [${p.peakRange.join(', ')}) goes past the last window: the analysis has ${a.windows} windows`);
  return p.peakRange;
}

function peak(a: Analysis, [from, to]: [number, number]): { value: number; index: number } {
  let value = -Infinity;
  let index = -1;
  for (let j = from; j < to; j++) {
    const v = a.shc[j];
    if (v > value) {
      value = v;
      index = j;
    }
  }
  return { value, index };
}

function finish(p: Plan, observed: Analysis, peaks: Float64Array, range: [number, number]): SurrogateResult {
  const obs = peak(observed, range);
  if (obs.index < 0) throw new Rdm2Error('ERR_RDM2_SHAPE', `every window${p.peakRange ? ' of peakRange' : ''} of the observed losses is degenerate: there is no SHC peak to test`);
  let exceedances = 0;
  for (const s of peaks) if (s >= obs.value) exceedances++;
  return {
    pValue: (1 + exceedances) / (p.count + 1),
    observed: obs.value,
    observedWindow: obs.index,
    surrogatePeaks: peaks,
    exceedances,
    count: p.count,
    kind: p.kind,
    seed: p.seed,
    peakRange: range,
    options: observed.options,
  };
}

/**
 * Surrogate-data test of the SHC peak: is the observed maximum of the SHC higher than the
 * maxima of B surrogate runs in which each probe keeps its own series but the timing shared
 * across probes is destroyed? p = (1 + #{surrogate peak >= observed}) / (B + 1), the usual
 * Monte-Carlo p-value (never 0). Every analysis (observed and surrogates) runs on the native
 * core through {@link analyze}, with the same options; surrogates are generated from `seed`
 * alone, so the result is reproducible.
 *
 * Cost: B + 1 analyses of the whole run. Use {@link surrogateTestSync} in scripts.
 *
 * @param losses T x n losses.
 * @param opts analysis options (as for {@link analyze}; topK is ignored).
 * @throws Rdm2Error ERR_RDM2_OPTION on bad options; errors of {@link analyze} on bad losses.
 *
 * @example
 * ```ts
 * const r = await surrogateTest(losses, { window: 20 }, { kind: 'circular-shift', count: 99, seed: 1 });
 * if (r.pValue < 0.05) console.log('SHC peak is significant', r.observed, r.pValue);
 * ```
 */
export async function surrogateTest(losses: LossInput, opts: AnalyzeOptions, options: SurrogateOptions = {}): Promise<SurrogateResult> {
  const p = plan(losses, opts, options);
  const observed = await analyze({ data: p.src, shape: [p.T, p.n] }, p.opts);
  const range = rangeOf(p, observed);
  const peaks = new Float64Array(p.count);
  let b = 0;
  for (const buf of surrogates(p)) peaks[b++] = peak(await analyze({ data: buf, shape: [p.T, p.n] }, p.opts), range).value;
  return finish(p, observed, peaks, range);
}

/**
 * Synchronous twin of {@link surrogateTest}: same result for the same seed, but blocks.
 *
 * @example
 * ```ts
 * const r = surrogateTestSync(losses, { window: 20, threads: 2 }, { count: 49, seed: 7 });
 * ```
 */
export function surrogateTestSync(losses: LossInput, opts: AnalyzeOptions, options: SurrogateOptions = {}): SurrogateResult {
  const p = plan(losses, opts, options);
  const observed = analyzeSync({ data: p.src, shape: [p.T, p.n] }, p.opts);
  const range = rangeOf(p, observed);
  const peaks = new Float64Array(p.count);
  let b = 0;
  for (const buf of surrogates(p)) peaks[b++] = peak(analyzeSync({ data: buf, shape: [p.T, p.n] }, p.opts), range).value;
  return finish(p, observed, peaks, range);
}
