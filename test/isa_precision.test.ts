// Every instruction-set path this CPU supports gives the same results to rounding: on
// well-conditioned windows observables agree to 1e-12 relative and eigenvalues to 1e-12 of
// lambda_1 across paths, every path matches the two-pass reference, and the documented
// bounds of the hard cases (a steep trend, eigenvalues dropped below 1e-10 of lambda_1) hold
// on each path. The streaming monitor's kernels are checked on each path too.
import { describe, expect, it } from 'vitest';
import { prepareAnalysis, runPreparedSync } from '../lib/analyze.js';
import { instructionSet, type InstructionSet } from '../lib/isa.js';
import { toLossView } from '../lib/loss_matrix.js';
import { native } from '../lib/native.js';
import type { Analysis, AnalyzeOptions } from '../lib/types.js';
import { expectRel, randomMatrix } from './helpers.js';
import { naiveWindow, rng, rowsOf } from '../bench/reference/naive.js';
import { compareToReference } from './reference_check.js';

const levels = instructionSet().supported;

function run(isa: InstructionSet, data: Float32Array | Float64Array, T: number, n: number, opts: AnalyzeOptions): Analysis {
  return runPreparedSync(prepareAnalysis(toLossView({ data, shape: [T, n] }), opts, { isa }));
}

const OBSERVABLES = ['trace', 'pr', 'entropy', 'shc', 'topShare'] as const;

describe(`paths agree with each other (${levels.join(', ')})`, () => {
  const cases = [
    { name: 'Gram path', T: 80, n: 40, opts: { window: 32, topK: 3 } },
    { name: 'Gram path, detrended, stride 3', T: 100, n: 40, opts: { window: 20, stride: 3, detrend: 'linear' as const, topK: 2 } },
    { name: 'n x n path', T: 120, n: 9, opts: { window: 30, topK: 2 } },
    { name: 'non-overlapping windows', T: 200, n: 40, opts: { window: 16, stride: 25, topK: 1 } },
    { name: 'W = 64, n = 1024, float32', T: 160, n: 1024, opts: { window: 64, topK: 1 }, f32: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = rng(c.T + c.n);
      const data = randomMatrix(c.T, c.n, () => 2.3 + 1e-2 * r.normal(), c.f32 ? Float32Array : Float64Array);
      const base = run('baseline', data, c.T, c.n, c.opts);
      // The plain reference solves the n x n covariance by Jacobi: small n only.
      if (c.n <= 128) compareToReference(base, data, c.T, c.n);
      for (const isa of levels.slice(1)) {
        const a = run(isa, data, c.T, c.n, c.opts);
        const m = a.eigenCount;
        for (let j = 0; j < a.windows; j++) {
          for (const key of OBSERVABLES) expectRel(a[key][j], base[key][j], 1e-12, 0, `${isa} ${key} window ${j}`);
          const l1 = base.eigenvalues[j * m];
          for (let k = 0; k < m; k++) expect(Math.abs(a.eigenvalues[j * m + k] - base.eigenvalues[j * m + k]), `${isa} window ${j} eigenvalue ${k}`).toBeLessThanOrEqual(1e-12 * l1);
        }
        for (let i = 0; i < base.eigenvectors!.length; i++) expect(Math.abs(a.eigenvectors![i] - base.eigenvectors![i])).toBeLessThan(1e-6);
      }
    });
  }
});

describe('the documented bounds hold on every path', () => {
  for (const isa of levels) {
    it(`${isa}: a steep trend (a curve falling 10 -> 0.01 with 1e-5 noise), and dropped eigenvalues`, () => {
      const r = rng(19);
      const T = 400, n = 10, W = 8;
      const data = new Float64Array(T * n);
      for (let t = 0; t < T; t++) for (let i = 0; i < n; i++) data[t * n + i] = 10 * Math.exp(-t / 60) + 1e-5 * r.normal();
      const a = run(isa, data, T, n, { window: W, detrend: 'linear', threads: 1 });
      const rows = rowsOf(data, T, n);
      for (let j = 0; j < a.windows; j++) {
        const ref = naiveWindow(rows.slice(j, j + W), 'linear', 1);
        for (let k = 0; k < a.eigenCount; k++) expect(Math.abs(a.eigenvalues[j * a.eigenCount + k] - ref.eigenvalues[k])).toBeLessThanOrEqual(1e-11 * ref.eigenvalues[0]);
        for (const key of ['trace', 'pr', 'topShare'] as const) expectRel(a[key][j], ref[key], 1e-9, 0, key);
        for (const key of ['entropy', 'shc'] as const) expectRel(a[key][j], ref[key], 1e-4, 0, key);
      }
      // A rank-2 window: eigenvalues below 1e-10 of lambda_1 are dropped as exact zeros.
      const rank2 = Float64Array.from({ length: 12 * 6 }, (_, i) => {
        const t = Math.floor(i / 6), p = i % 6;
        return 3 + Math.sin(t) * (p % 2) + Math.cos(2 * t) * (p < 3 ? 1 : -0.5);
      });
      const b = run(isa, rank2, 12, 6, { window: 12 });
      expect(Array.from(b.eigenvalues.subarray(2))).toEqual(new Array(b.eigenCount - 2).fill(0));
      compareToReference(b, rank2, 12, 6);
    });
  }
});

describe('the streaming kernels on every path', () => {
  for (const isa of levels) {
    it(`${isa}: monitor pushes match the batch analysis`, () => {
      const r = rng(8);
      const T = 60, n = 24, W = 10;
      const data = randomMatrix(T, n, () => 5 + r.normal());
      const batch = run(isa, data, T, n, { window: W, topK: 1, threads: 1 });
      const monitor = new (native().NativeMonitor)({ probes: n, window: W, topK: 1, detrend: 'none', transform: 'none', beta: 1, isa });
      for (let t = 0; t < T; t++) {
        const s = monitor.push(data.subarray(t * n, (t + 1) * n), 0);
        if (t < W - 1) {
          expect(s).toBeNull();
          continue;
        }
        const j = t - W + 1;
        const summary = s as { shc: number; pr: number; eigenvalues: Float64Array; eigenvectors: Float32Array };
        expectRel(summary.shc, batch.shc[j], 1e-9, 0, `shc ${j}`);
        expectRel(summary.pr, batch.pr[j], 1e-9, 0, `pr ${j}`);
        for (let i = 0; i < n; i++) expect(Math.abs(summary.eigenvectors[i] - batch.eigenvectors![j * n + i])).toBeLessThan(1e-5);
      }
      monitor.close();
    });
  }
});
