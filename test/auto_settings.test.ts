// Settings from the data: the autocorrelation time against a naive reference, the documented
// choices on the synthetic scenario, the deep linear network, the shipped real runs and a run spanning decades, and
// `--window auto` / `--transform auto` through analyzeFile and the command line.
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { AUTO_RULE, autoSettings, chooseSettings, inspectLosses } from '../lib/auto_settings.js';
import { readRealRun, type RealSettingName } from '../lib/demo/real_runs.js';
import { analyzeFile } from '../lib/io/analyze_file.js';
import { simulateDeepLinear } from '../lib/scenarios/deep_linear.js';
import { noiseControl } from '../lib/scenarios/noise_control.js';
import { syntheticScenario } from '../lib/scenarios/synthetic.js';
import { expectError, expectRel } from './helpers.js';
import { runCliHere, tempDir, writeNpy } from './io_fixtures.js';

vi.setConfig({ testTimeout: 0 });

/**
 * The rule written out naively: per block of 64 rows, each probe's least-squares quadratic from
 * the 3 x 3 normal equations (Cramer's rule), residual lag products pooled, tau = 1 + 2 sum rho
 * up to the first rho <= 0.
 */
function naiveTau(data: Float64Array, T: number, n: number): number {
  const L = 64;
  const K = L / 2;
  const sums = new Array<number>(K + 1).fill(0);
  const counts = new Array<number>(K + 1).fill(0);
  for (let b = 0; b < T; b += L) {
    const rows = Math.min(L, T - b);
    if (rows < 16) break;
    const cols = n > 256 ? Array.from({ length: 256 }, (_, i) => Math.floor((i * n) / 256)) : Array.from({ length: n }, (_, i) => i);
    for (const c of cols) {
      const x = Array.from({ length: rows }, (_, t) => t);
      const y = x.map((t) => data[(b + t) * n + c]);
      const S = (p: number) => x.reduce((s, t) => s + t ** p, 0);
      const Sy = (p: number) => x.reduce((s, t, i) => s + t ** p * y[i], 0);
      const M = [
        [S(0), S(1), S(2)],
        [S(1), S(2), S(3)],
        [S(2), S(3), S(4)],
      ];
      const rhs = [Sy(0), Sy(1), Sy(2)];
      const det = (m: number[][]) =>
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
      const d = det(M);
      const coef = [0, 1, 2].map((k) => det(M.map((row, i) => row.map((v, j) => (j === k ? rhs[i] : v)))) / d);
      const r = y.map((v, i) => v - coef[0] - coef[1] * x[i] - coef[2] * x[i] ** 2);
      for (let lag = 0; lag <= Math.min(K, rows - 1); lag++) {
        for (let t = 0; t + lag < rows; t++) sums[lag] += r[t] * r[t + lag];
        counts[lag] += rows - lag;
      }
    }
  }
  const c0 = sums[0] / counts[0];
  let tau = 1;
  for (let lag = 1; lag <= K && counts[lag] > 0; lag++) {
    const rho = sums[lag] / counts[lag] / c0;
    if (!(rho > 0)) break;
    tau += 2 * rho;
  }
  return tau;
}

describe('inspectLosses', () => {
  it('gives the autocorrelation time of the naive reference (partial last block, AR(1) noise, a trend)', () => {
    for (const [phi, T] of [
      [0.5, 300],
      [0.9, 150],
      [0, 100],
    ] as const) {
      const c = noiseControl({ phi, steps: T, probes: 12, seed: 4 });
      // Add a curved trend per probe: the quadratic detrending must remove it exactly.
      const data = Float64Array.from(c.losses.data, (v, i) => v + 0.001 * Math.floor(i / 12) ** 1.5);
      const ins = inspectLosses({ data, shape: [T, 12] });
      expectRel(ins.autocorrelationTime, naiveTau(data, T, 12), 1e-9, 0, `phi ${phi}`);
      expect(ins.rows).toBe(T);
    }
  });
  it('measures the decades each probe spans, NaN for a probe with a loss <= 0', () => {
    const data = new Float64Array([1, 1, -1, 1e-3, 0.5, 2, 10, 0.02, 3]);
    const ins = inspectLosses({ data, shape: [3, 3] });
    expectRel(ins.decades[0], 4, 1e-12); // 10 / 1e-3
    expectRel(ins.decades[1], Math.log10(1 / 0.02), 1e-12);
    expect(ins.decades[2]).toBeNaN();
    expect(ins.maxDecades).toBeCloseTo(4, 12);
    expect(ins.probesOverDecades).toBe(1);
    expect(ins.allPositive).toBe(false);
    expect(ins.autocorrelationTime).toBeNaN(); // 3 rows: no block to estimate it on
  });
});

describe('chooseSettings: the documented choices', () => {
  it("the synthetic scenario (white noise, T = 240): W = 20, the demo's window; no transform", () => {
    const s = autoSettings(syntheticScenario({ seed: 0, stepInterval: 10, shuffleProbes: true }).losses);
    expect(s.window).toBe(20);
    expect(s.transform).toBe('none');
    expect(s.windowReason).toBe('W = 20: autocorrelation time 1.00 checkpoints x 5 = 5; raised to 20; T = 240 allows up to 24');
    expect(s.transformReason).toBe('none: no probe spans more than 2 decades (largest 0.228)');
    // The same on every seed of the demo's first five.
    for (let seed = 1; seed < 5; seed++) expect(autoSettings(syntheticScenario({ seed, stepInterval: 10, shuffleProbes: true }).losses).window).toBe(20);
    // A short recording (T = 100) gets a short window: a tenth of the run, at least 10.
    const short = autoSettings(syntheticScenario({ seed: 0, steps: 100, center: 30 }).losses);
    expect(short.window).toBe(10);
    expect(short.windowReason).toBe('W = 10: autocorrelation time 1.34 checkpoints x 5 = 7; raised to 20; capped at 10 = max(10, T / 10) (T = 100)');
  });
  it('the deep linear network (seed 0, T = 3601): W = 38 from its smooth stage-wise curves, no log (losses reach <= 0 through the measurement noise)', () => {
    const s = autoSettings(simulateDeepLinear({ seed: 0 }).losses);
    expect(s.window).toBe(38);
    expectRel(s.autocorrelationTime, 7.53, 0.001);
    expect(s.windowReason).toMatch(/^W = 38: autocorrelation time 7\.53 checkpoints x 5 = 38; T = 3601 allows up to 360$/);
    expect(s.transform).toBe('none');
    expect(s.transformReason).toBe('none: 60 of 60 probes have a loss <= 0 or not finite, so the log transform is impossible');
  });
  it('AR(1) noise: a longer autocorrelation gives a longer window, capped at T / 10', () => {
    const ar5 = autoSettings(noiseControl({ phi: 0.5, steps: 400, seed: 0 }).losses);
    const ar9 = autoSettings(noiseControl({ phi: 0.9, steps: 400, seed: 0 }).losses);
    expect(ar5.window).toBe(20); // 5 tau = 11 < 20
    expect(ar9.window).toBe(Math.ceil(5 * ar9.autocorrelationTime));
    expect(ar9.window).toBeGreaterThan(20);
    const short = autoSettings(noiseControl({ phi: 0.9, steps: 150, seed: 0 }).losses);
    expect(short.window).toBe(15);
    expect(short.windowReason).toMatch(/capped at 15 = max\(10, T \/ 10\) \(T = 150\)$/);
  });
  it('losses spanning more than 2 decades: log with auto, a proposal when the transform is none', () => {
    const T = 200;
    const n = 20;
    const data = new Float64Array(T * n);
    for (let t = 0; t < T; t++) for (let c = 0; c < n; c++) data[t * n + c] = Math.exp(-t * (c < 5 ? 0.03 : 0.001)) * (1 + 0.05 * Math.sin(t * (c + 1)));
    const auto = autoSettings({ data, shape: [T, n] });
    expect(auto.transform).toBe('log');
    expect(auto.transformReason).toMatch(/^log: 5 of 20 probes span more than 2 decades \(largest 2\.6\d\)$/);
    expect(auto.windowReason).toContain('(log losses)');
    const asked = autoSettings({ data, shape: [T, n] }, { transform: 'none' });
    expect(asked.transform).toBe('none');
    expect(asked.logProposed).toBe(true);
    expect(asked.transformReason).toBe(`none (as asked); log is proposed: ${auto.span}`);
    expect(autoSettings({ data, shape: [T, n] }, { transform: 'log' }).transformReason).toBe('log (as asked)');
    expect(AUTO_RULE.decades).toBe(2);
  });
  it('the shipped real runs (data/real, seeds 0-9): grokking W 32-34 on log losses, induction heads W 20, the misalignment analogue W 37-40 on log losses', async () => {
    // The documented table of docs/statistics.md ("The documented choices"), seed by seed.
    const expected: Record<RealSettingName, { windows: number[]; transform: 'none' | 'log'; tau: number[] }> = {
      grokking: { windows: [32, 33, 34, 33, 33, 34, 33, 34, 34, 34], transform: 'log', tau: [6.39, 6.57, 6.71, 6.57, 6.55, 6.6, 6.58, 6.61, 6.6, 6.68] },
      induction_heads: { windows: [20, 20, 20, 20, 20, 20, 20, 20, 20, 20], transform: 'none', tau: [2.53, 2.58, 2.38, 2.51, 2.33, 2.21, 2.72, 2.32, 2.53, 2.24] },
      misalignment_analogue: { windows: [40, 40, 40, 40, 40, 40, 37, 40, 40, 40], transform: 'log', tau: [8.32, 7.82, 8.39, 8.69, 8.97, 8.3, 7.31, 8.55, 8.55, 7.98] },
    };
    for (const [name, e] of Object.entries(expected) as [RealSettingName, (typeof expected)[RealSettingName]][]) {
      for (let seed = 0; seed < 10; seed++) {
        const s = autoSettings((await readRealRun(name, seed)).losses);
        expect([name, seed, s.window, s.transform, Number(s.autocorrelationTime.toFixed(2))]).toEqual([name, seed, e.windows[seed], e.transform, e.tau[seed]]);
      }
    }
    const grok = autoSettings((await readRealRun('grokking', 0)).losses);
    expect(grok.windowReason).toBe('W = 32: autocorrelation time 6.39 checkpoints (log losses) x 5 = 32; T = 401 allows up to 40');
    expect(grok.transformReason).toBe('log: 93 of 128 probes span more than 2 decades (largest 7.03)');
    const ih = autoSettings((await readRealRun('induction_heads', 0)).losses);
    expect(ih.windowReason).toBe('W = 20: autocorrelation time 2.53 checkpoints x 5 = 13; raised to 20; T = 501 allows up to 50');
    expect(ih.transformReason).toBe('none: no probe spans more than 2 decades (largest 1.15)');
    const mis = autoSettings((await readRealRun('misalignment_analogue', 0)).losses);
    expect(mis.windowReason).toBe('W = 40: autocorrelation time 8.32 checkpoints (log losses) x 5 = 42; capped at 40 = max(10, T / 10) (T = 401)');
  });
  it('rejects a bad transform choice', () => {
    expectError(() => chooseSettings(inspectLosses([[1, 2]]), { transform: 'sqrt' as 'log' }), 'ERR_RDM2_OPTION', /transform must be one of 'auto', 'none', 'log'/);
  });
});

describe('--window auto and --transform auto on files', () => {
  const dir = tempDir('rdm2-auto-');
  const sc = syntheticScenario({ seed: 0, center: 30 });
  const file = writeNpy(join(dir, 'syn', 'losses.npy'), sc.losses.data, 240, 60);

  it('analyzeFile chooses as autoSettings does on the same losses, and says why', async () => {
    const fa = await analyzeFile(file, { window: 'auto', transform: 'auto', threads: 1 });
    const s = autoSettings(sc.losses);
    expect(fa.analysis.options.window).toBe(s.window);
    expect(fa.analysis.options.transform).toBe('none');
    expect(fa.auto?.windowReason).toBe(s.windowReason);
    expect(fa.auto?.transformReason).toBe(s.transformReason);
    expect(fa.transformProposal).toBeUndefined();
  });
  it('rdm2 analyze prints the choice and why; a log transform is proposed when the losses span decades', async () => {
    const r = await runCliHere(['analyze', file, '--window', 'auto', '--transform', 'auto', '--threads', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  auto window  W = 20: autocorrelation time 1.00 checkpoints x 5 = 6; raised to 20; T = 240 allows up to 24\n');
    expect(r.stdout).toContain('  transform    none: no probe spans more than 2 decades (largest 0.221)\n');
    const T = 120;
    const n = 8;
    const data = new Float64Array(T * n);
    for (let t = 0; t < T; t++) for (let c = 0; c < n; c++) data[t * n + c] = Math.exp(-0.05 * t * (c + 1)) + 1e-4 * (1 + Math.cos(t * (c + 2)));
    const decays = writeNpy(join(dir, 'decay', 'losses.npy'), data, T, n);
    const plain = await runCliHere(['analyze', decays, '--window', '12', '--threads', '1']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/\n {2}note {9}log transform proposed: 8 of 8 probes span more than 2 decades \(largest \d\.\d+\); use --transform log \(or auto\)\n/);
    const bad = await runCliHere(['analyze', decays, '--window', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("argument 'soon' is invalid. expected an integer >= 2 or 'auto'");
  });
  it('refuses window auto for a [T, K, n] perturbation file', async () => {
    const pert = writeNpy(join(dir, 'pert', 'samples.npy'), new Float64Array(4 * 5 * 3).map((_, i) => 1 + (i % 7)), 20, 3);
    // Rewrite as [T, K, n] = [4, 5, 3].
    const { writeFileSync } = await import('node:fs');
    const { encodeNpy } = await import('../lib/io/npy.js');
    writeFileSync(pert, encodeNpy({ values: new Float64Array(60).map((_, i) => 1 + (i % 7)), shape: [4, 5, 3] }));
    await expect(analyzeFile(pert, { window: 'auto' })).rejects.toThrow(/window 'auto' does not apply to .*perturbation blocks/);
  });
});
