import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../lib/stats/index.js';
import { expectError } from './helpers.js';

describe('SeededRandom', () => {
  it('is reproducible from its seed, and different seeds give different streams', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const xa = Array.from({ length: 50 }, () => a.next32());
    expect(Array.from({ length: 50 }, () => b.next32())).toEqual(xa);
    expect(Array.from({ length: 50 }, () => c.next32())).not.toEqual(xa);
    // Negative and large safe seeds are distinct seeds too.
    expect(new SeededRandom(-1).next32()).not.toBe(new SeededRandom(2 ** 32 - 1).next32());
  });
  it('keeps producing the same stream across versions (pinned values)', () => {
    const r = new SeededRandom(42);
    expect([r.next32(), r.next32(), r.next32()]).toEqual(PINNED_42);
  });
  it('uniform() is in [0, 1) with mean 1/2 and variance 1/12', () => {
    const r = new SeededRandom(1);
    const N = 20000;
    let s = 0;
    let s2 = 0;
    let outside = 0;
    for (let i = 0; i < N; i++) {
      const u = r.uniform();
      if (!(u >= 0 && u < 1)) outside++;
      s += u;
      s2 += u * u;
    }
    expect(outside).toBe(0);
    // Standard errors: 0.002 for the mean, 0.0006 for the variance.
    expect(Math.abs(s / N - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(s2 / N - (s / N) ** 2 - 1 / 12)).toBeLessThan(0.003);
  });
  it('int(n) covers 0..n-1 evenly; normal() has mean 0 and variance 1', () => {
    const r = new SeededRandom(2);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 7000; i++) counts[r.int(7)]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120); // sd ~ 29
    let s = 0;
    let s2 = 0;
    const N = 20000;
    for (let i = 0; i < N; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / N)).toBeLessThan(0.03); // se 0.007
    expect(Math.abs(s2 / N - 1)).toBeLessThan(0.05); // se 0.01
  });
  it('shuffle returns a permutation', () => {
    const xs = Int32Array.from({ length: 100 }, (_, i) => i);
    new SeededRandom(3).shuffle(xs);
    expect(Array.from(xs).sort((p, q) => p - q)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(xs)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
  it('rejects bad seeds and ranges', () => {
    expectError(() => new SeededRandom(1.5), 'ERR_RDM2_OPTION', /seed must be a safe integer, got 1.5/);
    expectError(() => new SeededRandom(NaN), 'ERR_RDM2_OPTION', /seed must be a safe integer/);
    expectError(() => new SeededRandom(0).int(0), 'ERR_RDM2_OPTION', /int\(n\) needs an integer 1 <= n <= 2\^32, got 0/);
  });
});

// Recorded from this implementation (sfc32 seeded through splitmix32); a change here breaks every seeded result.
const PINNED_42 = [2721897702, 2231288367, 3555510982];
