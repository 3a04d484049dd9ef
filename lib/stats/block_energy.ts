// Probe groups, and how an eigenvector's weight splits over them.
import { showValue } from '../show_value.js';
import { Rdm2Error } from '../errors.js';

/** A group label per probe: strings, numbers, or an integer typed array. */
export type ProbeGroups = ArrayLike<string | number>;

/** A group label. */
export type GroupLabel = string | number;

/** Probe groups resolved to sorted distinct labels and a label index per probe. */
export interface ResolvedGroups {
  /** Distinct labels, sorted: numbers ascending first, then strings in code-unit order. */
  labels: GroupLabel[];
  /** `labels` index of each probe. */
  index: Int32Array;
}

function compareLabels(a: GroupLabel, b: GroupLabel): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Checks a group label per probe (length n; finite numbers or strings) and indexes the labels.
 * Used by {@link blockEnergy}, {@link windowCovariance} and {@link summarizeRun}.
 *
 * @throws Rdm2Error ERR_RDM2_SHAPE if `groups` does not have n entries; ERR_RDM2_OPTION on a bad label.
 *
 * @example
 * ```ts
 * resolveGroups(['B', 'A', 'B'], 3); // { labels: ['A', 'B'], index: Int32Array [1, 0, 1] }
 * ```
 */
export function resolveGroups(groups: ProbeGroups, n: number, what = 'groups'): ResolvedGroups {
  if (groups === null || typeof groups !== 'object' || typeof (groups as ArrayLike<unknown>).length !== 'number') {
    throw new Rdm2Error('ERR_RDM2_OPTION', `${what} must be an array with one label (string or number) per probe`);
  }
  if (groups.length !== n) {
    throw new Rdm2Error('ERR_RDM2_SHAPE', `${what} has ${groups.length} labels but there are ${n} probes`);
  }
  const seen = new Map<GroupLabel, number>();
  for (let i = 0; i < n; i++) {
    const g = groups[i];
    if (!(typeof g === 'string' || (typeof g === 'number' && Number.isFinite(g)))) {
      throw new Rdm2Error('ERR_RDM2_OPTION', `${what}[${i}] must be a string or a finite number, got ${showValue(g)}`);
    }
    if (!seen.has(g)) seen.set(g, 0);
  }
  const labels = [...seen.keys()].sort(compareLabels);
  labels.forEach((l, k) => seen.set(l, k));
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) index[i] = seen.get(groups[i])!;
  return { labels, index };
}

/** Energy of a vector per probe group. */
export interface BlockEnergy {
  /** Distinct group labels, sorted (see {@link resolveGroups}). */
  labels: GroupLabel[];
  /** E_g for each label: sums to 1. */
  energy: Float64Array;
}

/**
 * Checks a probe-space vector: non-empty, finite, not all zero; returns its squared norm.
 * @internal
 */
export function checkVector(vector: unknown, what = 'vector'): number {
  if (vector === null || typeof vector !== 'object' || typeof (vector as ArrayLike<number>).length !== 'number') {
    throw new Rdm2Error('ERR_RDM2_OPTION', `${what} must be an array or typed array of numbers`);
  }
  const v = vector as ArrayLike<number>;
  if (v.length === 0) throw new Rdm2Error('ERR_RDM2_SHAPE', `${what} is empty`);
  let norm2 = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new Rdm2Error('ERR_RDM2_OPTION', `${what}[${i}] must be a finite number, got ${showValue(x)}`);
    }
    norm2 += x * x;
  }
  if (norm2 === 0) throw new Rdm2Error('ERR_RDM2_OPTION', `${what} is the zero vector`);
  return norm2;
}

/**
 * Block energy of a probe-space vector over probe groups: E_g = sum_{i in g} v_i^2 / |v|^2.
 * The energies sum to 1 (dividing by |v|^2 makes this exact for float32 eigenvectors too).
 * At the SHC peak the top eigenvector's energy concentrates on the group taking part in the
 * transition.
 *
 * @param vector length n (e.g. a top eigenvector from `analysis.eigenvectors`).
 * @param groups one label per probe (length n).
 * @throws Rdm2Error ERR_RDM2_SHAPE on lengths that disagree or an empty vector; ERR_RDM2_OPTION on a zero or non-finite vector.
 *
 * @example
 * ```ts
 * blockEnergy([0.6, 0.8, 0], ['A', 'B', 'B']); // labels ['A', 'B'], energy [0.36, 0.64]
 * ```
 */
export function blockEnergy(vector: ArrayLike<number>, groups: ProbeGroups): BlockEnergy {
  const norm2 = checkVector(vector);
  const { labels, index } = resolveGroups(groups, vector.length);
  const energy = new Float64Array(labels.length);
  for (let i = 0; i < vector.length; i++) energy[index[i]] += vector[i] * vector[i];
  for (let g = 0; g < energy.length; g++) energy[g] /= norm2;
  return { labels, energy };
}
