import { describe, expect, it } from 'vitest';
import { covarianceSnapshot, windowCovariance } from '../lib/index.js';
import { analyzeSync } from '../lib/analyze.js';
import { SeededRandom } from '../lib/stats/random.js';
import { expectRel, expectError } from './helpers.js';

function randomLosses(T: number, n: number, seed: number) {
  const rng = new SeededRandom(seed);
  const data = new Float64Array(T * n);
  // Positive losses with a shared factor so the spectrum is not flat, and a drift.
  for (let t = 0; t < T; t++) {
    const f = rng.normal();
    for (let c = 0; c < n; c++) data[t * n + c] = 2 + 0.01 * t + 0.2 * rng.normal() + (c % 3 === 0 ? 0.3 * f : 0);
  }
  return { data, shape: [T, n] as [number, number] };
}

describe('windowCovariance', () => {
  it('is still exported under its deprecated name covarianceSnapshot', () => {
    expect(covarianceSnapshot).toBe(windowCovariance);
  });

  it('is the two-pass covariance on a hand-computed window', () => {
    const s = windowCovariance([[1, 2], [2, 4], [4, 5]], 0, { window: 3 });
    // means 7/3 and 11/3; residuals [-4/3, -1/3, 5/3] and [-5/3, 1/3, 4/3]; divide by W - 1 = 2
    [7 / 3, 13 / 6, 13 / 6, 7 / 3].forEach((v, k) => expectRel(s.data[k], v, 1e-15));
    expect([s.n, s.firstRow, s.lastRow, s.windowIndex]).toEqual([2, 0, 2, 0]);
    expect(Array.from(s.order)).toEqual([0, 1]);
    expect(s.groups).toBeNull();
  });
  it('removes each probe\'s least-squares line with detrend: linear (hand-computed)', () => {
    const s = windowCovariance([[1, 2], [2, 4], [4, 5]], 0, { window: 3, detrend: 'linear' });
    // tau = [-1, 0, 1]; both slopes 1.5; residuals [1/6, -1/3, 1/6] and [-1/6, 1/3, -1/6]
    [1 / 12, -1 / 12, -1 / 12, 1 / 12].forEach((v, k) => expectRel(s.data[k], v, 1e-14));
  });
  it('applies the log transform first and picks the window by stride', () => {
    const rows = [[1, 1], [Math.E, 1], [1, Math.E], [Math.E ** 2, Math.E]];
    const s = windowCovariance(rows, 1, { window: 2, stride: 2, transform: 'log' });
    // window 1 with stride 2 is rows 2..3; their logs: column 0 = [0, 2], column 1 = [1, 1]
    expect([s.firstRow, s.lastRow]).toEqual([2, 3]);
    expectRel(s.data[0], 2, 1e-15); // column 0: [0, 2] -> var 2
    expect(s.data[3]).toBe(0); // column 1: [1, 1]
    expect(s.data[1]).toBe(0);
  });
  for (const [T, n, W, stride] of [[40, 8, 12, 3], [30, 24, 10, 4]] as const) {
    for (const detrend of ['none', 'linear'] as const) {
      it(`has the spectrum the analysis reports (T=${T}, n=${n}, W=${W}, stride ${stride}, detrend ${detrend}, log)`, () => {
        const losses = randomLosses(T, n, T + n);
        const a = analyzeSync(losses, { window: W, stride, detrend, transform: 'log', topK: 2, threads: 1 });
        for (const j of [0, Math.floor(a.windows / 2), a.windows - 1]) {
          const s = windowCovariance(losses, j, { ...a.options });
          expect(s.lastRow).toBe(a.t[j]);
          let trace = 0;
          let frob = 0;
          for (let p = 0; p < n; p++) {
            trace += s.data[p * n + p];
            for (let q = 0; q < n; q++) {
              frob += s.data[p * n + q] ** 2;
              expect(s.data[p * n + q]).toBe(s.data[q * n + p]);
            }
          }
          let sumSq = 0;
          for (let k = 0; k < a.eigenCount; k++) sumSq += a.eigenvalues[j * a.eigenCount + k] ** 2;
          expectRel(trace, a.trace[j], 1e-12);
          expectRel(frob, sumSq, 1e-10);
          // C v = lambda v for the top two eigenvectors (float32 vectors).
          for (let r = 0; r < 2; r++) {
            const v = a.eigenvectors!.subarray((j * 2 + r) * n, (j * 2 + r + 1) * n);
            const lambda = a.eigenvalues[j * a.eigenCount + r];
            for (let p = 0; p < n; p++) {
              let cv = 0;
              for (let q = 0; q < n; q++) cv += s.data[p * n + q] * v[q];
              expect(Math.abs(cv - lambda * v[p])).toBeLessThan(1e-5 * lambda);
            }
          }
        }
      });
    }
  }
  it('reorders rows and columns by group, stable within a group', () => {
    const losses = randomLosses(20, 5, 1);
    const plain = windowCovariance(losses, 3, { window: 8 });
    const s = windowCovariance(losses, 3, { window: 8, order: ['B', 'A', 'B', 'C', 'A'] });
    expect(Array.from(s.order)).toEqual([1, 4, 0, 2, 3]);
    expect(s.groups).toEqual(['A', 'A', 'B', 'B', 'C']);
    expect(s.blocks?.labels).toEqual(['A', 'B', 'C']);
    expect(Array.from(s.blocks!.start)).toEqual([0, 2, 4]);
    for (let p = 0; p < 5; p++) for (let q = 0; q < 5; q++) expect(s.data[p * 5 + q]).toBe(plain.data[s.order[p] * 5 + s.order[q]]);
  });
  it('rejects bad input', () => {
    const losses = randomLosses(10, 3, 2);
    expectError(() => windowCovariance(losses, 9, { window: 3 }), 'ERR_RDM2_OPTION', /windowIndex must be an integer in \[0, 7\], got 9/);
    expectError(() => windowCovariance(losses, -1, { window: 3 }), 'ERR_RDM2_OPTION', /windowIndex must be an integer/);
    expectError(() => windowCovariance(losses, 0, { window: 11 }), 'ERR_RDM2_OPTION', /window \(11\) is longer than the number of checkpoints T = 10/);
    expectError(() => windowCovariance(losses, 0, { window: 3, order: ['A', 'B'] }), 'ERR_RDM2_SHAPE', /order has 2 labels but there are 3 probes/);
    expectError(() => windowCovariance(losses, 0, { window: 3, colour: 1 } as object as { window: number }), 'ERR_RDM2_OPTION', /unknown option 'colour'/);
    expectError(() => windowCovariance(losses, 0, undefined as unknown as { window: number }), 'ERR_RDM2_OPTION', /needs options with at least \{ window \}/);
    expectError(() => windowCovariance({ data: new Float64Array(5), shape: [2, 3] }, 0, { window: 2 }), 'ERR_RDM2_SHAPE', /has 5 values but shape \[2, 3\] needs 6/);
    const bad = { data: Float64Array.from(losses.data), shape: losses.shape };
    bad.data[4 * 3 + 1] = NaN;
    expectError(() => windowCovariance(bad, 2, { window: 3 }), 'ERR_RDM2_NON_FINITE', /row 4, column 1 is NaN, which is not finite: window 2 has no covariance/);
    expect(() => windowCovariance(bad, 5, { window: 3 })).not.toThrow(); // rows 5..7 are clean
    const neg = { data: Float64Array.from(losses.data).fill(-1, 0, 3), shape: losses.shape };
    expectError(() => windowCovariance(neg, 0, { window: 3, transform: 'log' }), 'ERR_RDM2_NON_FINITE', /row 0, column 0 is -1, which the log transform cannot take/);
  });
});
