// What every driver returns, and the check that keeps wrong answers out of the tables.
import { OBSERVABLE_NAMES, type ObservableName } from '../lib/observables.js';

/** Per-window observables, columnar, for the first `windows` windows of a workload. */
/** One column per observable the driver computes (native drivers: every entry of the registry). */
export interface Observables extends Partial<Record<ObservableName, ArrayLike<number>>> {
  windows: number;
  /** Eigenvalues stored per window: min(W - 1, n). */
  m: number;
  n: number;
  topK: number;
  t: ArrayLike<number>;
  /** windows x m, descending, values below 1e-10 of the largest stored as 0. */
  eigenvalues: ArrayLike<number>;
  /** windows x topK x n, unit length, largest-magnitude entry positive. */
  eigenvectors?: ArrayLike<number>;
}

export interface Mismatch {
  /** Largest relative error over the scalar observables and eigenvalues (eigenvalues relative to the window's largest). */
  maxRelError: number;
  /** Largest absolute error over eigenvector entries (they are float32 in the library's output). */
  maxVectorError: number;
  /** First offending field, for the message. */
  worst: string;
  ok: boolean;
}

/** Observables agree to 1e-9 (relative); eigenvectors, stored as float32, to 1e-6 per entry. */
export const OBSERVABLE_TOLERANCE = 1e-9;
export const VECTOR_TOLERANCE = 1e-6;

function rel(a: number, b: number): number {
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  if (Number.isNaN(a) !== Number.isNaN(b)) return Infinity;
  const scale = Math.max(Math.abs(a), Math.abs(b), 1e-300);
  return a === b ? 0 : Math.abs(a - b) / scale;
}

/**
 * Compares `got` with `ref` on the windows `got` computed (a sampled driver computes the first
 * few). Fails on any count or shape difference.
 */
export function compareObservables(got: Observables, ref: Observables, tol = OBSERVABLE_TOLERANCE, vecTol = VECTOR_TOLERANCE): Mismatch {
  const fail = (worst: string): Mismatch => ({ maxRelError: Infinity, maxVectorError: Infinity, worst, ok: false });
  if (got.windows < 1 || got.windows > ref.windows) return fail(`window count ${got.windows} vs ${ref.windows}`);
  if (got.m !== ref.m || got.n !== ref.n) return fail(`shape m=${got.m} n=${got.n} vs m=${ref.m} n=${ref.n}`);
  let maxRel = 0;
  let worst = '';
  const note = (e: number, what: string) => {
    if (e > maxRel || Number.isNaN(e)) {
      maxRel = Number.isNaN(e) ? Infinity : e;
      worst = what;
    }
  };
  for (let j = 0; j < got.windows; j++) {
    if (got.t[j] !== ref.t[j]) return fail(`window ${j} ends at row ${got.t[j]}, reference at ${ref.t[j]}`);
    for (const key of OBSERVABLE_NAMES) {
      const g = got[key];
      if (g === undefined) continue; // not computed by this driver
      const r = ref[key];
      if (r === undefined) return fail(`the reference has no ${key}`);
      note(rel(g[j], r[j]), `${key}[${j}]`);
    }
    const top = Math.max(Math.abs(ref.eigenvalues[j * ref.m]), 1e-300);
    for (let k = 0; k < got.m; k++) {
      const a = got.eigenvalues[j * got.m + k];
      const b = ref.eigenvalues[j * ref.m + k];
      const e = Number.isNaN(a) && Number.isNaN(b) ? 0 : Math.abs(a - b) / top;
      note(Number.isNaN(e) ? Infinity : e, `eigenvalues[${j}][${k}]`);
    }
  }
  let maxVec = 0;
  const k = Math.min(got.topK, ref.topK);
  if (k > 0) {
    if (!got.eigenvectors || !ref.eigenvectors) return fail('eigenvectors missing');
    for (let j = 0; j < got.windows; j++)
      for (let c = 0; c < k; c++)
        for (let i = 0; i < got.n; i++) {
          const a = got.eigenvectors[(j * got.topK + c) * got.n + i];
          const b = ref.eigenvectors[(j * ref.topK + c) * ref.n + i];
          const e = Number.isNaN(a) && Number.isNaN(b) ? 0 : Math.abs(a - b);
          if (!(e <= maxVec)) {
            maxVec = Number.isNaN(e) ? Infinity : e;
            if (maxVec > vecTol && maxRel <= tol) worst = `eigenvectors[${j}][${c}][${i}]`;
          }
        }
  }
  return { maxRelError: maxRel, maxVectorError: maxVec, worst, ok: maxRel <= tol && maxVec <= vecTol };
}
