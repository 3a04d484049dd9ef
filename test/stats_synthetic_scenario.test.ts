import { describe, expect, it } from 'vitest';
import { syntheticScenario } from '../lib/scenarios/synthetic.js';
import { expectRel, expectError } from './helpers.js';

describe('syntheticScenario (the paper\'s Figure 1 generator)', () => {
  it('has the documented shape, groups and defaults', () => {
    const s = syntheticScenario();
    expect(s.losses.shape).toEqual([240, 60]);
    expect(s.losses.data).toBeInstanceOf(Float64Array);
    expect(s.losses.data.length).toBe(240 * 60);
    expect(s.groups.slice(0, 20).every((g) => g === 'A')).toBe(true);
    expect(s.groups.slice(20, 40).every((g) => g === 'B')).toBe(true);
    expect(s.groups.slice(40).every((g) => g === 'C')).toBe(true);
    expect(s.options).toEqual({
      probes: 60, groups: 3, steps: 240, seed: 0, noise: 0.05, amplitude: 0.5, center: 144, width: 8,
      activeGroup: 'B', baseLoss: 2.3, stepInterval: 1, shuffleProbes: false,
    });
  });
  it('is l_i(t) = b_i - a(t) v_i + noise: exact without noise, v only on the active group', () => {
    const s = syntheticScenario({ noise: 0, steps: 100, center: 50, width: 5, seed: 3 });
    const [T, n] = s.losses.shape;
    for (let c = 0; c < n; c++) {
      if (s.groups[c] !== 'B') expect(s.v[c]).toBe(0);
      else expect(s.v[c] >= 0.25 && s.v[c] <= 0.75).toBe(true); // amplitude 0.5 x U[0.5, 1.5]
    }
    for (let t = 0; t < T; t++) {
      expectRel(s.a[t], 1 / (1 + Math.exp(-(t - 50) / 5)), 1e-15);
      for (let c = 0; c < n; c++) {
        const b = s.losses.data[c]; // row 0 holds b_c - a(0) v_c
        expectRel(s.losses.data[t * n + c], b + s.a[0] * s.v[c] - s.a[t] * s.v[c], 1e-14);
      }
    }
  });
  it('reports the transition (a >= 0.5), the 10% and 90% points, in steps', () => {
    const s = syntheticScenario({ steps: 100, center: 50.5, width: 4, stepInterval: 10 });
    expect(s.transitionCheckpoint).toBe(51);
    expect(s.transitionStep).toBe(510);
    // By definition: the first checkpoint where a reaches 90% (10%) of its final value.
    const final = s.a[99];
    expect(s.a[s.checkpoint90] >= 0.9 * final && s.a[s.checkpoint90 - 1] < 0.9 * final).toBe(true);
    expect(s.step90).toBe(10 * s.checkpoint90);
    const k10 = s.step10 / 10;
    expect(s.a[k10] >= 0.1 * final && s.a[k10 - 1] < 0.1 * final).toBe(true);
    expect(Array.from(s.steps.slice(0, 3))).toEqual([0, 10, 20]);
  });
  it('is deterministic per seed; shuffleProbes permutes the groups but keeps their sizes', () => {
    const bytes = (seed: number) => Buffer.from(syntheticScenario({ seed }).losses.data.buffer);
    expect(bytes(9).equals(bytes(9))).toBe(true);
    expect(bytes(9).equals(bytes(10))).toBe(false);
    const s = syntheticScenario({ seed: 9, shuffleProbes: true });
    expect(s.groups.slice(0, 20).every((g) => g === 'A')).toBe(false);
    for (const g of ['A', 'B', 'C']) expect(s.groups.filter((x) => x === g)).toHaveLength(20);
    s.groups.forEach((g, c) => expect(s.v[c] !== 0).toBe(g === 'B'));
  });
  it('rejects bad options', () => {
    expectError(() => syntheticScenario({ probes: 0 }), 'ERR_RDM2_OPTION', /probes must be an integer in \[1, /);
    expectError(() => syntheticScenario({ groups: 27 }), 'ERR_RDM2_OPTION', /groups must be an integer in \[1, 26\]/);
    expectError(() => syntheticScenario({ steps: 1 }), 'ERR_RDM2_OPTION', /steps must be an integer in \[2, /);
    expectError(() => syntheticScenario({ noise: -1 }), 'ERR_RDM2_OPTION', /noise must be a finite number >= 0, got -1/);
    expectError(() => syntheticScenario({ width: 0 }), 'ERR_RDM2_OPTION', /width must be a finite number > 0/);
    expectError(() => syntheticScenario({ seed: 0.5 }), 'ERR_RDM2_OPTION', /seed must be a safe integer/);
    expectError(() => syntheticScenario({ activeGroup: 'D' }), 'ERR_RDM2_OPTION', /activeGroup must be one of A, B, C, got "D"/);
    expectError(() => syntheticScenario({ center: Infinity }), 'ERR_RDM2_OPTION', /center must be a finite number/);
    expectError(() => syntheticScenario({ shuffleProbes: 1 as unknown as boolean }), 'ERR_RDM2_OPTION', /shuffleProbes must be a boolean/);
    expectError(() => syntheticScenario({ probe: 60 } as object), 'ERR_RDM2_OPTION', /unknown syntheticScenario option 'probe'/);
  });
});
