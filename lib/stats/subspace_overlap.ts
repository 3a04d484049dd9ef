// Overlap of the top eigenspaces of two windows.
import { showValue } from '../show_value.js';
import { Rdm2Error } from '../errors.js';

/** r orthonormal probe-space vectors, one per row: `{ data, shape: [r, n] }` (row-major) or `number[][]`. */
export type Basis =
  | { data: ArrayLike<number>; shape: readonly [number, number] }
  | readonly (readonly number[])[];

interface BasisView {
  data: ArrayLike<number>;
  r: number;
  n: number;
}

/**
 * Normalises a {@link Basis}; checks shape and finiteness.
 * @internal
 */
export function toBasis(b: Basis, what: string): BasisView {
  if (Array.isArray(b)) {
    const rows = b as readonly (readonly number[])[];
    if (rows.length === 0) throw new Rdm2Error('ERR_RDM2_SHAPE', `${what} has no vectors`);
    if (!Array.isArray(rows[0])) throw new Rdm2Error('ERR_RDM2_OPTION', `${what} must be number[][] or { data, shape: [r, n] }`);
    const n = rows[0].length;
    if (n === 0) throw new Rdm2Error('ERR_RDM2_SHAPE', `${what}[0] is empty`);
    const data = new Float64Array(rows.length * n);
    rows.forEach((row, k) => {
      if (!Array.isArray(row) || row.length !== n) {
        throw new Rdm2Error('ERR_RDM2_SHAPE', `${what}[${k}] has ${Array.isArray(row) ? row.length : 'no'} values, expected ${n} like ${what}[0]`);
      }
      row.forEach((x, i) => (data[k * n + i] = x));
    });
    return checkFinite({ data, r: rows.length, n }, what);
  }
  if (typeof b !== 'object' || b === null || !('data' in b) || !('shape' in b)) {
    throw new Rdm2Error('ERR_RDM2_OPTION', `${what} must be number[][] or { data, shape: [r, n] }`);
  }
  const { data, shape } = b;
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new Rdm2Error('ERR_RDM2_SHAPE', `${what}.shape must be [r, n] with positive integers, got ${showValue(shape)}`);
  }
  if (data === null || typeof data !== 'object' || typeof data.length !== 'number') {
    throw new Rdm2Error('ERR_RDM2_OPTION', `${what}.data must be an array or typed array of numbers`);
  }
  const [r, n] = shape as [number, number];
  if (data.length !== r * n) throw new Rdm2Error('ERR_RDM2_SHAPE', `${what}.data has ${data.length} values but shape [${r}, ${n}] needs ${r * n}`);
  return checkFinite({ data, r, n }, what);
}

function checkFinite(b: BasisView, what: string): BasisView {
  for (let i = 0; i < b.data.length; i++) {
    if (!Number.isFinite(b.data[i])) {
      throw new Rdm2Error('ERR_RDM2_OPTION', `${what} holds a non-finite value at vector ${Math.floor(i / b.n)}, probe ${i % b.n}`);
    }
  }
  return b;
}

/**
 * Overlap of two eigenspaces: ||U_a^T U_b||_F^2 / r, the mean squared cosine of the principal
 * angles between span(U_a) and span(U_b). 1 when the spaces coincide, 0 when orthogonal; for a
 * single vector each it is the squared cosine (sign-blind). With r_a != r_b, r = min(r_a, r_b),
 * so the value stays in [0, 1] (the project's choice for unequal ranks). Rows must be
 * orthonormal, as eigenvectors from {@link analyze} are.
 *
 * @throws Rdm2Error ERR_RDM2_SHAPE when the bases have different n or are empty; ERR_RDM2_OPTION on non-finite values.
 *
 * @example
 * ```ts
 * subspaceOverlap([[1, 0, 0], [0, 1, 0]], [[0, 1, 0], [0, 0, 1]]); // 0.5
 * // Top-2 eigenspaces of windows 10 and 40 of an analysis run with topK >= 2:
 * subspaceOverlap(topEigenvectors(a, 10, 2), topEigenvectors(a, 40, 2));
 * ```
 */
export function subspaceOverlap(Ua: Basis, Ub: Basis): number {
  const a = toBasis(Ua, 'Ua');
  const b = toBasis(Ub, 'Ub');
  if (a.n !== b.n) throw new Rdm2Error('ERR_RDM2_SHAPE', `Ua has vectors of length ${a.n} but Ub of length ${b.n}`);
  const n = a.n;
  let f2 = 0;
  for (let p = 0; p < a.r; p++) {
    for (let q = 0; q < b.r; q++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += a.data[p * n + i] * b.data[q * n + i];
      f2 += dot * dot;
    }
  }
  return f2 / Math.min(a.r, b.r);
}
