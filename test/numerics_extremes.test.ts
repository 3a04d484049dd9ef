// Numbers at the edges (issue 13, items 19 and 20): an extreme outlier does not corrupt the
// windows after it (the Gram is rebuilt around a row inside the window once the reference
// or a reference move carried the outlier), data near 1e-300, 1e155+ or subnormal keeps its
// spectrum (rows are scaled by a power of two before any product), and a huge beta gives a
// finite SHC. Checked against the plain two-pass reference, on every instruction set, in
// the batch analysis and the streaming monitor.
import { describe, expect, it } from 'vitest';
import { prepareAnalysis, runPreparedSync } from '../lib/analyze.js';
import { analyzeSync, SpectralMonitor } from '../lib/index.js';
import { instructionSet } from '../lib/isa.js';
import { toLossView } from '../lib/loss_matrix.js';
import { expectRel } from './helpers.js';
import { naiveWindow, rng, rowsOf } from '../bench/reference/naive.js';

const KEYS = ['trace', 'pr', 'entropy', 'shc', 'topShare'] as const;

function losses(T: number, n: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: T * n }, () => 2.3 + 1e-2 * r.normal());
}

function monitorSummaries(data: Float64Array, T: number, n: number, W: number) {
  const m = new SpectralMonitor({ probes: n, window: W, warn: false });
  const out = [];
  for (let t = 0; t < T; t++) {
    const s = m.push(data.subarray(t * n, (t + 1) * n));
    if (s) out.push(s);
  }
  return out;
}

describe('an extreme outlier', () => {
  const T = 40, n = 6, W = 5;
  // Where it lands: the first row (the first reference), the middle, a row the reference
  // moves to (every W rows), the last rows.
  for (const [row, size] of [
    [0, 1e20],
    [0, 1e10],
    [17, 1e20],
    [9, 1e30],
    [36, 1e20],
  ] as const) {
    it(`X[${row}, 0] = ${size}: windows without it match the two-pass reference`, () => {
      const data = losses(T, n, row + 1);
      data[row * n] = size;
      const rows = rowsOf(data, T, n);
      const batches = instructionSet().supported.map((isa) => runPreparedSync(prepareAnalysis(toLossView({ data, shape: [T, n] }), { window: W }, { isa })));
      const live = monitorSummaries(data, T, n, W);
      for (let j = 0; j < T - W + 1; j++) {
        const ref = naiveWindow(rows.slice(j, j + W), 'none', 1);
        const contains = row >= j && row < j + W;
        for (const a of [...batches.map((b) => ({ trace: b.trace[j], pr: b.pr[j], entropy: b.entropy[j], shc: b.shc[j], topShare: b.topShare[j] })), live[j]!]) {
          if (contains) {
            // The outlier's own direction dominates: lambda_1 is right, the rest is below the cut.
            expectRel(a.trace, ref.trace, 1e-9, 0, `trace ${j}`);
          } else {
            for (const key of KEYS) expectRel(a[key], ref[key], 1e-9, 1e-12, `${key} ${j}`);
          }
        }
      }
    });
  }
});

describe('scale', () => {
  const T = 30, n = 8, W = 6;
  const base = losses(T, n, 7);
  const rows = rowsOf(base, T, n);
  const refs = Array.from({ length: T - W + 1 }, (_, j) => naiveWindow(rows.slice(j, j + W), 'linear', 1.5));
  // Powers of two keep the scaled data exact (except in the subnormal range, where it is
  // quantised: the reference is then the quantised data scaled back exactly).
  for (const exp of [516, 600, 1000, -997, -532, -1030]) {
    it(`data x 2^${exp}: the scale-invariant observables as at scale 1, eigenvalues scaled or out of range`, () => {
      // 2^(+-1030) itself is out of range: scale in two halves.
      const half = exp / 2;
      const data = Float64Array.from(base, (x) => x * 2 ** half * 2 ** half);
      const quantised = exp < -1021;
      const check = quantised ? rowsOf(Float64Array.from(data, (x) => x * 2 ** -half * 2 ** -half), T, n) : rows;
      for (const isa of instructionSet().supported) {
        const a = runPreparedSync(prepareAnalysis(toLossView({ data, shape: [T, n] }), { window: W, detrend: 'linear', beta: 1.5 }, { isa }));
        for (let j = 0; j < a.windows; j++) {
          const ref = quantised ? naiveWindow(check.slice(j, j + W), 'linear', 1.5) : refs[j]!;
          expect(a.degenerate[j]).toBe(0);
          for (const key of ['pr', 'entropy', 'shc', 'topShare'] as const) expectRel(a[key][j], ref[key], 1e-9, 1e-12, `${isa} ${key} window ${j}`);
          // lambda scales by 2^(2 exp): beyond the double range it is reported as Infinity (or 0).
          const expected = ref.trace * 2 ** exp * 2 ** exp;
          if (Number.isFinite(expected) && expected > 1e-300) expectRel(a.trace[j], expected, 1e-9, 0, `trace ${j}`);
          else if (!Number.isFinite(expected)) expect(a.trace[j]).toBe(Infinity);
        }
      }
    });
  }

  it('the monitor keeps the spectrum too (data near 1e-300 and 1e180)', () => {
    for (const exp of [-997, 600]) {
      const data = Float64Array.from(base, (x) => x * 2 ** exp);
      const live = monitorSummaries(data, T, n, W);
      live.forEach((s, j) => {
        const ref = naiveWindow(rows.slice(j, j + W), 'none', 1);
        for (const key of ['pr', 'entropy', 'shc', 'topShare'] as const) expectRel(s[key], ref[key], 1e-9, 1e-12, `${key} ${j}`);
      });
    }
  });

  it('beta = 1e308 gives a finite SHC (the limit 0), not NaN', () => {
    const a = analyzeSync({ data: base, shape: [T, n] }, { window: W, beta: 1e308 });
    expect(Array.from(a.shc).every((x) => x === 0)).toBe(true);
    const b = analyzeSync({ data: base, shape: [T, n] }, { window: W, beta: 1e200 });
    expect(Array.from(b.shc).every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
  });
});
