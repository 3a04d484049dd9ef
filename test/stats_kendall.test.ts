import { describe, expect, it } from 'vitest';
import { KENDALL_EXACT_MAX_N, kendallTau } from '../lib/stats/index.js';
import { expectRel, expectError } from './helpers.js';

describe('kendallTau: exact p-values without ties (hand-counted permutations)', () => {
  it('a perfect trend of 5: tau = +-1, p = 2 / 5! = 1/60', () => {
    const up = kendallTau([1, 2, 3, 4, 5]);
    expect([up.tau, up.s, up.concordant, up.discordant, up.method]).toEqual([1, 10, 10, 0, 'exact']);
    expectRel(up.pValue, 1 / 60, 1e-14);
    const down = kendallTau([5, 4, 3, 2, 1]);
    expect(down.tau).toBe(-1);
    expectRel(down.pValue, 1 / 60, 1e-14);
  });
  it('n = 3 and n = 4 from the inversion counts [1,2,2,1] and [1,3,5,6,5,3,1]', () => {
    const three = kendallTau([1, 3, 2]); // C 2, D 1
    expectRel(three.tau, 1 / 3, 1e-15);
    expect(three.pValue).toBe(1); // 2 P(D <= 1) = 2 * 3/6
    const four = kendallTau([1, 2, 4, 3]); // D = 1, S = 4
    expectRel(four.tau, 4 / 6, 1e-15);
    expectRel(four.pValue, (2 * 4) / 24, 1e-14);
  });
  it('matches the exact distribution for larger n (reference values from scipy.stats.kendalltau, method="exact")', () => {
    const zigzag = kendallTau([2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11]);
    expectRel(zigzag.tau, 54 / 66, 1e-15);
    expectRel(zigzag.pValue, 4.4129288920955584e-5, 1e-12);
    const big = Array.from({ length: 60 }, (_, i) => Math.sin(i * 1.3) + i * 0.02);
    const exact = kendallTau(big, 0, undefined, { method: 'exact' });
    expect([exact.concordant, exact.discordant]).toEqual([1133, 637]);
    expectRel(exact.pValue, 0.001414086570651108, 1e-10);
  });
});

describe('kendallTau: tie-corrected normal approximation with continuity correction', () => {
  it('[1, 2, 2, 3]: tau-b = 5 / sqrt(6 * 5), z = (5 - 1) / sqrt((156 - 18) / 18)', () => {
    const r = kendallTau([1, 2, 2, 3]);
    expect([r.concordant, r.discordant, r.tiedPairs, r.method]).toEqual([5, 0, 1, 'normal']);
    expectRel(r.tau, 5 / Math.sqrt(30), 1e-15);
    expectRel(r.z, 4 / Math.sqrt(138 / 18), 1e-15);
    expectRel(r.pValue, 0.14856177489186873, 1e-12); // erfc(z / sqrt 2), scipy.special.erfc
  });
  it('[3,1,4,1,5,9,2,6,5,3,5]: three tie groups (2, 2, 3)', () => {
    const r = kendallTau([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]);
    expect([r.concordant, r.discordant, r.tiedPairs]).toEqual([33, 17, 5]);
    expectRel(r.tau, 16 / Math.sqrt(55 * 50), 1e-15);
    // Var S = (11*10*27 - 2*1*9 - 2*1*9 - 3*2*11) / 18 = 159.333...
    expectRel(r.z, 15 / Math.sqrt(2868 / 18), 1e-15);
    expectRel(r.pValue, 0.23470247795516086, 1e-12);
  });
  it('|S| = 1 gives z = 0 and p = 1 (the correction), and n > 50 uses the normal approximation', () => {
    const r = kendallTau([2, 1, 1, 3]); // C 3, D 2
    expect([r.s, r.z, r.pValue]).toEqual([1, 0, 1]);
    const big = Array.from({ length: 60 }, (_, i) => Math.sin(i * 1.3) + i * 0.02);
    const auto = kendallTau(big);
    expect(60).toBeGreaterThan(KENDALL_EXACT_MAX_N);
    expect(auto.method).toBe('normal');
    expectRel(auto.z, 495 / Math.sqrt((60 * 59 * 125) / 18), 1e-15);
    expectRel(auto.pValue, 0.0015936069095899487, 1e-11);
    // Small p-values stay accurate in the far tail (continued-fraction erfc).
    const steep = kendallTau(Array.from({ length: 60 }, (_, i) => i), 0, undefined, { method: 'normal' });
    expectRel(steep.pValue, 1.600300164835602e-29, 1e-12); // scipy erfc(1769 / sqrt(60*59*125/18) / sqrt 2)
  });
});

describe('kendallTau: ranges, NaN and degenerate input', () => {
  it('uses [from, to) and drops NaN values', () => {
    const r = kendallTau([5, 1, 2, 3, 0], 1, 4);
    expect([r.n, r.tau, r.from, r.to]).toEqual([3, 1, 1, 4]);
    expectRel(r.pValue, 1 / 3, 1e-14);
    const nan = kendallTau([1, NaN, 2, 3]);
    expect([nan.n, nan.tau]).toEqual([3, 1]);
  });
  it('all values tied: tau and p are NaN', () => {
    const r = kendallTau([2, 2, 2]);
    expect(Number.isNaN(r.tau) && Number.isNaN(r.pValue)).toBe(true);
  });
  it('rejects bad input', () => {
    expectError(() => kendallTau([]), 'ERR_RDM2_SHAPE', /series is empty/);
    expectError(() => kendallTau([1, NaN, NaN]), 'ERR_RDM2_SHAPE', /needs at least 2 finite values in \[0, 3\), got 1/);
    expectError(() => kendallTau([1, 2, 3], 3), 'ERR_RDM2_OPTION', /from must be an integer in \[0, 2\], got 3/);
    expectError(() => kendallTau([1, 2, 3], 1, 1), 'ERR_RDM2_OPTION', /to must be an integer in \[2, 3\], got 1/);
    expectError(() => kendallTau([1, 2, 3], 0, 4), 'ERR_RDM2_OPTION', /to must be an integer in \[1, 3\], got 4/);
    expectError(() => kendallTau([1, 2, 2], 0, 3, { method: 'exact' }), 'ERR_RDM2_OPTION', /only available without ties \(found 1 tied pairs\)/);
    expectError(() => kendallTau([1, 2], 0, 2, { method: 'bootstrap' as 'exact' }), 'ERR_RDM2_OPTION', /method must be one of 'auto', 'exact', 'normal'/);
    expectError(() => kendallTau([1, 2], 0, 2, { alpha: 0.05 } as object), 'ERR_RDM2_OPTION', /unknown kendallTau option 'alpha'/);
  });
});
