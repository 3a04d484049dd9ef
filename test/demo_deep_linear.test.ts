// The demo's deep-linear-network scenario at reduced size: stages in order, one SHC peak before each
// alignment, the lags and their sign convention, and the PR collapse of each stage (Figure 3).
import { describe, expect, it } from 'vitest';
import { LAG_CONVENTION, runDeepLinearDemo, type DeepLinearDemoOptions } from '../lib/demo/deep_linear_demo.js';
import { findPeaks } from '../lib/demo/peaks.js';
import { deepLinearReproduced, deepLinearVerdictLines } from '../lib/demo/verdict.js';
import { Rdm2Error } from '../lib/errors.js';

// Reduced size: 1801 steps (init 0.002 instead of 0.001 halves the plateaus), 24 probes, 2 seeds.
const trainer = { steps: 1800, initScale: 0.002, probes: 24 };

async function expectRejects(p: Promise<unknown>, message: RegExp) {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(Rdm2Error);
  expect((caught as Rdm2Error).code).toBe('ERR_RDM2_OPTION');
  expect((caught as Rdm2Error).message).toMatch(message);
}

describe('deep linear network demo (reduced size, 2 seeds)', async () => {
  const progress: number[] = [];
  const r = await runDeepLinearDemo({ seeds: 2, trainer, onProgress: (done, total) => progress.push(done * 100 + total) });

  it('learns every teacher mode in order, strongest first', () => {
    expect(r.runs.map((x) => x.seed)).toEqual([0, 1]);
    expect(r.runs[0].alignmentSteps).toEqual([347, 438, 759, 1332]);
    expect(r.runs[1].alignmentSteps).toEqual([282, 490, 644, 1243]);
    expect(r.runs.every((x) => x.ordered)).toBe(true);
    expect(r.ordered).toBe(2);
    expect(r.modes.map((m) => m.learned)).toEqual([2, 2, 2, 2]);
    expect(r.modes.map((m) => m.alignmentMean)).toEqual([314.5, 464, 701.5, 1287.5]);
    expect(progress).toEqual([102, 202]);
  });

  it('finds one SHC peak before each alignment and reports the lag SHC peak - alignment (negative = early)', () => {
    expect(LAG_CONVENTION).toBe('lag = SHC peak step - alignment step; negative: the SHC peaked before the mode aligned (an early warning)');
    expect(r.runs[0].lags).toEqual([-14, -16, -20, -21]);
    expect(r.runs[1].lags).toEqual([-13, -14, -23, -25]);
    r.runs.forEach((run) => run.lags.forEach((lag, k) => expect(run.peakSteps[k] - run.alignmentSteps[k]).toBe(lag)));
    expect(r.modes.map((m) => m.found)).toEqual([2, 2, 2, 2]);
    expect(r.modes.map((m) => m.lagMean)).toEqual([-13.5, -15, -21.5, -23]);
    expect(r.modes.map((m) => m.lagMedian)).toEqual([-13.5, -15, -21.5, -23]);
    expect(r.modes[0].lagSd).toBeCloseTo(Math.SQRT1_2, 14); // sd of {-14, -13}
    for (const m of r.modes) {
      expect(m.lagLow).toBeLessThanOrEqual(m.lagMean);
      expect(m.lagHigh).toBeGreaterThanOrEqual(m.lagMean);
    }
    expect(r.lagTable.key).toEqual(['mode 1', 'mode 2', 'mode 3', 'mode 4']);
    expect(r.lagTable.value).toBe('lag');
  });

  it('each matched peak is a prominent SHC maximum well above the noise floor (Figure 3)', () => {
    const { analysis, windowSteps, matches, run } = r.representative;
    expect(run.options.seed).toBe(0);
    const shc = Array.from(analysis.shc).sort((a, b) => a - b);
    const floor = shc[shc.length >> 1];
    const peaks = new Map(findPeaks(analysis.shc).map((p) => [p.index, p]));
    matches.forEach((m, k) => {
      expect(m.eventStep).toBe(run.alignmentSteps[k]);
      expect(windowSteps[m.index]).toBe(m.step);
      expect(peaks.get(m.index)!.prominence).toBeGreaterThan(1);
      expect(m.value).toBeGreaterThan(4 * floor);
    });
  });

  it('PR collapses to one direction during each stage and is spread on the plateaus (Figure 3)', () => {
    const { analysis, run } = r.representative;
    const pr = Array.from(analysis.pr).sort((a, b) => a - b);
    expect(pr[pr.length >> 1]).toBeGreaterThan(5); // plateaus: noise spread over the window's W - 1 directions
    for (const t of run.alignmentCheckpoints) {
      const j = t - analysis.options.window + 1; // the window ending at the alignment
      expect(analysis.pr[j]).toBeLessThan(1.2);
    }
  });

  it("the top eigenvector at each mode's peak lives on that mode's probes more than an even spread would", () => {
    expect(r.runs[0].energies.map((e) => Math.round(e * 100) / 100)).toEqual([0.9, 0.44, 0.88, 0.74]);
    for (const m of r.modes) expect(m.energyMean).toBeGreaterThan(m.groupShare);
  });

  it('verdict and table lines', () => {
    expect(deepLinearReproduced(r)).toBe(true);
    expect(deepLinearVerdictLines(r)).toEqual([
      "2. Deep linear network (the paper's Figures 2 and 3): teacher s = 4, 3, 2, 1, depth 3",
      '   T = 1801 steps, 24 probes, loss noise 0.01, W = 20; 2 seeds',
      '   mode  s  learned  aligned at  peak found    lag    95% interval   sd    v1 energy',
      '      1  4      2/2       314.5         2/2  -13.5  [-14.0, -13.0]  0.7  0.94 (0.38)',
      '      2  3      2/2       464.0         2/2  -15.0  [-16.0, -14.0]  1.4  0.41 (0.19)',
      '      3  2      2/2       701.5         2/2  -21.5  [-23.0, -20.0]  2.1  0.87 (0.25)',
      '      4  1      2/2      1287.5         2/2  -23.0  [-25.0, -21.0]  2.8  0.75 (0.19)',
      '   aligned at: mean step where u_k^T W v_k reaches s_k / 2',
      '   lag: SHC peak step - alignment step, in steps, mean over seeds with a bootstrap 95% interval;',
      '        negative = the SHC peaked before the mode aligned (an early warning)',
      "   v1 energy: the top eigenvector's energy at the SHC peak on the probes most aligned with v_k",
      '        (in brackets: their share of the probes, the energy of a vector spread evenly)',
      '   modes learned in order (strongest first): 2/2 seeds',
      '   verdict: reproduced',
    ]);
    // Not reproduced when a mode's peak is missing in more than 10% of the seeds, or the order breaks.
    expect(deepLinearReproduced({ ...r, modes: r.modes.map((m, k) => (k === 2 ? { ...m, found: 1 } : m)) })).toBe(false);
    expect(deepLinearReproduced({ ...r, ordered: 1 })).toBe(false);
    expect(deepLinearVerdictLines({ ...r, ordered: 1 }).at(-1)).toBe('   verdict: NOT reproduced');
  });

  it('echoes the options used', () => {
    expect(r.options.seeds).toBe(2);
    expect(r.options.window).toBe(20);
    expect(r.options.threads).toBe(1);
    expect(r.options.matching).toEqual({ prominence: 0.3, after: 10 });
    expect(r.options.trainer).toMatchObject({ singularValues: [4, 3, 2, 1], depth: 3, steps: 1800, initScale: 0.002, probes: 24, noise: 0.01, seed: 0 });
  });
});

describe('deep linear network demo: every bad option is an ERR_RDM2_OPTION', () => {
  const cases: [string, unknown, RegExp][] = [
    ['not an object', 3, /deep linear demo options must be an object/],
    ['unknown option', { seedz: 2 }, /unknown deep linear demo option 'seedz'/],
    ['seeds 0', { seeds: 0 }, /seeds must be an integer in \[1, 1000\], got 0/],
    ['seeds 1001', { seeds: 1001 }, /seeds must be an integer in \[1, 1000\], got 1001/],
    ['seeds fractional', { seeds: 2.5 }, /seeds must be an integer in \[1, 1000\], got 2.5/],
    ['seed fractional', { seed: 0.5 }, /seed must be a safe integer, got 0.5/],
    ['window 3', { window: 3 }, /window must be an integer in \[4, 100000\], got 3/],
    ['threads 0', { threads: 0 }, /threads must be an integer in \[1, 1024\], got 0/],
    ['trainer not an object', { trainer: 'deep' }, /trainer must be an object of simulateDeepLinear options/],
    ['trainer seed', { trainer: { seed: 4 } }, /trainer.seed is not allowed/],
    ['bad trainer option', { trainer: { depth: 0 } }, /depth must be an integer in \[1, 10\], got 0/],
    ['unknown trainer option', { trainer: { layers: 3 } }, /unknown simulateDeepLinear option 'layers'/],
    ['onProgress not a function', { onProgress: 1 }, /onProgress must be a function/],
    ['a trainer that diverges', { seeds: 2, trainer: { initScale: 1, learningRate: 0.05, steps: 50 } }, /training diverged at step 4/],
    ['window longer than the run', { seeds: 1, window: 30, trainer: { steps: 20, probes: 3 } }, /window \(30\) must be at most the number of checkpoints \(21\)/],
  ];
  for (const [name, options, message] of cases) it(name, () => expectRejects(runDeepLinearDemo(options as DeepLinearDemoOptions), message));
});
