import { describe, expect, it } from 'vitest';
import { detectWarnings, kendallTau, sensitivity, sensitivityGridAround, sensitivitySync } from '../lib/stats/index.js';
import { analyzeSync } from '../lib/analyze.js';
import { syntheticScenario } from '../lib/scenarios/synthetic.js';
import { expectErrorAsync } from './helpers.js';

describe('sensitivity', () => {
  const sc = syntheticScenario({ seed: 2, steps: 200, center: 120, stepInterval: 10 });

  it('reports, per (window, detrend), the SHC peak, first warning, lead and Kendall tau of the rise', () => {
    const tab = sensitivitySync(sc.losses, { windows: [12, 20], detrend: ['none', 'linear'], transition: sc.transitionStep, steps: sc.steps, threads: 1 });
    expect(tab.rows).toBe(4);
    expect(Array.from(tab.window)).toEqual([12, 12, 20, 20]);
    expect(tab.detrend).toEqual(['none', 'linear', 'none', 'linear']);
    expect(tab.transition).toEqual({ step: sc.transitionStep, checkpoint: sc.transitionCheckpoint });
    for (let r = 0; r < tab.rows; r++) {
      // Independent recomputation of the row.
      const a = analyzeSync(sc.losses, { window: tab.window[r], detrend: tab.detrend[r], threads: 1 });
      let peak = 0;
      for (let j = 0; j < a.windows; j++) if (a.shc[j] > a.shc[peak]) peak = j;
      expect(tab.peakWindow[r]).toBe(peak);
      expect(tab.peakCheckpoint[r]).toBe(a.t[peak]);
      expect(tab.peakStep[r]).toBe(10 * a.t[peak]);
      expect(tab.peakHeight[r]).toBe(a.shc[peak]);
      expect(tab.peakLeadSteps[r]).toBe(sc.transitionStep - 10 * a.t[peak]);
      const w = detectWarnings(a.shc).warnings;
      expect(tab.warningCount[r]).toBe(w.length);
      if (w.length) {
        expect(tab.firstWarningStep[r]).toBe(10 * a.t[w[0].index]);
        expect(tab.leadSteps[r]).toBe(sc.transitionStep - 10 * a.t[w[0].index]);
        expect(tab.leadCheckpoints[r]).toBe(sc.transitionCheckpoint - a.t[w[0].index]);
      } else {
        expect(Number.isNaN(tab.leadSteps[r])).toBe(true);
      }
      // tau over the windows ending at or before the transition checkpoint.
      const upTo = a.t.findIndex((t) => t > sc.transitionCheckpoint);
      const k = kendallTau(a.shc, 0, upTo);
      expect(tab.tau[r]).toBe(k.tau);
      expect(tab.tauPValue[r]).toBe(k.pValue);
    }
    // Without detrending the SHC warns ahead of the transition at both window sizes.
    expect(tab.leadSteps[0]).toBeGreaterThan(0);
    expect(tab.leadSteps[2]).toBeGreaterThan(0);
  });
  it('every cell of a window x detrend x transform grid equals an independent analysis at that setting', async () => {
    const grid = { windows: [10, 20, 40], detrend: ['none', 'linear'] as const, transform: ['none', 'log'] as const };
    const warning = { z: 5, minBaseline: 8 };
    const tab = await sensitivity(sc.losses, { windows: grid.windows, detrend: [...grid.detrend], transform: [...grid.transform], warning, transition: sc.transitionStep, steps: sc.steps, beta: 1.5, threads: 1 });
    expect(tab.rows).toBe(12);
    let r = 0;
    for (const W of grid.windows) {
      for (const d of grid.detrend) {
        for (const t of grid.transform) {
          expect([tab.window[r], tab.detrend[r], tab.transform[r]]).toEqual([W, d, t]);
          const a = analyzeSync(sc.losses, { window: W, detrend: d, transform: t, beta: 1.5, threads: 1 });
          let peak = 0;
          for (let j = 0; j < a.windows; j++) if (a.shc[j] > a.shc[peak]) peak = j;
          expect([tab.peakWindow[r], tab.peakStep[r], tab.peakHeight[r]]).toEqual([peak, 10 * a.t[peak], a.shc[peak]]);
          const w = detectWarnings(a.shc, warning).warnings;
          expect(tab.warningCount[r]).toBe(w.length);
          expect(tab.firstWarningStep[r]).toEqual(w.length ? 10 * a.t[w[0].index] : NaN);
          expect(tab.leadSteps[r]).toEqual(w.length ? sc.transitionStep - 10 * a.t[w[0].index] : NaN);
          r++;
        }
      }
    }
    // A single transform is a grid of one, as before.
    const one = sensitivitySync(sc.losses, { windows: [20], transform: 'log', beta: 1.5, threads: 1 });
    expect(one.transform).toEqual(['log', 'log']);
    expect([one.peakHeight[0], one.peakHeight[1]]).toEqual([tab.peakHeight[5], tab.peakHeight[7]]); // W 20 with log, detrend none and linear
  });
  it('sensitivityGridAround: W/2, W, 2W within [2, T]; log only when possible', () => {
    expect(sensitivityGridAround(20, 240, true)).toEqual({ windows: [10, 20, 40], detrend: ['none', 'linear'], transform: ['none', 'log'] });
    expect(sensitivityGridAround(20, 30, false)).toEqual({ windows: [10, 20], detrend: ['none', 'linear'], transform: ['none'] });
    expect(sensitivityGridAround(3, 10, false).windows).toEqual([2, 3, 6]);
  });
  it('without a transition, takes tau up to the peak and leaves leads NaN; async equals sync', async () => {
    const o = { windows: [16], detrend: ['none' as const], threads: 1 };
    const tab = await sensitivity(sc.losses, o);
    const sync = sensitivitySync(sc.losses, o);
    expect(tab).toEqual(sync);
    expect(tab.transition).toBeNull();
    expect(Number.isNaN(tab.leadSteps[0]) && Number.isNaN(tab.peakLeadSteps[0])).toBe(true);
    const a = analyzeSync(sc.losses, { window: 16, threads: 1 });
    expect(tab.tau[0]).toBe(kendallTau(a.shc, 0, tab.peakWindow[0] + 1).tau);
    expect(tab.warningOptions).toEqual({ baseline: 40, minBaseline: 10, z: 6, consecutive: 3, direction: 'up' });
  });
  it('rejects bad input', async () => {
    await expectErrorAsync(() => sensitivitySync(sc.losses, { windows: [] }), 'ERR_RDM2_OPTION', /windows must be a non-empty array of window sizes, got \[\]/);
    await expectErrorAsync(() => sensitivitySync(sc.losses, {} as { windows: number[] }), 'ERR_RDM2_OPTION', /windows is required \(a non-empty array of window sizes\)/);
    await expectErrorAsync(() => sensitivitySync(sc.losses, { windows: [1] }), 'ERR_RDM2_OPTION', /window must be an integer >= 2, got 1/);
    await expectErrorAsync(() => sensitivitySync(sc.losses, { windows: [10], detrend: ['quadratic' as 'none'] }), 'ERR_RDM2_OPTION', /detrend entries must be 'none' or 'linear', got "quadratic"/);
    await expectErrorAsync(() => sensitivitySync(sc.losses, { windows: [10], detrend: [] }), 'ERR_RDM2_OPTION', /detrend must be a non-empty array/);
    await expectErrorAsync(() => sensitivitySync(sc.losses, { windows: [10], transform: ['none', 'sqrt' as 'log'] }), 'ERR_RDM2_OPTION', /transform entries must be 'none' or 'log', got "sqrt"/);
    await expectErrorAsync(() => sensitivitySync(sc.losses, { windows: [10], transform: [] }), 'ERR_RDM2_OPTION', /transform must be 'none', 'log' or a non-empty array of them, got \[\]/);
    await expectErrorAsync(() => sensitivitySync(sc.losses, { windows: [10], steps: [0, 1] }), 'ERR_RDM2_SHAPE', /steps has 2 values but the run \(T checkpoints\) has 200/);
    await expectErrorAsync(() => sensitivitySync(sc.losses, { windows: [10], transition: Infinity }), 'ERR_RDM2_OPTION', /transition must be a finite step/);
    await expectErrorAsync(() => sensitivitySync(sc.losses, { windows: [10], topK: 1 } as object as { windows: number[] }), 'ERR_RDM2_OPTION', /does not take topK/);
    await expectErrorAsync(() => sensitivity(sc.losses, { windows: [10], warning: { consecutive: 0 } }), 'ERR_RDM2_OPTION', /consecutive must be an integer >= 1/);
    await expectErrorAsync(() => sensitivity(sc.losses, { windows: [10], bandwidth: 3 } as object as { windows: number[] }), 'ERR_RDM2_OPTION', /unknown sensitivity option 'bandwidth'/);
  });
});
