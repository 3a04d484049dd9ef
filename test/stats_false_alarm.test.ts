// Pure-noise control for the warning detector: the Figure 1 run without its transition
// (amplitude 0: 60 probes, 240 checkpoints, W = 20, stride 1). docs/statistics.md quotes this rate.
import { describe, expect, it } from 'vitest';
import { detectWarnings } from '../lib/stats/index.js';
import { analyzeSync } from '../lib/analyze.js';
import { syntheticScenario } from '../lib/scenarios/synthetic.js';

describe('pure-noise control', () => {
  it('raises no warning at the default threshold in at least 95 of 100 seeds', () => {
    const alarmed: number[] = [];
    for (let seed = 0; seed < 100; seed++) {
      const noise = syntheticScenario({ probes: 60, groups: 3, steps: 240, seed, amplitude: 0 });
      const a = analyzeSync(noise.losses, { window: 20, threads: 1 });
      if (detectWarnings(a.shc).warnings.length > 0) alarmed.push(seed);
    }
    // Measured: 2 of 100 (seeds 1 and 62); 16 of 1000 over seeds 0..999 (docs/statistics.md).
    expect(alarmed.length).toBeLessThanOrEqual(5);
  });
});
