import { describe, expect, it } from 'vitest';
import { eigenvectorTrack } from '../lib/stats/index.js';
import { analyzeSync } from '../lib/analyze.js';
import { syntheticScenario } from '../lib/scenarios/synthetic.js';
import type { Analysis } from '../lib/types.js';
import { expectRel, expectError } from './helpers.js';

/** A hand-made analysis with chosen eigenvectors (windows x topK x n). */
function fakeAnalysis(vectors: number[][][], degenerate: number[]): Analysis {
  const windows = vectors.length;
  const topK = vectors[0].length;
  const n = vectors[0][0].length;
  return {
    t: Int32Array.from({ length: windows }, (_, j) => j + 1),
    trace: new Float64Array(windows),
    pr: new Float64Array(windows),
    entropy: new Float64Array(windows),
    shc: new Float64Array(windows),
    topShare: new Float64Array(windows),
    eigenvalues: new Float64Array(windows * topK),
    eigenvectors: Float32Array.from(vectors.flat(2)),
    degenerate: Uint8Array.from(degenerate),
    windows,
    eigenCount: topK,
    rows: windows + 1,
    probes: n,
    options: { window: 2, stride: 1, topK, detrend: 'none', transform: 'none', beta: 1, threads: 1, nonFinite: 'skip-window' },
  };
}

describe('eigenvectorTrack', () => {
  it('flips a vector whose sign reversed relative to the previous window, and reports |cos|', () => {
    const a = fakeAnalysis(
      [
        [[0.6, 0.8], [0.8, -0.6]],
        [[-0.6, -0.8], [0.8, -0.6]],
        [[NaN, NaN], [NaN, NaN]], // degenerate: skipped as a reference
        [[0.8, 0.6], [-0.6, 0.8]],
      ],
      [0, 0, 1, 0],
    );
    const tr = eigenvectorTrack(a);
    expect([tr.windows, tr.k, tr.n]).toEqual([4, 2, 2]);
    expect(Array.from(tr.flipped)).toEqual([0, 0, 1, 0, 0, 0, 0, 1]);
    expect(Array.from(tr.vectors.slice(4, 8))).toEqual(Array.from(Float32Array.from([0.6, 0.8, 0.8, -0.6])));
    // Window 3 is compared with window 1 (window 2 is degenerate): cos = 0.6*0.8 + 0.8*0.6 = 0.96.
    expectRel(tr.continuity[6], 0.96, 1e-6);
    expectRel(tr.continuity[7], 0.96, 1e-6);
    expect(Array.from(tr.vectors.slice(14, 16))).toEqual(Array.from(Float32Array.from([0.6, -0.8])));
    expect(Number.isNaN(tr.continuity[0]) && Number.isNaN(tr.continuity[4])).toBe(true);
    expect(tr.continuity[2]).toBeCloseTo(1, 6);
  });
  it('makes every consecutive pair of top eigenvectors of a real run non-negatively aligned', () => {
    const s = syntheticScenario({ seed: 4, steps: 120, center: 70, probes: 30 });
    const a = analyzeSync(s.losses, { window: 12, topK: 2, threads: 1 });
    const tr = eigenvectorTrack(a, { k: 1 });
    const n = a.probes;
    let flips = 0;
    for (let j = 0; j < a.windows; j++) {
      flips += tr.flipped[j];
      for (let i = 0; i < n; i++) expect(tr.vectors[j * n + i]).toBe((tr.flipped[j] ? -1 : 1) * a.eigenvectors![j * 2 * n + i]);
      if (j > 0) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += tr.vectors[j * n + i] * tr.vectors[(j - 1) * n + i];
        expect(dot).toBeGreaterThanOrEqual(0);
        expectRel(tr.continuity[j], Math.abs(dot), 1e-6);
      }
    }
    expect(flips).toBeGreaterThan(0); // the raw sign convention does flip along the run
  });
  it('rejects bad input', () => {
    const noVectors = analyzeSync([[1, 2], [2, 1], [3, 5]], { window: 2, threads: 1 });
    expectError(() => eigenvectorTrack(noVectors), 'ERR_RDM2_OPTION', /eigenvectorTrack needs eigenvectors: run analyze with topK >= 1/);
    const a = analyzeSync([[1, 2], [2, 1], [3, 5]], { window: 2, topK: 1, threads: 1 });
    expectError(() => eigenvectorTrack(a, { k: 2 }), 'ERR_RDM2_OPTION', /k must be an integer in \[1, 1\] \(the analysis topK\), got 2/);
    expectError(() => eigenvectorTrack(a, { r: 1 } as object), 'ERR_RDM2_OPTION', /unknown eigenvectorTrack option 'r'/);
    expectError(() => eigenvectorTrack({} as Analysis), 'ERR_RDM2_OPTION', /needs an Analysis/);
  });
});
