// The paper's Figure 1 scenario, end to end: 60 probes in groups A, B, C of 20; l(t) = a(t) v + noise
// with v on B only. The analysis never sees the groups (the probes are shuffled too); they are
// used only afterwards, to read the top eigenvector's block energies and order the snapshot.
import { describe, expect, it } from 'vitest';
import { analyzeSync, windowCovariance, detectWarnings, summarizeRun, syntheticScenario, windowSteps } from '../lib/index.js';

function meanAbsOffDiagonal(c: { data: Float64Array; n: number }, from: number, to: number): number {
  let s = 0;
  let k = 0;
  for (let p = from; p < to; p++) {
    for (let q = from; q < to; q++) {
      if (p === q) continue;
      s += Math.abs(c.data[p * c.n + q]);
      k++;
    }
  }
  return s / k;
}

describe("Figure 1: the SHC warns of the transition carried by group B", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`seed ${seed}`, () => {
      const sc = syntheticScenario({ probes: 60, groups: 3, steps: 240, seed, stepInterval: 10, shuffleProbes: true });
      const a = analyzeSync(sc.losses, { window: 20, topK: 1, threads: 2 });
      const rec = summarizeRun(a, { groups: sc.groups, transition: sc.transitionStep, steps: sc.steps });

      // The SHC peak lies inside the transition (after a reaches 10%) and before a reaches 90%.
      const peak = rec.shcPeak!;
      expect(peak.step).toBeGreaterThanOrEqual(sc.step10);
      expect(peak.step).toBeLessThan(sc.step90);
      expect(peak.value).toBeGreaterThan(1); // noise floor ~0.3

      // A warning (default detector) fires before that point, inside the transition's rise;
      // here even before a(t) = 0.5: a positive lead time.
      expect(rec.firstWarning).not.toBeNull();
      expect(rec.firstWarning!.step).toBeLessThan(sc.step90);
      const during = detectWarnings(a.shc, {}, windowSteps(a, sc.steps)).warnings.filter((w) => w.step >= sc.step10 && w.step < sc.step90);
      expect(during.length).toBe(1);
      expect(rec.leadSteps).toBeGreaterThan(0);

      // The top eigenvector at the SHC peak lives on group B, found without knowing the groups.
      expect(rec.blockEnergy!.B).toBeGreaterThan(0.9);
      expect(rec.blockEnergy!.A + rec.blockEnergy!.B + rec.blockEnergy!.C).toBeCloseTo(1, 12);

      // Covariance snapshots ordered by group: a block on B during the transition, none before.
      const during_ = windowCovariance(sc.losses, peak.window, { ...a.options, order: sc.groups });
      const before = windowCovariance(sc.losses, 30, { ...a.options, order: sc.groups });
      expect(during_.blocks?.labels).toEqual(['A', 'B', 'C']);
      const [A, B, C] = [[0, 20], [20, 40], [40, 60]] as const;
      expect(meanAbsOffDiagonal(during_, ...B)).toBeGreaterThan(5 * meanAbsOffDiagonal(during_, ...A));
      expect(meanAbsOffDiagonal(during_, ...B)).toBeGreaterThan(5 * meanAbsOffDiagonal(during_, ...C));
      expect(meanAbsOffDiagonal(before, ...B)).toBeLessThan(2 * meanAbsOffDiagonal(before, ...A));
    });
  }
});
