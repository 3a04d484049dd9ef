// Shared pieces of the watch tests: the run and producer of watch_run.ts, and the comparison of a
// watch's result with `analyzeFile`'s.
import { join } from 'node:path';
import { expect } from 'vitest';
import type { FileAnalysis } from '../lib/io/analyze_file.js';
import { OBSERVABLE_NAMES } from '../lib/observables.js';
import type { RunSummary } from '../lib/stats/index.js';
import { expectRel } from './helpers.js';

export { GROUPS, produce, PROBES, stepOf, transitionRun, writeGroupsSidecar } from './watch_run.js';

/**
 * How closely the watch (the streaming engine, window by window) and `analyze` (the batch engine)
 * agree. They are separate algorithms, each within about 2e-11 of the exact result on these runs
 * (checked against 40-digit arithmetic), so they agree to that precision, not bit for bit: a
 * series to 1e-10 of its largest value, a warning's robust z (a difference of such values over
 * their spread) to 1e-9 of itself.
 */
export const ENGINES_AGREE = 1e-10;
export const Z_AGREES = 1e-9;

/**
 * A watch's result against the analysis of the finished file: every per-window scalar to
 * ENGINES_AGREE relative to its series' largest value, eigenvalues to ENGINES_AGREE of their window's largest, eigenvectors to one float32 rounding, the same steps, checkpoints,
 * options and run summary (warnings included, z to Z_AGREES).
 */
export function expectSameResult(got: FileAnalysis & { summary: RunSummary }, want: FileAnalysis & { summary: RunSummary }): void {
  const a = got.analysis;
  const b = want.analysis;
  expect(a.windows).toBe(b.windows);
  expect(a.rows).toBe(b.rows);
  expect(a.probes).toBe(b.probes);
  expect(Array.from(a.t)).toEqual(Array.from(b.t));
  expect(a.degenerate).toEqual(b.degenerate);
  const { threads: _a, ...oa } = a.options;
  const { threads: _b, ...ob } = b.options;
  expect(oa).toEqual(ob);
  for (const key of OBSERVABLE_NAMES) {
    const scale = b[key].reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 0);
    for (let j = 0; j < b.windows; j++) expectRel(a[key][j]!, b[key][j]!, ENGINES_AGREE, scale, `${key}[${j}]`);
  }
  const m = b.eigenCount;
  for (let j = 0; j < b.windows; j++) {
    for (let k = 0; k < m; k++) expectRel(a.eigenvalues[j * m + k]!, b.eigenvalues[j * m + k]!, ENGINES_AGREE, b.eigenvalues[j * m]!, `eigenvalue ${k} of window ${j}`);
  }
  if (b.eigenvectors) {
    let worst = 0;
    for (let i = 0; i < b.eigenvectors.length; i++) {
      const [x, y] = [a.eigenvectors![i]!, b.eigenvectors[i]!];
      if (Number.isNaN(x) && Number.isNaN(y)) continue; // a degenerate window has no eigenvector
      worst = Math.max(worst, Number.isNaN(x - y) ? Infinity : Math.abs(x - y));
    }
    expect(worst).toBeLessThanOrEqual(2 ** -23);
  }
  expect(Array.from(got.windowSteps ?? [])).toEqual(Array.from(want.windowSteps ?? []));
  expect(got.meta.groups).toEqual(want.meta.groups);
  expect(Array.from(got.meta.steps ?? [])).toEqual(Array.from(want.meta.steps ?? []));
  expect(got.input).toEqual({ ...want.input });
  const s = got.summary;
  const t = want.summary;
  expect(s.warningCount).toBe(t.warningCount);
  expect(s.firstWarning === null).toBe(t.firstWarning === null);
  if (s.firstWarning && t.firstWarning) {
    const { z: za, value: va, ...ra } = s.firstWarning;
    const { z: zb, value: vb, ...rb } = t.firstWarning;
    expect(ra).toEqual(rb);
    expectRel(za, zb, Z_AGREES, 0, 'first warning z');
    expectRel(va, vb, ENGINES_AGREE, 0, 'first warning SHC');
  }
  expect(s.shcPeak?.window).toBe(t.shcPeak?.window);
  expect(s.prMin?.window).toBe(t.prMin?.window);
  for (const [g, e] of Object.entries(t.blockEnergy ?? {})) expectRel(s.blockEnergy![g]!, e, 1e-5, 1, `block energy ${g}`);
}

/**
 * Two result documents (`rdm2 analyze --out x.json` / `rdm2 watch --out x.json`): every number to
 * ENGINES_AGREE relative (z to Z_AGREES; a series' values relative to the largest of the series, a window's eigenvalues
 * to its largest), eigenvectors to one float32 rounding; strings, counts and structure equal.
 * Only `options.threads` may differ.
 */
export function expectSameDocument(got: unknown, want: unknown, path = 'result'): void {
  if (typeof want === 'number') {
    expect(typeof got, path).toBe('number');
    const g = got as number;
    const eigenvector = /eigenvectors/.test(path);
    if (eigenvector) expect(Math.abs(g - want), path).toBeLessThanOrEqual(2 ** -23);
    else expectRel(g, want, /\.z$/.test(path) ? Z_AGREES : ENGINES_AGREE, 0, path);
    return;
  }
  if (Array.isArray(want)) {
    expect(Array.isArray(got), path).toBe(true);
    const g = got as unknown[];
    expect(g.length, path).toBe(want.length);
    if (want.length > 0 && want.every((v) => typeof v === 'number' || v === null) && !/eigenvectors/.test(path)) {
      // A per-window series (or one window's eigenvalues): relative to the series' own scale, so a
      // value near zero (the entropy of a window with one dominant mode) is held to the same
      // ENGINES_AGREE as the rest of its series rather than to its own tiny magnitude.
      const scale = Math.max(...want.map((v) => (typeof v === 'number' && Number.isFinite(v) ? Math.abs(v) : 0)));
      want.forEach((v, k) => {
        if (v === null) expect(g[k], `${path}[${k}]`).toBeNull();
        else expectRel(g[k] as number, v as number, ENGINES_AGREE, scale, `${path}[${k}]`);
      });
      return;
    }
    want.forEach((v, k) => expectSameDocument(g[k], v, `${path}[${k}]`));
    return;
  }
  if (typeof want === 'object' && want !== null) {
    expect(typeof got, path).toBe('object');
    const g = got as Record<string, unknown>;
    const kept = (k: string) => !(k === 'threads' && /\.(options|analysisOptions)$/.test(path));
    const keys = Object.keys(want).filter(kept);
    expect(Object.keys(g).filter(kept).sort(), path).toEqual(keys.slice().sort());
    for (const k of keys) expectSameDocument(g[k], (want as Record<string, unknown>)[k], `${path}.${k}`);
    return;
  }
  expect(got, path).toEqual(want);
}

/** `join` for test files. */
export const at = join;
