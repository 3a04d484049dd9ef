import { describe, expect, it } from 'vitest';
import { gram2rdm, gram2rdmSync, Rdm2Error } from '../lib/index.js';
import { naiveWindow, rng, rowsOf } from '../bench/reference/naive.js';
import { expectRel, randomMatrix } from './helpers.js';

describe('gram2rdm (Gaussian-perturbation variant)', () => {
  it('one K x n block matches the two-pass covariance of its rows', async () => {
    const r = rng(31);
    for (const [K, n] of [[12, 30], [40, 6]]) {
      const data = randomMatrix(K, n, () => 3 + r.normal());
      const a = await gram2rdm({ data, shape: [K, n] }, { topK: 2, beta: 1.5 });
      expect(a.windows).toBe(1);
      const ref = naiveWindow(rowsOf(data, K, n), 'none', 1.5);
      for (let k = 0; k < a.eigenCount; k++) expectRel(a.eigenvalues[k], ref.eigenvalues[k], 1e-9, 1e-12 * ref.eigenvalues[0]);
      expectRel(a.pr[0], ref.pr, 1e-9);
      expectRel(a.shc[0], ref.shc, 1e-9);
      for (let i = 0; i < n; i++) expect(Math.abs(a.eigenvectors![i] - ref.eigenvectors[0][i])).toBeLessThan(2e-6);
    }
  });

  it('a T x K x n block gives one result per checkpoint, each equal to its own K x n block', () => {
    const r = rng(32);
    const T = 5, K = 8, n = 11;
    const data = randomMatrix(T * K, n, r.normal);
    const all = gram2rdmSync({ data, shape: [T, K, n] }, { topK: 1 });
    expect(all.windows).toBe(T);
    for (let b = 0; b < T; b++) {
      const one = gram2rdmSync({ data: data.slice(b * K * n, (b + 1) * K * n), shape: [K, n] }, { topK: 1 });
      expect(all.shc[b]).toBe(one.shc[0]);
      expect(Array.from(all.eigenvalues.subarray(b * all.eigenCount, (b + 1) * all.eigenCount))).toEqual(Array.from(one.eigenvalues));
    }
  });

  it('rejects bad shapes and options with codes', () => {
    expect(() => gram2rdmSync({ data: new Float64Array(10), shape: [2, 2, 3] })).toThrowError(Rdm2Error);
    try {
      gram2rdmSync({ data: new Float64Array(12), shape: [2, 0, 3] });
    } catch (e) {
      expect((e as Rdm2Error).code).toBe('ERR_RDM2_SHAPE');
    }
    expect(() => gram2rdmSync({ data: new Float64Array(12), shape: [4, 3] }, { window: 3 } as never)).toThrowError(/unknown option 'window'/);
  });
});
