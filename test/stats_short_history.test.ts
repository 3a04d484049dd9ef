// The short-history detector on the synthetic scenario with its transition moved to checkpoint 30:
// the expanding baseline (the default) can warn before it; a trailing-only baseline of 40 windows
// cannot (its first score is at window 40). docs/statistics.md quotes these counts; the wider
// measurement is `npm run calibrate:detector`.
import { describe, expect, it } from 'vitest';
import { analyzeSync } from '../lib/analyze.js';
import { autoSettings } from '../lib/auto_settings.js';
import { syntheticScenario } from '../lib/scenarios/synthetic.js';
import { DEFAULT_WARNING_OPTIONS, detectWarnings, leadTime, windowSteps } from '../lib/stats/index.js';

describe('warnings on a short history (a(t) = 0.5 at checkpoint 30)', () => {
  const runs = Array.from({ length: 20 }, (_, seed) => {
    // A recording of 100 checkpoints: the auto window is a tenth of it.
    const sc = syntheticScenario({ seed, steps: 100, center: 30, shuffleProbes: true });
    const W = autoSettings(sc.losses).window;
    const a = analyzeSync(sc.losses, { window: W, threads: 1 });
    return { seed, sc, W, a, ws: windowSteps(a, sc.steps) };
  });

  it('the auto window is 10 for every seed, and the transition is at checkpoint 30', () => {
    for (const r of runs) {
      expect(r.W).toBe(10);
      expect(r.sc.transitionCheckpoint).toBe(30);
    }
  });
  it('the default detector fires before the transition in 4 of 20 seeds; 40 windows of trailing baseline never can', () => {
    const early: number[] = [];
    for (const r of runs) {
      const res = detectWarnings(r.a.shc, {}, r.ws);
      const lt = leadTime(res, r.sc.transitionStep, r.sc.steps);
      if (lt.leadSteps !== null && lt.leadSteps > 0) {
        early.push(r.seed);
        // Its first score needs minBaseline windows: the earliest possible warning is window B0 + m - 1.
        expect(lt.firstWarning!.index).toBeGreaterThanOrEqual(DEFAULT_WARNING_OPTIONS.minBaseline + DEFAULT_WARNING_OPTIONS.consecutive - 1);
      }
      const trailing = detectWarnings(r.a.shc, { minBaseline: 40 }, r.ws);
      expect(Array.from(trailing.z.subarray(0, 40)).every(Number.isNaN)).toBe(true);
      const first = trailing.warnings[0];
      if (first) expect(first.step).toBeGreaterThan(r.sc.transitionStep);
    }
    expect(early).toEqual([13, 16, 18, 19]);
  });
});
