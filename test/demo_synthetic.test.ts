// The demo's synthetic scenario (the paper's Figure 1): the verdicts the demo prints, and its options.
import { describe, expect, it } from 'vitest';
import { runSyntheticDemo, type SyntheticDemoOptions } from '../lib/demo/synthetic_demo.js';
import { syntheticReproduced, syntheticVerdictLines } from '../lib/demo/verdict.js';
import { Rdm2Error } from '../lib/errors.js';
import { expectRel } from './helpers.js';

describe('synthetic demo (3 seeds)', async () => {
  const r = await runSyntheticDemo({ seeds: 3 });

  it('the SHC peaks before a(t) reaches 90%, after a warning, with the top eigenvector on group B', () => {
    const v = r.verdict;
    expect(v.shcPeakStep).toBe(1540);
    expect(v.step90).toBe(1620);
    expect(v.transitionStep).toBe(1440);
    expect(v.firstWarningStep).toBe(1380);
    expect(v.leadSteps).toBe(60);
    expect(v.shcPeakStep).toBeLessThan(v.step90);
    expectRel(v.shcPeakValue, 2.063404213800929, 1e-9);
    expectRel(v.blockEnergy.B, 0.9590150676942573, 1e-6);
    expectRel(v.blockEnergy.A + v.blockEnergy.B + v.blockEnergy.C, 1, 1e-12);
    expect([v.peakBefore90, v.warningBefore90, v.energyOnB]).toEqual([true, true, true]);
    expect(r.counts).toEqual({ seeds: 3, peakBefore90: 3, warningBefore90: 3, energyOnB: 3 });
    expect(syntheticReproduced(r)).toBe(true);
  });

  it('the analysis never saw the groups: the probes are shuffled and the analysis has no group input', () => {
    const g = r.scenario.groups;
    expect(g.slice(0, 20).every((x) => x === 'A')).toBe(false);
    expect(r.analysis.options).toMatchObject({ window: 20, topK: 1, detrend: 'none', transform: 'none' });
    expect(r.summary.shcPeak!.step).toBe(1540);
    expect(r.windowSteps[r.summary.shcPeak!.window]).toBe(1540);
    expect(r.scenario.options).toMatchObject({ probes: 60, groups: 3, steps: 240, seed: 0, stepInterval: 10, shuffleProbes: true });
  });

  it('prints the verdict lines', () => {
    expect(syntheticVerdictLines(r)).toEqual([
      "1. Synthetic (the paper's Figure 1): 60 probes in groups A, B, C; a(t) moves group B only",
      '   T = 240, W = 20; the first seed (0) in detail',
      '   SHC peak                 step 1540  (SHC 2.06)',
      '   a(t) reaches 90%         step 1620  (SHC peak before it: yes)',
      '   first warning            step 1380  (lead 60 steps before a(t) = 0.5 at step 1440)',
      '   top eigenvector at peak  block energy A 0.021  B 0.959  C 0.020',
      '   over 3 seeds             peak before 90%: 3/3   warning before 90%: 3/3   energy on B > 0.9: 3/3',
      '   verdict: reproduced',
    ]);
  });
});

describe('synthetic demo: a configuration that does not reproduce is reported as such', () => {
  it('a short window on a short run: the eigenvector is not concentrated enough on B', async () => {
    const r = await runSyntheticDemo({ seeds: 2, seed: 5, steps: 120, window: 12 });
    expect(r.verdict.shcPeakStep).toBe(730);
    expect(r.verdict.peakBefore90).toBe(true);
    expect(r.verdict.energyOnB).toBe(false);
    expectRel(r.verdict.blockEnergy.B, 0.8533840942568716, 1e-6);
    expect(r.counts).toEqual({ seeds: 2, peakBefore90: 2, warningBefore90: 2, energyOnB: 0 });
    expect(syntheticReproduced(r)).toBe(false);
    expect(syntheticVerdictLines(r).at(-1)).toBe('   verdict: NOT reproduced');
  });
});

describe('synthetic demo: every bad option is an ERR_RDM2_OPTION', () => {
  const cases: [string, unknown, RegExp][] = [
    ['not an object', 'x', /synthetic demo options must be an object/],
    ['unknown option', { probes: 30 }, /unknown synthetic demo option 'probes'/],
    ['seeds 0', { seeds: 0 }, /seeds must be an integer in \[1, 1000\], got 0/],
    ['seed fractional', { seed: 1.5 }, /seed must be a safe integer, got 1.5/],
    ['steps too few', { steps: 59 }, /steps must be an integer in \[60, 100000\], got 59/],
    ['window too short', { window: 3 }, /window must be an integer >= 4, got 3/],
    ['window over half the run', { steps: 100, window: 51 }, /window must be an integer in \[4, 50\], got 51/],
    ['threads 0', { threads: 0 }, /threads must be an integer in \[1, 1024\], got 0/],
  ];
  for (const [name, options, message] of cases) {
    it(name, async () => {
      let caught: unknown;
      try {
        await runSyntheticDemo(options as SyntheticDemoOptions);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(Rdm2Error);
      expect((caught as Rdm2Error).code).toBe('ERR_RDM2_OPTION');
      expect((caught as Rdm2Error).message).toMatch(message);
    });
  }
});
