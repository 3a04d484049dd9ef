import { describe, expect, it } from 'vitest';
import { surrogateTest, surrogateTestSync } from '../lib/stats/index.js';
import { analyzeSync } from '../lib/analyze.js';
import { syntheticScenario } from '../lib/scenarios/synthetic.js';
import { SeededRandom } from '../lib/stats/random.js';
import { expectErrorAsync } from './helpers.js';

/**
 * A clearly structured run: 10 of 40 probes share one latent factor during checkpoints 90..109
 * (each probe's own variance rises only 2x; the collective mode carries 10x the noise).
 * With amp 0 it is pure noise of the same size.
 */
function coherentBurst(seed: number, amp = 0.05) {
  const T = 160;
  const n = 40;
  const rng = new SeededRandom(seed);
  const data = new Float64Array(T * n);
  for (let t = 0; t < T; t++) {
    const f = rng.normal();
    for (let c = 0; c < n; c++) data[t * n + c] = 2.3 + 0.05 * rng.normal() + (t >= 90 && t < 110 && c < 10 ? amp * f : 0);
  }
  return { data, shape: [T, n] as [number, number] };
}

const opts = { window: 16, threads: 2 };

describe('surrogateTest', () => {
  it('gives p < 0.05 on a clearly structured run, for both kinds of surrogate', () => {
    for (const seed of [1, 2]) {
      const losses = coherentBurst(seed);
      for (const kind of ['circular-shift', 'shuffle'] as const) {
        const r = surrogateTestSync(losses, opts, { kind, count: 39, seed: 7 });
        expect(r.pValue).toBe(1 / 40); // no surrogate reached the observed peak
        expect(r.exceedances).toBe(0);
      }
    }
  });
  it('does not reject on pure noise of the same size', () => {
    for (const seed of [1, 2, 3]) {
      const losses = coherentBurst(seed, 0);
      for (const kind of ['circular-shift', 'shuffle'] as const) {
        expect(surrogateTestSync(losses, opts, { kind, count: 39, seed: 7 }).pValue).toBeGreaterThanOrEqual(0.05);
      }
    }
  });
  it('p = (1 + #{surrogate peak >= observed}) / (B + 1), with the observed peak of the analysis', () => {
    const losses = coherentBurst(3, 0.02);
    const r = surrogateTestSync(losses, opts, { count: 29, seed: 11 });
    const a = analyzeSync(losses, opts);
    let peak = 0;
    for (let j = 0; j < a.windows; j++) if (a.shc[j] > a.shc[peak]) peak = j;
    expect(r.observed).toBe(a.shc[peak]);
    expect(r.observedWindow).toBe(peak);
    const exceed = Array.from(r.surrogatePeaks).filter((s) => s >= r.observed).length;
    expect(r.exceedances).toBe(exceed);
    expect(r.pValue).toBe((1 + exceed) / 30);
    expect(r.surrogatePeaks).toHaveLength(29);
    expect([r.kind, r.count, r.seed, r.options.window, r.options.topK]).toEqual(['circular-shift', 29, 11, 16, 0]);
  });
  it('peakRange: the peak over the same windows in the observed run and in every surrogate', async () => {
    const losses = coherentBurst(3, 0.02);
    const range: [number, number] = [20, 60];
    const r = surrogateTestSync(losses, opts, { count: 19, seed: 11, peakRange: range });
    const all = surrogateTestSync(losses, opts, { count: 19, seed: 11 });
    const a = analyzeSync(losses, opts);
    let peak = range[0];
    for (let j = range[0]; j < range[1]; j++) if (a.shc[j] > a.shc[peak]) peak = j;
    expect([r.observed, r.observedWindow]).toEqual([a.shc[peak], peak]);
    expect(r.peakRange).toEqual(range);
    expect(all.peakRange).toEqual([0, a.windows]);
    // Each surrogate's peak over the range, from the same surrogates (same seed): at most its peak over every window.
    for (let b = 0; b < 19; b++) expect(r.surrogatePeaks[b]).toBeLessThanOrEqual(all.surrogatePeaks[b]);
    expect(Array.from(r.surrogatePeaks)).not.toEqual(Array.from(all.surrogatePeaks));
    const exceed = Array.from(r.surrogatePeaks).filter((s) => s >= r.observed).length;
    expect(r.pValue).toBe((1 + exceed) / 20);
    expect((await surrogateTest(losses, opts, { count: 19, seed: 11, peakRange: range })).surrogatePeaks).toEqual(r.surrogatePeaks);
    // The first surrogate rebuilt by hand: each probe rotated by the generator's offsets, then analysed.
    const rng = new SeededRandom(11);
    const [T, n] = losses.shape;
    const buf = new Float64Array(T * n);
    for (let c = 0; c < n; c++) {
      const o = rng.int(T);
      for (let t = 0; t < T; t++) buf[t * n + c] = losses.data[((t + o) % T) * n + c];
    }
    const s0 = analyzeSync({ data: buf, shape: [T, n] }, opts);
    expect(r.surrogatePeaks[0]).toBe(Math.max(...Array.from(s0.shc.subarray(range[0], range[1]))));
  });
  it('is reproducible from its seed, and async and sync agree', async () => {
    const losses = coherentBurst(4, 0.02);
    for (const kind of ['circular-shift', 'shuffle'] as const) {
      const r1 = surrogateTestSync(losses, opts, { kind, count: 9, seed: 5 });
      const r2 = await surrogateTest(losses, opts, { kind, count: 9, seed: 5 });
      const r3 = surrogateTestSync(losses, opts, { kind, count: 9, seed: 6 });
      expect(Array.from(r2.surrogatePeaks)).toEqual(Array.from(r1.surrogatePeaks));
      expect(r2.pValue).toBe(r1.pValue);
      expect(Array.from(r3.surrogatePeaks)).not.toEqual(Array.from(r1.surrogatePeaks));
    }
  });
  it("circular shifts keep each probe's own steps: a transition carried by large per-probe drops is not significant against them, but is against shuffles", () => {
    const sc = syntheticScenario({ seed: 1, steps: 200, center: 120 });
    const w = { window: 20, threads: 2 };
    expect(surrogateTestSync(sc.losses, w, { kind: 'circular-shift', count: 19, seed: 3 }).pValue).toBeGreaterThan(0.05);
    expect(surrogateTestSync(sc.losses, w, { kind: 'shuffle', count: 19, seed: 3 }).pValue).toBe(0.05);
  });
  it('rejects bad input', async () => {
    const losses = coherentBurst(1);
    await expectErrorAsync(() => surrogateTestSync(losses, opts, { kind: 'phase' as 'shuffle' }), 'ERR_RDM2_OPTION', /kind must be one of 'circular-shift', 'shuffle', got "phase"/);
    await expectErrorAsync(() => surrogateTestSync(losses, opts, { count: 0 }), 'ERR_RDM2_OPTION', /count must be an integer in \[1, 100000\], got 0/);
    await expectErrorAsync(() => surrogateTestSync(losses, opts, { count: 2.5 }), 'ERR_RDM2_OPTION', /count must be an integer/);
    await expectErrorAsync(() => surrogateTestSync(losses, opts, { seed: 0.5 }), 'ERR_RDM2_OPTION', /seed must be a safe integer, got 0.5/);
    await expectErrorAsync(() => surrogateTestSync(losses, opts, { peakRange: [5, 5] }), 'ERR_RDM2_OPTION', /peakRange must be two window indices \[first, end\) with 0 <= first < end, got \[5,5\]/);
    await expectErrorAsync(() => surrogateTestSync(losses, opts, { peakRange: [0, 146], count: 1 }), 'ERR_RDM2_OPTION', /peakRange \[0, 146\) goes past the last window: the analysis has 145 windows/);
    await expectErrorAsync(() => surrogateTestSync(losses, opts, { B: 10 } as object), 'ERR_RDM2_OPTION', /unknown surrogate option 'B'/);
    await expectErrorAsync(() => surrogateTest(losses, { window: 200 }, { count: 1 }), 'ERR_RDM2_OPTION', /window \(200\) is longer than the number of checkpoints T = 160/);
    await expectErrorAsync(() => surrogateTestSync({ data: new Float64Array(3), shape: [2, 2] }, opts), 'ERR_RDM2_SHAPE', /has 3 values but shape \[2, 2\] needs 4/);
    const flat = { data: new Float64Array(40).fill(1), shape: [10, 4] as [number, number] };
    await expectErrorAsync(() => surrogateTestSync(flat, { window: 4, threads: 1 }, { count: 1 }), 'ERR_RDM2_SHAPE', /every window of the observed losses is degenerate/);
  });
});
