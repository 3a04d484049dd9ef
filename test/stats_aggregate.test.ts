import { describe, expect, it } from 'vitest';
import { aggregate } from '../lib/stats/index.js';
import { SeededRandom } from '../lib/stats/random.js';
import { expectRel, expectError } from './helpers.js';

const records = [
  { g: 'a', leadSteps: 1 as number | null },
  { g: 'a', leadSteps: 3 },
  { g: 'b', leadSteps: 10 },
  { g: 'a', leadSteps: null },
  { g: 'b', leadSteps: 20 },
  { g: 'b', leadSteps: 60 },
];

describe('aggregate', () => {
  it('mean, sample sd and median per group; missing values counted apart (hand-computed)', () => {
    const tab = aggregate(records, 'g');
    expect(tab.key).toEqual(['a', 'b']);
    expect(Array.from(tab.runs)).toEqual([3, 3]);
    expect(Array.from(tab.used)).toEqual([2, 3]);
    expect(Array.from(tab.mean)).toEqual([2, 30]);
    expectRel(tab.sd[0], Math.SQRT2, 1e-15);
    expectRel(tab.sd[1], Math.sqrt((400 + 100 + 900) / 2), 1e-15);
    expect(Array.from(tab.median)).toEqual([2, 20]);
    expect([tab.value, tab.level, tab.bootstrap, tab.seed]).toEqual(['leadSteps', 0.95, 2000, 0]);
  });
  it('bootstrap interval on two values: the resampled means are {min, mid, max} with prob 1/4, 1/2, 1/4', () => {
    // With 2000 resamples, ~500 land on each extreme, so the 2.5% and 97.5% quantiles are the extremes.
    const tab = aggregate(records, 'g');
    expect([tab.ciLow[0], tab.ciHigh[0]]).toEqual([1, 3]);
  });
  it('bootstrap interval of a larger sample is close to mean -+ 1.96 sd_plugin / sqrt(n)', () => {
    const rng = new SeededRandom(4);
    const xs = Array.from({ length: 40 }, () => ({ leadSteps: 100 + 15 * rng.normal() }));
    const tab = aggregate(xs);
    expect(tab.key).toEqual(['all']);
    const n = 40;
    const mean = tab.mean[0];
    const se = (tab.sd[0] * Math.sqrt((n - 1) / n)) / Math.sqrt(n);
    expect(Math.abs(tab.ciLow[0] - (mean - 1.959964 * se))).toBeLessThan(0.25 * se);
    expect(Math.abs(tab.ciHigh[0] - (mean + 1.959964 * se))).toBeLessThan(0.25 * se);
    // Reproducible from the seed; another seed moves the interval a little; a lower level narrows it.
    expect(aggregate(xs)).toEqual(tab);
    expect(aggregate(xs, undefined, { seed: 1 }).ciLow[0]).not.toBe(tab.ciLow[0]);
    const half = aggregate(xs, undefined, { level: 0.5 });
    expect(half.ciHigh[0] - half.ciLow[0]).toBeLessThan(0.5 * (tab.ciHigh[0] - tab.ciLow[0]));
  });
  it('one value: interval [x, x] and sd NaN; no values: NaN; groups by function and value by function', () => {
    const tab = aggregate(
      [{ w: 8, lag: 5 }, { w: 16, lag: NaN }, { w: 8, lag: 5 }, { w: 4, lag: 7 }],
      (r) => r.w,
      { value: (r) => r.lag, bootstrap: 100 },
    );
    expect(tab.key).toEqual([8, 16, 4]);
    expect([tab.mean[0], tab.ciLow[0], tab.ciHigh[0], tab.sd[0]]).toEqual([5, 5, 5, 0]);
    expect(Number.isNaN(tab.mean[1]) && Number.isNaN(tab.ciLow[1])).toBe(true);
    expect([tab.mean[2], tab.ciLow[2], tab.ciHigh[2]]).toEqual([7, 7, 7]);
    expect(Number.isNaN(tab.sd[2])).toBe(true);
    expect(tab.value).toBe('custom');
  });
  it('rejects bad input', () => {
    expectError(() => aggregate([]), 'ERR_RDM2_SHAPE', /records is empty: nothing to aggregate/);
    expectError(() => aggregate('runs' as unknown as object[]), 'ERR_RDM2_OPTION', /records must be an array of run records/);
    expectError(() => aggregate([{ g: null, leadSteps: 1 }], 'g'), 'ERR_RDM2_OPTION', /records\[0\] has group key null in field 'g'/);
    expectError(() => aggregate([{ leadSteps: '5' }]), 'ERR_RDM2_OPTION', /records\[0\].leadSteps must be a number or null, got "5"/);
    expectError(() => aggregate(records, 'g', { bootstrap: 10 }), 'ERR_RDM2_OPTION', /bootstrap must be an integer in \[100, 1000000\], got 10/);
    expectError(() => aggregate(records, 'g', { level: 1 }), 'ERR_RDM2_OPTION', /level must be a finite number > 0 and < 1, got 1/);
    expectError(() => aggregate(records, 'g', { seed: -0.5 }), 'ERR_RDM2_OPTION', /seed must be a safe integer/);
    expectError(() => aggregate(records, 'g', { ci: 0.9 } as object), 'ERR_RDM2_OPTION', /unknown aggregate option 'ci'/);
    expectError(() => aggregate([null as unknown as object]), 'ERR_RDM2_OPTION', /records\[0\] is not an object/);
  });
});
