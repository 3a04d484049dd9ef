import { describe, expect, it } from 'vitest';
import { analyze, analyzeSync } from '../lib/index.js';
import { prepareAnalysis, runPreparedSync } from '../lib/analyze.js';
import { toLossView } from '../lib/loss_matrix.js';
import { naiveWindow, rng, rowsOf } from '../bench/reference/naive.js';
import { expectRel, randomMatrix } from './helpers.js';
import { compareToReference } from './reference_check.js';
import { OBSERVABLE_NAMES } from '../lib/observables.js';

describe('analyze against the naive two-pass reference', () => {
  const cases = [
    { name: 'Gram path (W <= n)', T: 40, n: 12, W: 8, stride: 1, detrend: 'none' as const },
    { name: 'Gram path, detrended', T: 40, n: 12, W: 8, stride: 1, detrend: 'linear' as const },
    { name: 'n x n path (n < W)', T: 40, n: 5, W: 10, stride: 1, detrend: 'none' as const },
    { name: 'n x n path, detrended', T: 40, n: 5, W: 10, stride: 1, detrend: 'linear' as const },
    { name: 'stride 3 (overlapping)', T: 50, n: 9, W: 7, stride: 3, detrend: 'none' as const },
    { name: 'stride longer than the window', T: 60, n: 9, W: 5, stride: 11, detrend: 'linear' as const },
    { name: 'many windows across ring wrap-arounds', T: 200, n: 16, W: 6, stride: 1, detrend: 'linear' as const },
    { name: 'W = n', T: 30, n: 8, W: 8, stride: 2, detrend: 'none' as const },
  ];
  for (const c of cases) {
    it(`${c.name}: eigenvalues, observables and eigenvectors agree to 1e-9`, () => {
      const r = rng(c.T * 1000 + c.n * 10 + c.W);
      const data = randomMatrix(c.T, c.n, r.normal);
      const topK = Math.min(3, c.W - 1, c.n);
      const a = analyzeSync({ data, shape: [c.T, c.n] }, { window: c.W, stride: c.stride, detrend: c.detrend, topK, threads: 2 });
      compareToReference(a, data, c.T, c.n);
    });
  }

  it('beta != 1 and the log transform agree with the reference', () => {
    const r = rng(7);
    const T = 30, n = 10;
    const data = randomMatrix(T, n, () => Math.exp(r.normal()));
    const a = analyzeSync({ data, shape: [T, n] }, { window: 9, beta: 2.5, transform: 'log', topK: 2 });
    expect(a.options.beta).toBe(2.5);
    compareToReference(a, data, T, n);
  });

  it('the async API returns the same numbers as the sync one, and the event loop keeps turning', async () => {
    const r = rng(11);
    const T = 3000, n = 256;
    const data = randomMatrix(T, n, r.normal, Float32Array);
    let ticks = 0;
    let running = true;
    const spin = () => {
      if (!running) return;
      ticks++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const a = await analyze({ data, shape: [T, n] }, { window: 32, threads: 1 });
    running = false;
    const b = analyzeSync({ data, shape: [T, n] }, { window: 32, threads: 1 });
    expect(ticks).toBeGreaterThan(0);
    expect(Array.from(a.shc)).toEqual(Array.from(b.shc));
    expect(Array.from(a.eigenvalues)).toEqual(Array.from(b.eigenvalues));
  });

  it('accepts number[][] and echoes every option used', () => {
    const rows = [
      [1, 2, 0],
      [2, 1, 1],
      [3, 5, 0],
      [0, 1, 2],
    ];
    const a = analyzeSync(rows, { window: 3, threads: 1 });
    expect(a.options).toEqual({ window: 3, stride: 1, topK: 0, detrend: 'none', transform: 'none', beta: 1, threads: 1, nonFinite: 'error' });
    expect(a.rows).toBe(4);
    expect(a.probes).toBe(3);
    expect(a.eigenvectors).toBeUndefined();
    compareToReference(a, rows.flat(), 4, 3);
  });
});

describe('analytic cases', () => {
  it('a window with a known spectrum: orthogonal zero-mean columns', () => {
    // Columns are orthogonal, zero-mean +-1 patterns scaled by 3, 2, 1, so
    // C = diag(4*9, 4*4, 4*1) / 3 exactly, with eigenvectors the unit axes.
    const s = [3, 2, 1];
    const pat = [
      [1, -1, 1, -1],
      [1, 1, -1, -1],
      [1, -1, -1, 1],
    ];
    const rows = [0, 1, 2, 3].map((t) => [10 + s[0] * pat[0][t], 10 + s[1] * pat[1][t], 10 + s[2] * pat[2][t]]);
    for (const path of ['gram', 'covariance'] as const) {
      const a = runPreparedSync({ ...prepareAnalysis(toLossView(rows), { window: 4, topK: 3, threads: 1 }, { path }) });
      const lam = [12, 16 / 3, 4 / 3];
      for (let k = 0; k < 3; k++) expectRel(a.eigenvalues[k], lam[k], 1e-14, 0, `${path} eigenvalue ${k}`);
      const tr = 12 + 16 / 3 + 4 / 3;
      const p = lam.map((l) => l / tr); // 9/14, 4/14, 1/14
      expectRel(a.trace[0], 56 / 3, 1e-14);
      expectRel(a.pr[0], 196 / 98, 1e-14); // 1 / ((81 + 16 + 1) / 196)
      const E = p.map((x) => -Math.log(x));
      const meanE = p.reduce((acc, pk, k) => acc + pk * E[k], 0);
      expectRel(a.entropy[0], meanE, 1e-14);
      expectRel(a.shc[0], p.reduce((acc, pk, k) => acc + pk * (E[k] - meanE) ** 2, 0), 1e-12);
      expectRel(a.topShare[0], 9 / 14, 1e-14);
      for (let k = 0; k < 3; k++)
        for (let i = 0; i < 3; i++) expect(a.eigenvectors![k * 3 + i]).toBeCloseTo(i === k ? 1 : 0, 7);
    }
  });

  it('a rank-2 window: exactly two nonzero eigenvalues, PR and SHC from them', () => {
    const r = rng(3);
    const T = 25, n = 10;
    const u = Array.from({ length: n }, () => r.normal());
    const w = Array.from({ length: n }, () => r.normal());
    const data = new Float64Array(T * n);
    for (let t = 0; t < T; t++) {
      const a = r.normal(), b = 0.5 * r.normal();
      for (let i = 0; i < n; i++) data[t * n + i] = 2 + a * u[i] + b * w[i];
    }
    for (const path of ['gram', 'covariance'] as const) {
      const a = runPreparedSync(prepareAnalysis(toLossView({ data, shape: [T, n] }), { window: 20, topK: 2, threads: 1 }, { path }));
      for (let j = 0; j < a.windows; j++) {
        const ev = a.eigenvalues.subarray(j * a.eigenCount, (j + 1) * a.eigenCount);
        expect(ev[0]).toBeGreaterThan(0);
        expect(ev[1]).toBeGreaterThan(0);
        for (let k = 2; k < a.eigenCount; k++) expect(ev[k]).toBe(0);
        const p1 = ev[0] / (ev[0] + ev[1]), p2 = 1 - p1;
        expectRel(a.pr[j], 1 / (p1 * p1 + p2 * p2), 1e-9);
        const E1 = -Math.log(p1), E2 = -Math.log(p2), mE = p1 * E1 + p2 * E2;
        expectRel(a.shc[j], p1 * (E1 - mE) ** 2 + p2 * (E2 - mE) ** 2, 1e-8);
      }
      compareToReference(a, data, T, n, 1e-8);
    }
  });

  it('a constant window is degenerate: NaN observables, zero eigenvalues, NaN eigenvectors', () => {
    const data = new Float64Array(6 * 4).fill(1.5);
    const a = analyzeSync({ data, shape: [6, 4] }, { window: 3, topK: 1 });
    expect(Array.from(a.degenerate)).toEqual([1, 1, 1, 1]);
    for (const key of OBSERVABLE_NAMES) expect(Array.from(a[key]).every(Number.isNaN)).toBe(true);
    expect(Array.from(a.eigenvalues).every((x) => x === 0)).toBe(true);
    expect(Array.from(a.eigenvectors!).every(Number.isNaN)).toBe(true);
  });

  it('the Gram path (W <= n) and the n x n path give the same observables on the same data', () => {
    const r = rng(21);
    for (const [T, n, W] of [[60, 12, 8], [60, 6, 12]] as const) {
      const data = randomMatrix(T, n, r.normal);
      for (const detrend of ['none', 'linear'] as const) {
        const opts = { window: W, topK: 2, detrend, threads: 1 };
        const g = runPreparedSync(prepareAnalysis(toLossView({ data, shape: [T, n] }), opts, { path: 'gram' }));
        const c = runPreparedSync(prepareAnalysis(toLossView({ data, shape: [T, n] }), opts, { path: 'covariance' }));
        for (let j = 0; j < g.windows; j++) {
          for (const key of OBSERVABLE_NAMES) expectRel(g[key][j], c[key][j], 1e-10, 0, key);
        }
        for (let i = 0; i < g.eigenvectors!.length; i++) expect(Math.abs(g.eigenvectors![i] - c.eigenvectors![i])).toBeLessThan(1e-6);
      }
    }
  });

  it('float32 and float64 inputs holding the same values give identical results', () => {
    const r = rng(5);
    const T = 80, n = 20;
    const f32 = randomMatrix(T, n, r.normal, Float32Array) as Float32Array;
    const f64 = Float64Array.from(f32);
    const a = analyzeSync({ data: f32, shape: [T, n] }, { window: 10, topK: 2, detrend: 'linear' });
    const b = analyzeSync({ data: f64, shape: [T, n] }, { window: 10, topK: 2, detrend: 'linear' });
    expect(Array.from(a.eigenvalues)).toEqual(Array.from(b.eigenvalues));
    expect(Array.from(a.shc)).toEqual(Array.from(b.shc));
    expect(Array.from(a.eigenvectors!)).toEqual(Array.from(b.eigenvectors!));
  });

  it('results are bit-identical whatever the thread count', () => {
    const r = rng(9);
    const T = 700, n = 24;
    const data = randomMatrix(T, n, r.normal);
    const run = (threads: number) => analyzeSync({ data, shape: [T, n] }, { window: 8, topK: 1, threads });
    const one = run(1);
    for (const threads of [2, 3, 8]) {
      const other = run(threads);
      expect(Array.from(other.shc)).toEqual(Array.from(one.shc));
      expect(Array.from(other.eigenvalues)).toEqual(Array.from(one.eigenvalues));
      expect(Array.from(other.eigenvectors!)).toEqual(Array.from(one.eigenvectors!));
    }
  });

  it('a typed array that is a view at a byte offset is read in place from its offset', () => {
    const r = rng(13);
    const T = 30, n = 7;
    const backing = new Float64Array(T * n + 5);
    for (let i = 0; i < backing.length; i++) backing[i] = r.normal();
    const view = new Float64Array(backing.buffer, 5 * 8, T * n);
    const copy = Float64Array.from(view);
    const a = analyzeSync({ data: view, shape: [T, n] }, { window: 6 });
    const b = analyzeSync({ data: copy, shape: [T, n] }, { window: 6 });
    expect(Array.from(a.shc)).toEqual(Array.from(b.shc));
    const buf = Buffer.alloc(T * n * 4 + 12);
    const f32 = new Float32Array(buf.buffer, buf.byteOffset + 12, T * n);
    f32.set(copy);
    const c = analyzeSync({ data: f32, shape: [T, n] }, { window: 6 });
    compareToReference(c, Float64Array.from(f32), T, n);
  });
});

describe('precision with large offsets and drift', () => {
  it('offset 1e3 with fluctuations 1e-4 matches the two-pass reference to 1e-6', () => {
    const r = rng(17);
    const T = 120, n = 12;
    const data = randomMatrix(T, n, () => 1e3 + 1e-4 * r.normal());
    for (const detrend of ['none', 'linear'] as const) {
      const a = analyzeSync({ data, shape: [T, n] }, { window: 9, detrend, topK: 1 });
      compareToReference(a, data, T, n, 1e-6);
    }
  });

  it('a loss curve falling from 10 to 0.01 with 1e-5 fluctuations stays accurate across rebuilds', () => {
    // The trend dominates each window (lambda_1 / lambda_2 ~ 1e6). The Gram path projects
    // after forming the Gram, so tiny eigenvalues carry an absolute error of order
    // eps * |rows|^2: documented bounds, asserted here.
    const r = rng(19);
    const T = 400, n = 10, W = 8;
    const data = new Float64Array(T * n);
    for (let t = 0; t < T; t++) for (let i = 0; i < n; i++) data[t * n + i] = 10 * Math.exp(-t / 60) + 1e-5 * r.normal();
    const a = analyzeSync({ data, shape: [T, n] }, { window: W, detrend: 'linear', threads: 1 });
    const rows = rowsOf(data, T, n);
    for (let j = 0; j < a.windows; j++) {
      const ref = naiveWindow(rows.slice(j, j + W), 'linear', 1);
      for (let k = 0; k < a.eigenCount; k++) {
        expect(Math.abs(a.eigenvalues[j * a.eigenCount + k] - ref.eigenvalues[k])).toBeLessThanOrEqual(1e-11 * ref.eigenvalues[0]);
      }
      expectRel(a.trace[j], ref.trace, 1e-9, 0, 'trace');
      expectRel(a.pr[j], ref.pr, 1e-9, 0, 'pr');
      expectRel(a.topShare[j], ref.topShare, 1e-9, 0, 'topShare');
      // Entropy and SHC are carried here by eigenvalues 1e-6 below lambda_1.
      expectRel(a.entropy[j], ref.entropy, 1e-4, 0, 'entropy');
      expectRel(a.shc[j], ref.shc, 1e-4, 0, 'shc');
    }
  });
});
