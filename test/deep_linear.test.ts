// The deep-linear-network trainer: closed-form checks, stage-like learning, recording, options.
import { describe, expect, it } from 'vitest';
import { Rdm2Error } from '../lib/errors.js';
import { simulateDeepLinear, type DeepLinearOptions } from '../lib/scenarios/deep_linear.js';
import { expectRel } from './helpers.js';

function expectOptionError(options: unknown, message: RegExp) {
  let caught: unknown;
  try {
    simulateDeepLinear(options as DeepLinearOptions);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(Rdm2Error);
  expect((caught as Rdm2Error).code).toBe('ERR_RDM2_OPTION');
  expect((caught as Rdm2Error).message).toMatch(message);
}

function frobeniusDistance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

describe('simulateDeepLinear: closed-form checks', () => {
  it('with whitened inputs and a tiny learning rate the training loss decreases monotonically and W converges to the teacher', () => {
    const r = simulateDeepLinear({ depth: 3, hidden: 8, initScale: 0.1, learningRate: 0.002, steps: 8000, noise: 0, seed: 3 });
    const L = r.trainLoss;
    expect(L.length).toBe(8001);
    // Whitened inputs: the training loss is 0.5 ||W - T||_F^2, close to 0.5 (16 + 9 + 4 + 1) at a small init.
    expect(Math.abs(L[0] - 15)).toBeLessThan(0.05);
    // Strictly decreasing at every step, down to the round-off floor of ||W - T||^2 (about 1e-28).
    let checked = 0;
    for (let t = 1; t < L.length; t++) {
      if (L[t - 1] < 1e-24) break;
      if (!(L[t] < L[t - 1])) expect.fail(`training loss rose at step ${t}: ${L[t - 1]} -> ${L[t]}`);
      checked++;
    }
    expect(checked).toBeGreaterThan(6000);
    expect(frobeniusDistance(r.finalMap, r.teacher.map)).toBeLessThan(1e-12);
    for (let k = 0; k < 4; k++) expectRel(r.strengths[8000 * 4 + k], [4, 3, 2, 1][k], 1e-12);
  });

  it('depth 1 (linear regression) follows W_t - T = (1 - eta)^t (W_0 - T) exactly', () => {
    const eta = 0.01;
    const r = simulateDeepLinear({ depth: 1, initScale: 0.3, learningRate: eta, steps: 300, noise: 0, seed: 5 });
    const K = 4;
    for (const t of [1, 7, 50, 300]) {
      const f = (1 - eta) ** t;
      for (let k = 0; k < K; k++) {
        const s = r.teacher.singularValues[k];
        expectRel(r.strengths[t * K + k], s + f * (r.strengths[k] - s), 1e-12, 1, `mode ${k} step ${t}`);
      }
      expectRel(r.trainLoss[t], f * f * r.trainLoss[0], 1e-12, 0, `loss at step ${t}`);
    }
  });

  it("aligned init: every mode follows the scalar recursion a <- a - eta (a^L - s) a^(L-1) exactly (depths 1 to 4)", () => {
    for (const depth of [1, 2, 3, 4]) {
      const eta = 0.05;
      const sigma = 0.3;
      const sv = [2, 1.5, 1, 0.5];
      const r = simulateDeepLinear({ depth, init: 'aligned', singularValues: sv, dim: 5, hidden: 7, initScale: sigma, learningRate: eta, steps: 400, noise: 0, seed: depth });
      const a = sv.map(() => sigma);
      for (let t = 0; t <= 400; t++) {
        for (let k = 0; k < sv.length; k++) {
          expectRel(r.strengths[t * sv.length + k], a[k] ** depth, 1e-10, 1e-12, `depth ${depth} mode ${k} step ${t}`);
        }
        for (let k = 0; k < sv.length; k++) a[k] -= eta * (a[k] ** depth - sv[k]) * a[k] ** (depth - 1);
      }
    }
  });

  it("aligned depth 2 matches Saxe et al.'s closed form u(t) = s / (1 + (s/u0 - 1) exp(-2 s eta t)) to O(eta)", () => {
    const eta = 0.001;
    const sigma = 0.01;
    const u0 = sigma * sigma;
    const r = simulateDeepLinear({ depth: 2, init: 'aligned', initScale: sigma, learningRate: eta, steps: 3000, hidden: 6, noise: 0, seed: 2 });
    const sv = [4, 3, 2];
    sv.forEach((s, k) => {
      const tHalf = Math.log(s / u0 - 1) / (2 * s * eta); // u(tHalf) = s / 2
      expect(r.alignmentSteps[k]).toBeGreaterThanOrEqual(Math.ceil(tHalf));
      expect(r.alignmentSteps[k]).toBeLessThanOrEqual(Math.ceil(tHalf) + 4);
      let maxErr = 0;
      for (let t = 0; t <= 3000; t++) {
        const closed = s / (1 + (s / u0 - 1) * Math.exp(-2 * s * eta * t));
        maxErr = Math.max(maxErr, Math.abs(r.strengths[t * 4 + k] - closed));
      }
      expect(maxErr).toBeLessThan(0.01 * s);
    });
    // The weakest mode (s = 1, half-time 4605 steps) has not aligned yet.
    expect(r.alignmentSteps[3]).toBeNaN();
    expect(r.alignmentCheckpoints[3]).toBe(-1);
  });
});

describe('simulateDeepLinear: stage-like learning from a small random init', () => {
  const runs = [0, 1, 2].map((seed) => simulateDeepLinear({ seed, steps: 3000, probes: 12 }));

  it('learns every teacher mode in order, strongest first, one at a time', () => {
    for (const r of runs) {
      const al = Array.from(r.alignmentSteps);
      expect(al.every(Number.isFinite)).toBe(true);
      for (let k = 1; k < 4; k++) expect(al[k]).toBeGreaterThan(al[k - 1]);
      const K = 4;
      // At each alignment the stronger modes are learned (> 90%) and the weaker ones still near zero (< 5%).
      r.alignmentCheckpoints.forEach((t, k) => {
        expect(r.strengths[t * K + k]).toBeGreaterThanOrEqual(r.teacher.singularValues[k] / 2);
        expect(r.strengths[(t - 1) * K + k]).toBeLessThan(r.teacher.singularValues[k] / 2);
        for (let j = 0; j < k; j++) expect(r.strengths[t * K + j]).toBeGreaterThan(0.9 * r.teacher.singularValues[j]);
        for (let j = k + 1; j < K; j++) expect(Math.abs(r.strengths[t * K + j])).toBeLessThan(0.05 * r.teacher.singularValues[j]);
      });
      // Converged by the end.
      expect(frobeniusDistance(r.finalMap, r.teacher.map)).toBeLessThan(1e-3);
    }
  });

  it('records the exact per-probe loss 0.5 ||(W - T) x_i||^2 without noise', () => {
    const r = simulateDeepLinear({ seed: 4, steps: 200, probes: 5, noise: 0, dim: 6 });
    const [T, n] = r.losses.shape;
    expect([T, n]).toEqual([201, 5]);
    const d = 6;
    for (let i = 0; i < n; i++) {
      let loss = 0;
      for (let a = 0; a < d; a++) {
        let e = 0;
        for (let b = 0; b < d; b++) e += (r.finalMap[a * d + b] - r.teacher.map[a * d + b]) * r.probeInputs[i * d + b];
        loss += e * e;
      }
      expectRel(r.losses.data[200 * n + i], 0.5 * loss, 1e-12);
    }
    // The training loss over the whitened set is 0.5 ||W - T||_F^2.
    expectRel(r.trainLoss[200], 0.5 * frobeniusDistance(r.finalMap, r.teacher.map) ** 2, 1e-12);
    expect(Array.from(r.steps.subarray(0, 3))).toEqual([0, 1, 2]);
    expect(r.steps[200]).toBe(200);
  });

  it('teacher: orthonormal singular bases and T = sum s_k u_k v_k^T', () => {
    const r = simulateDeepLinear({ seed: 9, steps: 1, dim: 6, singularValues: [3, 2] });
    const d = 6;
    const { u, v, map } = r.teacher;
    for (const Q of [u, v]) {
      for (let a = 0; a < d; a++) {
        for (let b = 0; b < d; b++) {
          let dot = 0;
          for (let i = 0; i < d; i++) dot += Q[i * d + a] * Q[i * d + b];
          expect(Math.abs(dot - (a === b ? 1 : 0))).toBeLessThan(1e-14);
        }
      }
    }
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        const t = 3 * u[i * d] * v[j * d] + 2 * u[i * d + 1] * v[j * d + 1];
        expect(Math.abs(map[i * d + j] - t)).toBeLessThan(1e-14);
      }
    }
    expect(Array.from(r.teacher.singularValues)).toEqual([3, 2]);
  });

  it("probeGroups: 'mode k' for the teacher input direction v_k each probe is most aligned with", () => {
    const r = simulateDeepLinear({ seed: 6, steps: 1, probes: 40, dim: 5, singularValues: [3, 2, 1] });
    const d = 5;
    expect(r.probeGroups).toHaveLength(40);
    for (let i = 0; i < 40; i++) {
      const proj = [0, 1, 2].map((k) => {
        let p = 0;
        for (let j = 0; j < d; j++) p += r.teacher.v[j * d + k] * r.probeInputs[i * d + j];
        return p * p;
      });
      expect(r.probeGroups[i]).toBe(`mode ${proj.indexOf(Math.max(...proj)) + 1}`);
    }
    expect(new Set(r.probeGroups)).toEqual(new Set(['mode 1', 'mode 2', 'mode 3']));
  });

  it('measurement noise changes only the recorded losses, by i.i.d. N(0, noise^2)', () => {
    const clean = simulateDeepLinear({ seed: 7, steps: 400, probes: 50, noise: 0 });
    const noisy = simulateDeepLinear({ seed: 7, steps: 400, probes: 50, noise: 0.02 });
    expect(noisy.strengths).toEqual(clean.strengths);
    expect(noisy.trainLoss).toEqual(clean.trainLoss);
    expect(noisy.alignmentSteps).toEqual(clean.alignmentSteps);
    let s = 0;
    let ss = 0;
    const N = clean.losses.data.length;
    for (let i = 0; i < N; i++) {
      const e = noisy.losses.data[i] - clean.losses.data[i];
      s += e;
      ss += e * e;
    }
    const mean = s / N;
    const sd = Math.sqrt(ss / N - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(4 * (0.02 / Math.sqrt(N))); // N = 20050 draws
    expect(Math.abs(sd - 0.02)).toBeLessThan(0.0005);
  });

  it('is deterministic for a seed and changes with it', () => {
    const a = simulateDeepLinear({ seed: 11, steps: 100, probes: 4 });
    const b = simulateDeepLinear({ seed: 11, steps: 100, probes: 4 });
    const c = simulateDeepLinear({ seed: 12, steps: 100, probes: 4 });
    expect(b.losses.data).toEqual(a.losses.data);
    expect(b.strengths).toEqual(a.strengths);
    expect(c.losses.data).not.toEqual(a.losses.data);
  });

  it('fills in and echoes the documented defaults', () => {
    const r = simulateDeepLinear({ steps: 2 });
    expect(r.options).toEqual({
      singularValues: [4, 3, 2, 1], dim: 4, hidden: 32, depth: 3, init: 'random', initScale: 0.001,
      learningRate: 0.08, steps: 2, probes: 60, trainSize: 16, noise: 0.01, seed: 0,
    });
    expect(r.losses.shape).toEqual([3, 60]);
    expect(r.strengths.length).toBe(3 * 4);
    expect(r.probeInputs.length).toBe(60 * 4);
  });
});

describe('simulateDeepLinear: every bad option is an ERR_RDM2_OPTION', () => {
  const cases: [string, unknown, RegExp][] = [
    ['not an object', 5, /options must be an object/],
    ['null', null, /options must be an object/],
    ['unknown option', { width: 3 }, /unknown simulateDeepLinear option 'width'/],
    ['empty singular values', { singularValues: [] }, /singularValues must be a non-empty array/],
    ['singular values not an array', { singularValues: 4 }, /singularValues must be a non-empty array/],
    ['zero singular value', { singularValues: [2, 0] }, /singularValues\[1\] must be a finite number > 0, got 0/],
    ['NaN singular value', { singularValues: [NaN] }, /singularValues\[0\] must be a finite number > 0/],
    ['repeated singular values', { singularValues: [3, 3, 1] }, /strictly decreasing .* 3 follows 3/],
    ['increasing singular values', { singularValues: [1, 2] }, /strictly decreasing .* 2 follows 1/],
    ['dim too small', { dim: 3 }, /dim \(3\) must be at least the number of singular values \(4\)/],
    ['dim not an integer', { dim: 4.5 }, /dim must be an integer in \[1, 512\], got 4.5/],
    ['hidden 0', { hidden: 0 }, /hidden must be an integer in \[1, 4096\], got 0/],
    ['depth 0', { depth: 0 }, /depth must be an integer in \[1, 10\], got 0/],
    ['depth 11', { depth: 11 }, /depth must be an integer in \[1, 10\], got 11/],
    ['unknown init', { init: 'orthogonal' }, /init must be one of 'random', 'aligned', got "orthogonal"/],
    ['aligned with a narrow hidden layer', { init: 'aligned', hidden: 3 }, /init 'aligned' needs hidden >= dim, got hidden 3 < dim 4/],
    ['initScale 0', { initScale: 0 }, /initScale must be a finite number > 0, got 0/],
    ['initScale negative', { initScale: -0.1 }, /initScale must be a finite number > 0, got -0.1/],
    ['learningRate Infinity', { learningRate: Infinity }, /learningRate must be a finite number > 0, got Infinity/],
    ['learningRate string', { learningRate: '0.1' }, /learningRate must be a finite number > 0, got "0.1"/],
    ['steps 0', { steps: 0 }, /steps must be an integer in \[1, 10000000\], got 0/],
    ['steps fractional', { steps: 10.5 }, /steps must be an integer/],
    ['probes 0', { probes: 0 }, /probes must be an integer in \[1, 1048576\], got 0/],
    ['too many recorded losses', { steps: 1_000_000, probes: 1000 }, /recorded losses exceeds the limit of 134217728/],
    ['trainSize below dim', { trainSize: 3 }, /trainSize must be an integer in \[4, 1048576\], got 3/],
    ['noise negative', { noise: -0.01 }, /noise must be a finite number >= 0, got -0.01/],
    ['noise NaN', { noise: NaN }, /noise must be a finite number >= 0, got NaN/],
    ['seed fractional', { seed: 1.5 }, /seed must be a safe integer, got 1.5/],
    ['learning rate above the stability bound', { learningRate: 0.11 }, /learningRate 0.11 is too large for singular value 4 at depth 3: .* < 2 \/ \(depth s_1\^\(2 - 2\/depth\)\) = 0.1050/],
    ['stability bound at depth 2', { depth: 2, singularValues: [5], dim: 1, learningRate: 0.2 }, /learningRate 0.2 is too large for singular value 5 at depth 2: .* = 0.2000/],
    ['divergence from a large init', { initScale: 1, learningRate: 0.05, steps: 200 }, /training diverged at step 4: the weights overflowed \(initScale 1 with learningRate 0.05 is too large/],
  ];
  for (const [name, options, message] of cases) it(name, () => expectOptionError(options, message));
});
