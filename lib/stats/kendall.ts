// Kendall's tau of an indicator against time, with a tie-corrected p-value.
import { throwRdm2Error } from '../errors.js';
import { defineOptions, resolveOptions, type Assert, type SameKeys } from '../option_schema.js';
import { checkSeries } from './series_checks.js';

/** How the p-value is computed. */
export type KendallMethod = 'auto' | 'exact' | 'normal';

/** Options of {@link kendallTau}. */
export interface KendallOptions {
  /**
   * 'exact': the exact permutation distribution of S (only without ties);
   * 'normal': normal approximation with tie-corrected variance and continuity correction;
   * 'auto' (default): exact when there are no ties and n <= 50, else normal.
   */
  method?: KendallMethod;
}

/** What {@link kendallTau} returns. */
export interface KendallResult {
  /** Kendall's tau-b of the values against time (time has no ties, so tau-b = S / sqrt(N0 (N0 - N2))). NaN if every value is tied. */
  tau: number;
  /** S = concordant - discordant pairs. */
  s: number;
  /** Number of finite values used (NaN values are dropped with their time positions). */
  n: number;
  concordant: number;
  discordant: number;
  /** Pairs tied in value (they count as neither). */
  tiedPairs: number;
  /** Normal score (S - sign S) / sqrt(Var S) for the normal method; NaN for the exact method. */
  z: number;
  /** Two-sided p-value of H0: no monotone trend. NaN if every value is tied. */
  pValue: number;
  /** The method actually used. */
  method: 'exact' | 'normal';
  /** The range of the series used: [from, to). */
  from: number;
  to: number;
}

/** The options of {@link kendallTau}. */
export const KENDALL_OPTIONS = defineOptions('kendallTau', {
  method: { type: 'enum', values: ['auto', 'exact', 'normal'], default: 'auto', doc: "'exact' permutation distribution, 'normal' approximation, or 'auto'" },
});

type _KendallSchemaMatches = Assert<SameKeys<typeof KENDALL_OPTIONS.fields, KendallOptions>>;

/** Largest n for which 'auto' uses the exact distribution. */
export const KENDALL_EXACT_MAX_N = 50;

/**
 * Complementary error function, accurate to about 1e-15 relative: a positive-term series for
 * erf when x < 2 (no cancellation), a continued fraction (modified Lentz) for x >= 2.
 */
function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) {
    // erf(x) = 2/sqrt(pi) e^{-x^2} sum_k 2^k x^{2k+1} / (1 3 5 ... (2k+1))
    let term = x;
    let sum = x;
    for (let k = 1; k < 200; k++) {
      term *= (2 * x * x) / (2 * k + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return 1 - ((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum);
  }
  // erfc(x) = e^{-x^2}/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
  const tiny = 1e-300;
  let f = x;
  let C = x;
  let D = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    D = x + a * D;
    D = D === 0 ? tiny : D;
    C = x + a / C;
    C = C === 0 ? tiny : C;
    D = 1 / D;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** Two-sided normal tail probability P(|Z| >= |z|). */
function twoSidedNormal(z: number): number {
  return erfc(Math.abs(z) / Math.SQRT2);
}

/**
 * P(D <= d) for D the number of inversions of a uniformly random permutation of n items
 * (the Mahonian distribution), by the recurrence f_k(d) = (1/k) sum_{j<k} f_{k-1}(d - j).
 */
function inversionsCdf(n: number, d: number): number {
  let f = new Float64Array(d + 1);
  f[0] = 1;
  for (let k = 2; k <= n; k++) {
    const g = new Float64Array(d + 1);
    let window = 0;
    for (let x = 0; x <= d; x++) {
      window += f[x];
      if (x - k >= 0) window -= f[x - k];
      g[x] = window / k;
    }
    f = g;
  }
  let cdf = 0;
  for (let x = 0; x <= d; x++) cdf += f[x];
  return cdf;
}

/**
 * Kendall's rank correlation of `series[from..to)` with time (its index), the standard
 * "trend strength before a point" of early-warning analysis, with a two-sided p-value.
 *
 * tau-b = S / sqrt(N0 (N0 - N2)), S = concordant - discordant pairs, N0 = n(n-1)/2,
 * N2 = sum over groups of tied values t(t-1)/2 (time itself has no ties). P-value:
 * - exact (no ties, n <= 50 under 'auto'): P(|S'| >= |S|) under the uniform permutation
 *   distribution, computed exactly from the distribution of inversions;
 * - normal (ties, or n > 50): z = (S - sign(S)) / sqrt(Var S), continuity-corrected, with the
 *   tie-corrected Var S = [n(n-1)(2n+5) - sum t(t-1)(2t+5)] / 18; p = 2 (1 - Phi(|z|)).
 * NaN values (degenerate windows) are dropped. O(n^2) pairs: meant for indicator series
 * (up to a few thousand windows).
 *
 * @param series indicator values in time order.
 * @param from first index used (default 0).
 * @param to one past the last index used (default `series.length`), like `slice`.
 * @throws Rdm2Error ERR_RDM2_SHAPE when fewer than 2 finite values remain; ERR_RDM2_OPTION on a bad range or method.
 *
 * @example
 * ```ts
 * kendallTau([1, 2, 3, 4, 5]);        // tau 1, p = 2/120 (exact)
 * kendallTau(a.shc, 0, peakIndex + 1); // trend of the SHC up to its peak
 * ```
 */
export function kendallTau(series: ArrayLike<number>, from = 0, to?: number, options: KendallOptions = {}): KendallResult {
  const len = checkSeries(series, 'series');
  const end = to ?? len;
  if (!Number.isInteger(from) || from < 0 || from >= len) throwRdm2Error('ERR_RDM2_OPTION', `from must be an integer in [0, ${len - 1}], got ${from}`);
  if (!Number.isInteger(end) || end <= from || end > len) throwRdm2Error('ERR_RDM2_OPTION', `to must be an integer in [${from + 1}, ${len}], got ${end}`);
  const { method } = resolveOptions(KENDALL_OPTIONS, options);
  const y: number[] = [];
  for (let k = from; k < end; k++) if (Number.isFinite(series[k])) y.push(series[k]);
  const n = y.length;
  if (n < 2) throwRdm2Error('ERR_RDM2_SHAPE', `kendallTau needs at least 2 finite values in [${from}, ${end}), got ${n}`);

  let concordant = 0;
  let discordant = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (y[j] > y[i]) concordant++;
      else if (y[j] < y[i]) discordant++;
    }
  }
  // Tie groups in value.
  const sorted = y.slice().sort((p, q) => p - q);
  let tiedPairs = 0;
  let tieVar = 0;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && sorted[j] === sorted[i]) j++;
    const t = j - i;
    tiedPairs += (t * (t - 1)) / 2;
    tieVar += t * (t - 1) * (2 * t + 5);
    i = j;
  }
  const n0 = (n * (n - 1)) / 2;
  const s = concordant - discordant;
  const base = { s, n, concordant, discordant, tiedPairs, from, to: end };
  if (method === 'exact' && tiedPairs > 0) {
    throwRdm2Error('ERR_RDM2_OPTION', `the exact Kendall p-value is only available without ties (found ${tiedPairs} tied pairs); use method 'normal' or 'auto'`);
  }
  if (tiedPairs === n0) return { ...base, tau: NaN, z: NaN, pValue: NaN, method: 'normal' };
  const tau = s / Math.sqrt(n0 * (n0 - tiedPairs));
  const exact = method === 'exact' || (method === 'auto' && tiedPairs === 0 && n <= KENDALL_EXACT_MAX_N);
  if (exact) {
    // S = N0 - 2 D with D the discordant pairs; |S'| >= |S| <=> D' <= dmin or D' >= N0 - dmin.
    const dmin = Math.min(discordant, n0 - discordant);
    const p = Math.min(1, 2 * inversionsCdf(n, dmin));
    return { ...base, tau, z: NaN, pValue: p, method: 'exact' };
  }
  const varS = (n * (n - 1) * (2 * n + 5) - tieVar) / 18;
  const z = s === 0 ? 0 : (s - Math.sign(s)) / Math.sqrt(varS);
  return { ...base, tau, z, pValue: Math.min(1, twoSidedNormal(z)), method: 'normal' };
}
