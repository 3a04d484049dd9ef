import { describe, expect, it } from 'vitest';
import { subspaceOverlap, topEigenvectors } from '../lib/stats/index.js';
import { analyzeSync } from '../lib/analyze.js';
import { syntheticScenario } from '../lib/scenarios/synthetic.js';
import { expectRel, expectError } from './helpers.js';

describe('subspaceOverlap', () => {
  it('||Ua^T Ub||_F^2 / r on hand cases', () => {
    expect(subspaceOverlap([[1, 0, 0], [0, 1, 0]], [[0, 1, 0], [0, 0, 1]])).toBe(0.5);
    expect(subspaceOverlap([[1, 0, 0]], [[0, 0, 1]])).toBe(0);
    const th = 0.3;
    expectRel(subspaceOverlap([[1, 0]], [[Math.cos(th), Math.sin(th)]]), Math.cos(th) ** 2, 1e-15);
    expectRel(subspaceOverlap([[1, 0]], [[-Math.cos(th), -Math.sin(th)]]), Math.cos(th) ** 2, 1e-15); // sign-blind
    // Another orthonormal basis of the same plane.
    const c = Math.SQRT1_2;
    expectRel(subspaceOverlap([[1, 0, 0], [0, 1, 0]], [[c, c, 0], [c, -c, 0]]), 1, 1e-15);
  });
  it('divides by min(ra, rb) when the ranks differ; takes { data, shape }', () => {
    expect(subspaceOverlap([[0, 1, 0]], [[1, 0, 0], [0, 1, 0]])).toBe(1);
    expect(subspaceOverlap({ data: new Float32Array([1, 0, 0, 0, 1, 0]), shape: [2, 3] }, { data: [0, 0, 1], shape: [1, 3] })).toBe(0);
  });
  it('works on the top eigenvectors of an analysis: 1 for a window with itself, high across the transition only', () => {
    const s = syntheticScenario({ seed: 2, steps: 200, center: 120 });
    const a = analyzeSync(s.losses, { window: 20, topK: 2, threads: 1 });
    expectRel(subspaceOverlap(topEigenvectors(a, 110, 1), topEigenvectors(a, 110, 1)), 1, 1e-6);
    expectRel(subspaceOverlap(topEigenvectors(a, 50), topEigenvectors(a, 50)), 1, 1e-6);
    // Two windows around the SHC peak share the B direction (up to noise: 0.87 here); two noise
    // windows have unrelated top directions (1/n = 0.017 expected by chance).
    let pk = 0;
    for (let j = 0; j < a.windows; j++) if (a.shc[j] > a.shc[pk]) pk = j;
    expect(subspaceOverlap(topEigenvectors(a, pk - 4, 1), topEigenvectors(a, pk + 4, 1))).toBeGreaterThan(0.75);
    expect(subspaceOverlap(topEigenvectors(a, 20, 1), topEigenvectors(a, 60, 1))).toBeLessThan(0.1);
    expect(topEigenvectors(a, 3).shape).toEqual([2, 60]);
  });
  it('rejects bad input', () => {
    expectError(() => subspaceOverlap([[1, 0]], [[1, 0, 0]]), 'ERR_RDM2_SHAPE', /Ua has vectors of length 2 but Ub of length 3/);
    expectError(() => subspaceOverlap([], [[1]]), 'ERR_RDM2_SHAPE', /Ua has no vectors/);
    expectError(() => subspaceOverlap([[1, 0], [1]], [[1, 0]]), 'ERR_RDM2_SHAPE', /Ua\[1\] has 1 values, expected 2/);
    expectError(() => subspaceOverlap({ data: [1, 0, 0], shape: [2, 2] }, [[1, 0]]), 'ERR_RDM2_SHAPE', /Ua.data has 3 values but shape \[2, 2\] needs 4/);
    expectError(() => subspaceOverlap([[1, NaN]], [[1, 0]]), 'ERR_RDM2_OPTION', /Ua holds a non-finite value at vector 0, probe 1/);
    expectError(() => subspaceOverlap(7 as never, [[1, 0]]), 'ERR_RDM2_OPTION', /Ua must be number\[\]\[\] or \{ data, shape: \[r, n\] \}/);
    const a = analyzeSync([[1, 2], [2, 1], [3, 5], [1, 1]], { window: 3, topK: 1, threads: 1 });
    expectError(() => topEigenvectors(a, 2), 'ERR_RDM2_OPTION', /windowIndex must be an integer in \[0, 1\], got 2/);
    expectError(() => topEigenvectors(a, 0, 2), 'ERR_RDM2_OPTION', /r must be an integer in \[1, 1\] \(the analysis topK\), got 2/);
    const b = analyzeSync([[1, 2], [2, 1], [3, 5]], { window: 3, threads: 1 });
    expectError(() => topEigenvectors(b, 0), 'ERR_RDM2_OPTION', /needs eigenvectors: run analyze with topK >= 1/);
  });
});
