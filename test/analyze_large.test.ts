import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jacobiEigen, naiveObservables } from '../bench/reference/naive.js';
import { expectRel } from './helpers.js';

describe('2000 x 4096 float32, W = 64, stride 1', () => {
  it('returns every observable without an n x n allocation, matching an independent dual-form reference', () => {
    const root = join(import.meta.dirname, '..');
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/fixtures/large_analysis.ts'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(child.status, child.stderr).toBe(0);
    const out = JSON.parse(child.stdout);
    const n = 4096, W = 64;
    expect(out.windows).toBe(1937);
    expect(out.eigenCount).toBe(63);
    expect(out.vectorLength).toBe(1937 * n);
    expect(out.finite).toBe(true);
    // One 4096 x 4096 float64 matrix is 128 MiB. Beyond the returned eigenvectors
    // (windows x n float32), the analysis may grow the peak by at most 24 MiB, plus the
    // at most 16 MiB of input rows analyze() copies at a time (a caller's buffer is never
    // read off the main thread).
    expect(out.rssGrowthKiB).toBeLessThan((out.vectorLength * 4) / 1024 + (24 + 16) * 1024);
    for (const c of out.check as { rows: number[]; eigenvalues: number[]; trace: number; pr: number; shc: number }[]) {
      // Independent check: two-pass centring, the W x W Gram of the centred rows, Jacobi.
      const means = new Float64Array(n);
      for (let t = 0; t < W; t++) for (let i = 0; i < n; i++) means[i] += c.rows[t * n + i];
      for (let i = 0; i < n; i++) means[i] /= W;
      const X = Array.from({ length: W }, (_, t) => Float64Array.from({ length: n }, (_, i) => c.rows[t * n + i] - means[i]));
      const G = Array.from({ length: W }, () => new Array<number>(W).fill(0));
      for (let a = 0; a < W; a++)
        for (let b = a; b < W; b++) {
          let s = 0;
          for (let i = 0; i < n; i++) s += X[a][i] * X[b][i];
          G[a][b] = G[b][a] = s / (W - 1);
        }
      const { values } = jacobiEigen(G);
      const obs = naiveObservables(values.slice(0, W - 1), 1);
      for (let k = 0; k < 5; k++) expectRel(c.eigenvalues[k], values[k], 1e-9);
      expectRel(c.trace, obs.trace, 1e-9);
      expectRel(c.pr, obs.pr, 1e-9);
      expectRel(c.shc, obs.shc, 1e-9);
    }
  });
});
