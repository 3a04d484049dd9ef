// Peak finding and matching SHC peaks to events (the deep-linear demo's mode alignments).
import { describe, expect, it } from 'vitest';
import { findPeaks, matchPeaks } from '../lib/demo/peaks.js';
import { expectError } from './helpers.js';

describe('findPeaks', () => {
  it('finds interior local maxima with their topographic prominence', () => {
    expect(findPeaks([0, 2, 1, 3, 0])).toEqual([
      { index: 1, value: 2, prominence: 1 }, // the saddle towards 3 is at 1
      { index: 3, value: 3, prominence: 3 },
    ]);
    // Only a strictly higher value bounds a peak (as in scipy.signal.peak_prominences): equal peaks share the base.
    expect(findPeaks([1, 4, 2, 4, 1])).toEqual([
      { index: 1, value: 4, prominence: 3 },
      { index: 3, value: 4, prominence: 3 },
    ]);
  });

  it('never peaks at the ends, takes the first point of a flat top', () => {
    expect(findPeaks([5, 1, 0, 1, 5])).toEqual([]);
    expect(findPeaks([0, 1, 2])).toEqual([]);
    expect(findPeaks([0, 3, 3, 1])).toEqual([{ index: 1, value: 3, prominence: 2 }]);
    expect(findPeaks([])).toEqual([]);
  });

  it('treats non-finite values as the lowest finite value and never as peaks', () => {
    expect(findPeaks([0, 2, NaN, 1, 0])).toEqual([
      { index: 1, value: 2, prominence: 2 },
      { index: 3, value: 1, prominence: 1 },
    ]);
    expect(findPeaks([NaN, NaN, NaN])).toEqual([]);
  });
});

describe('matchPeaks', () => {
  // Peaks at steps 100 (height 5), 300 (4), 330 (1) and 600 (5) on a zero floor; steps = 10 x index.
  const series = new Float64Array(80);
  series[10] = 5;
  series[30] = 4;
  series[33] = 1;
  series[60] = 5;
  const steps = Float64Array.from(series, (_, i) => 10 * i);

  it('matches the nearest prominent peak between the midpoints, at or before the event by default', () => {
    const m = matchPeaks(series, steps, [120, 350, 900, NaN]);
    expect(m).toEqual([
      { eventStep: 120, index: 10, step: 100, value: 5, lag: -20 },
      { eventStep: 350, index: 30, step: 300, value: 4, lag: -50 }, // 330 is below 0.3 x (5 - 0)
      { eventStep: 900, index: -1, step: NaN, value: NaN, lag: NaN }, // 600 lies before the midpoint 625
      { eventStep: NaN, index: -1, step: NaN, value: NaN, lag: NaN },
    ]);
  });

  it('a lower prominence threshold admits smaller peaks', () => {
    const m = matchPeaks(series, steps, [120, 350, 900], { prominence: 0.1 });
    expect(m[1]).toEqual({ eventStep: 350, index: 33, step: 330, value: 1, lag: -20 });
  });

  it("'after' admits peaks shortly after the event (positive lag), never past the next midpoint", () => {
    expect(matchPeaks(series, steps, [590], { after: 20 })[0]).toEqual({ eventStep: 590, index: 60, step: 600, value: 5, lag: 10 });
    // Too early for 600: the nearest peak at or before 599 is 300 (the first event's interval reaches back to the start).
    expect(matchPeaks(series, steps, [590], { after: 9 })[0]).toEqual({ eventStep: 590, index: 30, step: 300, value: 4, lag: -290 });
    // Next event at 600: the midpoint 595 bounds event 590's interval, so 600 goes to the event at 600.
    expect(matchPeaks(series, steps, [590, 600], { after: 20 }).map((p) => p.step)).toEqual([300, 600]);
  });

  it('events in any order; the earlier of two equally near peaks', () => {
    const s2 = new Float64Array(30);
    s2[8] = 2;
    s2[12] = 2;
    const st = Float64Array.from(s2, (_, i) => 10 * i);
    expect(matchPeaks(s2, st, [100], { after: 30 })[0].step).toBe(80);
    expect(matchPeaks(series, steps, [350, 120]).map((p) => p.step)).toEqual([300, 100]);
  });

  it('an all-NaN series matches nothing', () => {
    expect(matchPeaks([NaN, NaN, NaN], [0, 1, 2], [1])).toEqual([{ eventStep: 1, index: -1, step: NaN, value: NaN, lag: NaN }]);
  });

  it('rejects bad input', () => {
    expectError(() => matchPeaks([1, 2, 3], [0, 1], [1]), 'ERR_RDM2_SHAPE', /steps has 2 values but the series has 3/);
    expectError(() => matchPeaks(series, steps, [1], { prominence: 2 }), 'ERR_RDM2_OPTION', /prominence must be a number in \[0, 1\], got 2/);
    expectError(() => matchPeaks(series, steps, [1], { prominence: -0.1 }), 'ERR_RDM2_OPTION', /prominence must be a number in \[0, 1\], got -0.1/);
    expectError(() => matchPeaks(series, steps, [1], { after: -1 }), 'ERR_RDM2_OPTION', /after must be a finite number >= 0, got -1/);
    expectError(() => matchPeaks(series, steps, [1], { after: Infinity }), 'ERR_RDM2_OPTION', /after must be a finite number >= 0, got Infinity/);
  });
});
