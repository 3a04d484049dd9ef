// An analysis checked window by window against the plain two-pass reference (bench/reference/naive.ts).
import { expect } from 'vitest';
import type { Analysis } from '../lib/types.js';
import { expectRel } from './helpers.js';
import { naiveWindow, rowsOf } from '../bench/reference/naive.js';

// evFloor: eigenvalues are compared relative to max(|lambda_k|, evFloor * lambda_1). The Gram
// path forms P G P after the Gram, so an eigenvalue far below lambda_1 carries an absolute
// error of order eps * |window rows|^2: pass evFloor when a window spans a steep trend.
export function compareToReference(a: Analysis, data: ArrayLike<number>, T: number, n: number, tol = 1e-9, evFloor = 0) {
  const { window: W, stride, detrend, beta, topK, transform } = a.options;
  const rows = rowsOf(data, T, n, transform);
  const m = Math.min(W - 1, n);
  expect(a.windows).toBe(Math.floor((T - W) / stride) + 1);
  expect(a.eigenCount).toBe(m);
  for (let j = 0; j < a.windows; j++) {
    const end = W - 1 + j * stride;
    expect(a.t[j]).toBe(end);
    const ref = naiveWindow(rows.slice(end - W + 1, end + 1), detrend, beta);
    const l1 = ref.eigenvalues[0];
    for (let k = 0; k < m; k++) {
      const got = a.eigenvalues[j * m + k];
      // Dropped eigenvalues are exact zeros on both sides; kept ones agree relatively.
      if (ref.eigenvalues[k] === 0) expect(Math.abs(got)).toBeLessThanOrEqual(1e-10 * l1);
      else expectRel(got, ref.eigenvalues[k], tol, evFloor * l1, `window ${j} eigenvalue ${k}`);
    }
    expectRel(a.trace[j], ref.trace, tol, 0, `window ${j} trace`);
    expectRel(a.pr[j], ref.pr, tol, 0, `window ${j} pr`);
    expectRel(a.entropy[j], ref.entropy, tol, 0, `window ${j} entropy`);
    expectRel(a.shc[j], ref.shc, tol, 1e-12, `window ${j} shc`);
    expectRel(a.topShare[j], ref.topShare, tol, 0, `window ${j} topShare`);
    expect(a.degenerate[j]).toBe(0);
    for (let k = 0; k < topK; k++) {
      const v = a.eigenvectors!.subarray((j * topK + k) * n, (j * topK + k + 1) * n);
      const r = ref.eigenvectors[k];
      for (let i = 0; i < n; i++) expect(Math.abs(v[i] - r[i])).toBeLessThan(2e-6);
    }
  }
}

