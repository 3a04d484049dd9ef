// Without a warning detector (warn: false) and without eigenvectors (topK 0) nothing needs a
// window's spectrum at every push, so the monitor prepares each window (O(W^2)) and solves it
// only when a summary's spectral field is first read: a push costs its dot products. The
// numbers are the same as an eager monitor's, read at any time later, even after close().
import { describe, expect, it } from 'vitest';
import { SpectralMonitor } from '../lib/index.js';
import { randomMatrix } from './helpers.js';
import { rng } from '../bench/reference/naive.js';

const n = 20, W = 8, T = 60;
const data = randomMatrix(T, n, rng(5).normal);
const rows = Array.from({ length: T }, (_, t) => data.subarray(t * n, (t + 1) * n));
const SPECTRAL = ['trace', 'pr', 'entropy', 'shc', 'topShare', 'degenerate', 'eigenvalues'] as const;

describe('lazy summaries', () => {
  // A detector that never fires keeps the eager monitor's summaries comparable (warning null).
  const eager = new SpectralMonitor({ probes: n, window: W, warn: { z: 1e9 } });
  const expected = rows.map((r, t) => eager.push(r, 10 * t));

  it('equal the eager monitor\'s, field by field and as JSON, read late and after close()', () => {
    const lazy = new SpectralMonitor({ probes: n, window: W, warn: false });
    const got = rows.map((r, t) => lazy.push(r, 10 * t));
    lazy.close();
    got.forEach((s, t) => {
      const e = expected[t];
      if (!e) return expect(s).toBeNull();
      expect(s!.step).toBe(e.step);
      expect(s!.index).toBe(e.index);
      expect(s!.warning).toBeNull();
      for (const key of SPECTRAL) expect(s![key], `${key} at ${t}`).toEqual(e[key]);
      expect(JSON.stringify(s)).toBe(JSON.stringify(e));
    });
  });

  it('a summary read once is computed once (the same arrays on every read)', () => {
    const lazy = new SpectralMonitor({ probes: n, window: W, warn: false });
    let last = null;
    for (const r of rows) last = lazy.push(r) ?? last;
    expect(last!.eigenvalues).toBe(last!.eigenvalues);
  });

  it('with a detector or eigenvectors the summaries are plain objects', () => {
    const withVectors = new SpectralMonitor({ probes: n, window: W, warn: false, topK: 1 });
    let s = null;
    for (const r of rows.slice(0, W)) s = withVectors.push(r);
    expect(Object.keys(s!)).toEqual(expect.arrayContaining(['trace', 'shc', 'eigenvectors']));
    expect(Object.keys(expected[W]!)).toEqual(expect.arrayContaining(['trace', 'shc', 'eigenvalues', 'warning']));
  });
});
