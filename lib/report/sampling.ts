// Deterministic thinning for charts: which probes and which points get drawn when the input is large.
import { Rdm2Error } from '../errors.js';

/**
 * Picks at most `max` probes, deterministically (no random numbers), stratified by group:
 * every group keeps a share of the sample proportional to its size (largest remainders, at
 * least one probe per group while `max` allows), and within a group the picks are evenly
 * spaced over its members in index order. Returns sorted probe indices; all of them when
 * `groups.length <= max`.
 *
 * @example
 * ```ts
 * sampleProbes(['A', 'A', 'A', 'A', 'B', 'B'], 3); // Int32Array [1, 3, 5]: two of A, one of B
 * ```
 */
export function sampleProbes(groups: readonly string[], max: number): Int32Array {
  if (!Number.isInteger(max) || max < 1) throw new Rdm2Error('ERR_RDM2_OPTION', `the probe sample size must be an integer >= 1, got ${max}`);
  const n = groups.length;
  if (n <= max) return Int32Array.from({ length: n }, (_, i) => i);
  const members = new Map<string, number[]>();
  groups.forEach((g, i) => {
    let list = members.get(g);
    if (!list) {
      list = [];
      members.set(g, list);
    }
    list.push(i);
  });
  const lists = [...members.values()];
  // Proportional shares: at least one probe per group, then the largest shortfalls first.
  const counts = lists.map((l, k) => (k < max ? Math.max(1, Math.floor((l.length * max) / n)) : 0));
  let total = counts.reduce((a, b) => a + b, 0);
  while (total > max) {
    let k = 0;
    for (let j = 1; j < counts.length; j++) if (counts[j] > counts[k]) k = j;
    counts[k]--;
    total--;
  }
  while (total < max) {
    let k = -1, best = -Infinity;
    for (let j = 0; j < counts.length; j++) {
      const shortfall = (lists[j].length * max) / n - counts[j];
      if (counts[j] < lists[j].length && shortfall > best) { best = shortfall; k = j; }
    }
    counts[k]++;
    total++;
  }
  const picked: number[] = [];
  lists.forEach((list, k) => {
    const c = counts[k];
    for (let j = 0; j < c; j++) picked.push(list[Math.floor(((j + 0.5) * list.length) / c)]);
  });
  return Int32Array.from(picked.sort((a, b) => a - b));
}

/**
 * Evenly spaced indices 0 .. length-1 keeping at most `max` of them, always including the
 * first and the last; all of them when `length <= max`.
 *
 * @example
 * ```ts
 * strideIndices(10, 4); // Int32Array [0, 3, 6, 9]
 * ```
 */
export function strideIndices(length: number, max: number): Int32Array {
  if (length <= max) return Int32Array.from({ length }, (_, i) => i);
  if (max < 2) return Int32Array.of(0);
  const out = new Int32Array(max);
  for (let j = 0; j < max; j++) out[j] = Math.round((j * (length - 1)) / (max - 1));
  return out;
}

/**
 * Min-max decimation for a line: splits 0 .. length-1 into buckets and keeps, in time order,
 * the indices of each bucket's smallest and largest finite value (and a bucket's first
 * non-finite index, so gaps stay gaps). Spikes survive thinning, which matters for SHC.
 * At most about `max` indices; all of them when `length <= max`.
 *
 * @example
 * ```ts
 * minMaxIndices([0, 5, 0, 0, 0, 0, 0, 0], 4); // keeps index 1 (the spike)
 * ```
 */
export function minMaxIndices(values: ArrayLike<number>, max: number): Int32Array {
  const length = values.length;
  if (length <= max) return Int32Array.from({ length }, (_, i) => i);
  const buckets = Math.max(1, Math.floor(max / 2));
  const out: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const lo = Math.floor((b * length) / buckets);
    const hi = Math.floor(((b + 1) * length) / buckets);
    let iMin = -1, iMax = -1, iBad = -1;
    for (let i = lo; i < hi; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) { if (iBad < 0) iBad = i; continue; }
      if (iMin < 0 || v < values[iMin]) iMin = i;
      if (iMax < 0 || v > values[iMax]) iMax = i;
    }
    const keep = [iMin, iMax, iBad].filter((i) => i >= 0).sort((a, b) => a - b);
    for (const i of keep) if (out[out.length - 1] !== i) out.push(i);
  }
  return Int32Array.from(out);
}
