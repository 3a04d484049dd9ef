import { describe, expect, it } from 'vitest';
import { baselineVerdict, compareIndicators, groupMeanLosses, indicatorDirection, scoredOnLogScale, windowCovariance, detectWarnings, scalarIndicators } from '../lib/stats/index.js';
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
  it('window mean of the mean loss, and the same statistics per group (hand-computed)', () => {
    const a = analyzeSync(tiny, { window: 3, threads: 1 });
    const s = scalarIndicators(tiny, a, ['b', 'a']);
    [3, 10 / 3, 14 / 3].forEach((v, j) => expectRel(s.meanLoss[j], v, 1e-15));
    expect(s.groups!.labels).toEqual(['a', 'b']);
    // group a = column 1: [3, 2, 6, 3, 7]; group b = column 0: [1, 2, 4, 3, 5].
    [11 / 3, 11 / 3, 16 / 3].forEach((v, j) => expectRel(s.groups!.meanLoss[0][j], v, 1e-15));
    [7 / 3, 1, 1].forEach((v, j) => expectRel(s.groups!.variance[1][j], v, 1e-15));
    expect(scalarIndicators(tiny, a).groups).toBeNull();
  });
  it('per-group variance equals 1_g^T C 1_g / n_g^2 of the window covariance (independent route)', () => {
    const sc = syntheticScenario({ seed: 2, steps: 70, probes: 15, center: 40, shuffleProbes: true });
    for (const detrend of ['none', 'linear'] as const) {
      const a = analyzeSync(sc.losses, { window: 12, stride: 3, detrend, threads: 1 });
      const s = scalarIndicators(sc.losses, a, sc.groups);
      s.groups!.labels.forEach((g, k) => {
        const members = sc.groups.map((x, i) => (x === g ? i : -1)).filter((i) => i >= 0);
        for (let j = 0; j < a.windows; j++) {
          const c = windowCovariance(sc.losses, j, a.options);
          let sum = 0;
          for (const p of members) for (const q of members) sum += c.data[p * c.n + q];
          expectRel(s.groups!.variance[k][j], sum / (members.length * members.length), 1e-10);
        }
      });
    }
  });
  it('takes precomputed group mean losses, and refuses ones of another transform or size', () => {
    const sc = syntheticScenario({ seed: 2, steps: 70, probes: 15, center: 40 });
    const a = analyzeSync(sc.losses, { window: 12, transform: 'log', threads: 1 });
    const direct = scalarIndicators(sc.losses, a, sc.groups);
    const viaMeans = scalarIndicators(groupMeanLosses(sc.losses, sc.groups, 'log'), a, ['ignored']);
    expect(viaMeans).toEqual(direct);
    expectError(() => scalarIndicators(groupMeanLosses(sc.losses, sc.groups, 'none'), a), 'ERR_RDM2_OPTION', /computed with transform 'none' but the analysis used 'log'/);
    expectError(() => scalarIndicators(groupMeanLosses(tiny, undefined, 'log'), a), 'ERR_RDM2_SHAPE', /group mean losses are of 5 x 2 losses but the analysis ran on 70 x 15/);
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
    const cmp = compareIndicators(sc.losses, a, { transition: sc.transitionStep, steps: sc.steps, groups: sc.groups });
    expect(cmp.indicator).toEqual([
      'shc', 'pr', 'trace', 'leadingEigenvalue', 'variance', 'autocorrelation', 'meanLoss',
      'meanLoss:A', 'variance:A', 'meanLoss:B', 'variance:B', 'meanLoss:C', 'variance:C',
    ]);
    expect(cmp.direction).toEqual(['up', 'down', 'up', 'up', 'up', 'up', 'both', 'both', 'up', 'both', 'up', 'both', 'up']);
    expect(cmp.transition).toEqual({ step: sc.transitionStep, checkpoint: sc.transitionCheckpoint });
    const g = cmp.scalars.groups!;
    const series: Record<string, Float64Array> = {
      shc: a.shc, pr: a.pr, trace: a.trace, leadingEigenvalue: cmp.scalars.leadingEigenvalue, variance: cmp.scalars.variance,
      autocorrelation: cmp.scalars.autocorrelation, meanLoss: cmp.scalars.meanLoss,
      ...Object.fromEntries(g.labels.flatMap((l, k) => [[`meanLoss:${l}`, g.meanLoss[k]], [`variance:${l}`, g.variance[k]]])),
    };
    cmp.indicator.forEach((name, r) => {
      // Variances and lambda_1 are scored on the log scale.
      const logScale = name === 'variance' || name === 'leadingEigenvalue' || name.startsWith('variance:');
      expect(scoredOnLogScale(name)).toBe(logScale);
      const res = detectWarnings(logScale ? series[name].map(Math.log) : series[name], { direction: indicatorDirection(name) });
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
    // Group B's mean loss is what moves: it is a scalar baseline that warns too, and the verdict names the earliest.
    const v = cmp.versusBaselines;
    const baselines = cmp.indicator.map((n, r) => [n, cmp.firstWarningStep[r]] as const).filter(([n, step]) => (n.startsWith('meanLoss') || n.startsWith('variance') || n === 'autocorrelation') && !Number.isNaN(step));
    const earliest = Math.min(...baselines.map(([, step]) => step));
    expect(v.bestStep).toBe(earliest);
    expect(v.shcStep).toBe(cmp.firstWarningStep[0]);
    expect(v.stepsBefore).toBe(earliest - cmp.firstWarningStep[0]);
    expect(v.text).toMatch(/^SHC warned \d+ steps (before|after) the best scalar baseline \(.+, first warning at step \d+\)$|^SHC warned at the same step as/);
  });
  it('baselineVerdict: every case in words', () => {
    const v = (names: string[], steps: number[]) => baselineVerdict({ indicator: names as never, firstWarningStep: Float64Array.from(steps) });
    expect(v(['shc', 'variance', 'meanLoss:test'], [100, 180, 150])).toEqual({
      best: 'meanLoss:test', bestStep: 150, shcStep: 100, stepsBefore: 50,
      text: 'SHC warned 50 steps before the best scalar baseline (mean loss of group test, first warning at step 150)',
    });
    expect(v(['shc', 'variance:train'], [200, 150]).text).toBe('SHC warned 50 steps after the best scalar baseline (variance of the mean loss of group train, first warning at step 150)');
    expect(v(['shc', 'autocorrelation'], [150, 150]).text).toBe('SHC warned at the same step as the best scalar baseline (lag-1 autocorrelation of the mean loss, first warning at step 150)');
    expect(v(['shc', 'variance'], [NaN, 150]).text).toBe('SHC did not warn; the best scalar baseline (variance of the mean loss) warned at step 150');
    expect(v(['shc', 'meanLoss', 'pr'], [90, NaN, 10]).text).toBe('SHC warned at step 90; no scalar baseline warned');
    expect(v(['shc', 'meanLoss'], [NaN, NaN]).text).toBe('neither the SHC nor any scalar baseline warned');
    expect(v(['shc', 'pr', 'leadingEigenvalue'], [1, 2, 3]).text).toBe('not compared (needs the SHC and at least one scalar baseline)');
  });
  it('takes a subset of indicators in the given order; leads are NaN without a transition', () => {
    const cmp = compareIndicators(sc.losses, a, { indicators: ['variance', 'shc'], warning: { z: 4 } });
    expect(cmp.indicator).toEqual(['variance', 'shc']);
    expect(cmp.warningOptions).toEqual({ baseline: 40, minBaseline: 10, z: 4, consecutive: 3 });
    expect(Number.isNaN(cmp.leadSteps[0]) && Number.isNaN(cmp.leadSteps[1])).toBe(true);
    expect(cmp.transition).toBeNull();
  });
  it('rejects bad input', () => {
    expectError(() => compareIndicators(sc.losses, a, { warning: { direction: 'down' } as object }), 'ERR_RDM2_OPTION', /sets the direction per indicator/);
    expectError(() => compareIndicators(sc.losses, a, { indicators: ['skewness' as 'shc'] }), 'ERR_RDM2_OPTION', /unknown indicator "skewness"; expected one of shc, pr, .*meanLoss:<group> or variance:<group>/);
    expectError(() => compareIndicators(sc.losses, a, { indicators: ['meanLoss:D'], groups: sc.groups }), 'ERR_RDM2_OPTION', /names group "D", but the groups are "A", "B", "C"/);
    expectError(() => compareIndicators(sc.losses, a, { indicators: ['variance:A'] }), 'ERR_RDM2_OPTION', /the groups are not given \(pass groups\)/);
    expectError(() => compareIndicators(sc.losses, a, { groups: ['A'] }), 'ERR_RDM2_SHAPE', /groups has 1 labels but there are 60 probes/);
    expectError(() => compareIndicators(sc.losses, a, { indicators: [] }), 'ERR_RDM2_OPTION', /indicators must be a non-empty array/);
    expectError(() => compareIndicators(sc.losses, a, { steps: [1, 2, 3] }), 'ERR_RDM2_SHAPE', /steps has 3 values but the run \(T checkpoints\) has 240/);
    expectError(() => compareIndicators(sc.losses, a, { transition: NaN }), 'ERR_RDM2_OPTION', /transition must be a finite step/);
    expectError(() => compareIndicators(sc.losses, a, { lead: 1 } as object), 'ERR_RDM2_OPTION', /unknown compareIndicators option 'lead'/);
    expectError(() => compareIndicators(sc.losses, a, { warning: { z: -1 } }), 'ERR_RDM2_OPTION', /z must be a finite number > 0/);
    expectError(() => compareIndicators(tiny, a), 'ERR_RDM2_SHAPE', /losses are 5 x 2 but the analysis ran on 240 x 60/);
  });
});
