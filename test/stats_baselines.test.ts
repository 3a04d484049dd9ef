import { describe, expect, it } from 'vitest';
import { INDICATOR_DIRECTIONS, compareIndicators, windowCovariance, detectWarnings, scalarIndicators } from '../lib/stats/index.js';
import { analyzeSync } from '../lib/analyze.js';
import { syntheticScenario } from '../lib/scenarios/synthetic.js';
import type { Analysis } from '../lib/types.js';
import { expectRel, expectError } from './helpers.js';

const tiny = [[1, 3], [2, 2], [4, 6], [3, 3], [5, 7]]; // mean loss m = [2, 2, 5, 3, 6]

describe('scalarIndicators', () => {
  it('variance and lag-1 autocorrelation of the mean loss per window (hand-computed)', () => {
    const a = analyzeSync(tiny, { window: 3, threads: 1 });
    const s = scalarIndicators(tiny, a);
    // window 0: m = [2, 2, 5], r = [-1, -1, 2]; window 1: [2, 5, 3]; window 2: [5, 3, 6]
    [3, 7 / 3, 7 / 3].forEach((v, j) => expectRel(s.variance[j], v, 1e-15));
    [-1 / 6, -25 / 42, -25 / 42].forEach((v, j) => expectRel(s.autocorrelation[j], v, 1e-14));
    for (let j = 0; j < 3; j++) expect(s.leadingEigenvalue[j]).toBe(a.eigenvalues[j * a.eigenCount]);
    expect(s.t).toBe(a.t);
  });
  it('detrends the mean loss like the analysis did (hand-computed, linear)', () => {
    const a = analyzeSync(tiny, { window: 3, detrend: 'linear', threads: 1 });
    const s = scalarIndicators(tiny, a);
    // window 0: r = [-1, -1, 2], slope 1.5 -> [0.5, -1, 0.5]: ss 1.5
    expectRel(s.variance[0], 0.75, 1e-15);
    expectRel(s.autocorrelation[0], -2 / 3, 1e-14);
  });
  it('variance equals 1^T C 1 / n^2 of the window covariance (independent route)', () => {
    const sc = syntheticScenario({ seed: 6, steps: 80, probes: 12, center: 50 });
    for (const detrend of ['none', 'linear'] as const) {
      const a = analyzeSync(sc.losses, { window: 15, stride: 4, detrend, transform: 'log', threads: 1 });
      const s = scalarIndicators(sc.losses, a);
      for (let j = 0; j < a.windows; j++) {
        const c = windowCovariance(sc.losses, j, a.options);
        let sum = 0;
        for (const x of c.data) sum += x;
        expectRel(s.variance[j], sum / (c.n * c.n), 1e-10);
      }
    }
  });
  it('gives NaN on degenerate windows', () => {
    const rows = tiny.map((r) => [...r]);
    rows[3][1] = NaN;
    const a = analyzeSync(rows, { window: 2, nonFinite: 'skip-window', threads: 1 });
    const s = scalarIndicators(rows, a);
    expect(Array.from(a.degenerate)).toEqual([0, 0, 1, 1]);
    expect(Number.isNaN(s.variance[2]) && Number.isNaN(s.autocorrelation[3]) && Number.isNaN(s.leadingEigenvalue[3])).toBe(true);
    expect(Number.isFinite(s.variance[1])).toBe(true);
  });
  it('rejects losses that are not the analysed ones', () => {
    const a = analyzeSync(tiny, { window: 3, threads: 1 });
    expectError(() => scalarIndicators([[1, 2], [3, 4], [5, 6]], a), 'ERR_RDM2_SHAPE', /losses are 3 x 2 but the analysis ran on 5 x 2/);
    expectError(() => scalarIndicators(tiny, {} as Analysis), 'ERR_RDM2_OPTION', /scalarIndicators needs an Analysis/);
  });
});

describe('compareIndicators', () => {
  const sc = syntheticScenario({ seed: 3, stepInterval: 5 });
  const a = analyzeSync(sc.losses, { window: 20, threads: 1 });

  it('runs the same detector on every indicator and reports first warnings and leads side by side', () => {
    const cmp = compareIndicators(sc.losses, a, { transition: sc.transitionStep, steps: sc.steps });
    expect(cmp.indicator).toEqual(['shc', 'pr', 'trace', 'leadingEigenvalue', 'variance', 'autocorrelation']);
    expect(cmp.direction).toEqual(cmp.indicator.map((i) => INDICATOR_DIRECTIONS[i]));
    expect(cmp.transition).toEqual({ step: sc.transitionStep, checkpoint: sc.transitionCheckpoint });
    const series = { shc: a.shc, pr: a.pr, trace: a.trace, leadingEigenvalue: cmp.scalars.leadingEigenvalue, variance: cmp.scalars.variance, autocorrelation: cmp.scalars.autocorrelation };
    cmp.indicator.forEach((name, r) => {
      const res = detectWarnings(series[name], { direction: INDICATOR_DIRECTIONS[name] });
      expect(cmp.warningCount[r]).toBe(res.warnings.length);
      if (res.warnings.length === 0) {
        expect(Number.isNaN(cmp.firstWarningStep[r]) && Number.isNaN(cmp.leadSteps[r])).toBe(true);
        return;
      }
      const j = res.warnings[0].index;
      expect(cmp.firstWarningWindow[r]).toBe(j);
      expect(cmp.firstWarningCheckpoint[r]).toBe(a.t[j]);
      expect(cmp.firstWarningStep[r]).toBe(5 * a.t[j]);
      expect(cmp.leadSteps[r]).toBe(sc.transitionStep - 5 * a.t[j]);
      expect(cmp.leadCheckpoints[r]).toBe(sc.transitionCheckpoint - a.t[j]);
    });
    // The SHC warns before the transition completes (a reaches 90%).
    expect(cmp.firstWarningStep[0]).toBeLessThan(sc.step90);
  });
  it('takes a subset of indicators in the given order; leads are NaN without a transition', () => {
    const cmp = compareIndicators(sc.losses, a, { indicators: ['variance', 'shc'], warning: { z: 4 } });
    expect(cmp.indicator).toEqual(['variance', 'shc']);
    expect(cmp.warningOptions).toEqual({ baseline: 40, z: 4, consecutive: 3 });
    expect(Number.isNaN(cmp.leadSteps[0]) && Number.isNaN(cmp.leadSteps[1])).toBe(true);
    expect(cmp.transition).toBeNull();
  });
  it('rejects bad input', () => {
    expectError(() => compareIndicators(sc.losses, a, { warning: { direction: 'down' } as object }), 'ERR_RDM2_OPTION', /sets the direction per indicator/);
    expectError(() => compareIndicators(sc.losses, a, { indicators: ['skewness' as 'shc'] }), 'ERR_RDM2_OPTION', /unknown indicator "skewness"; expected one of shc, pr/);
    expectError(() => compareIndicators(sc.losses, a, { indicators: [] }), 'ERR_RDM2_OPTION', /indicators must be a non-empty array/);
    expectError(() => compareIndicators(sc.losses, a, { steps: [1, 2, 3] }), 'ERR_RDM2_SHAPE', /steps has 3 values but the run \(T checkpoints\) has 240/);
    expectError(() => compareIndicators(sc.losses, a, { transition: NaN }), 'ERR_RDM2_OPTION', /transition must be a finite step/);
    expectError(() => compareIndicators(sc.losses, a, { lead: 1 } as object), 'ERR_RDM2_OPTION', /unknown compareIndicators option 'lead'/);
    expectError(() => compareIndicators(sc.losses, a, { warning: { z: -1 } }), 'ERR_RDM2_OPTION', /z must be a finite number > 0/);
    expectError(() => compareIndicators(tiny, a), 'ERR_RDM2_SHAPE', /losses are 5 x 2 but the analysis ran on 240 x 60/);
  });
});
